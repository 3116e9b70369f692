/**
 * "Where the errors are": the float model's and the shown round's quantized model's confusion
 * matrices side by side (rows the true digit, columns the answer), from the answers per test image
 * the run keeps. A click on a count opens that cell's test images with both models' answers; the
 * pixels come from the worker on demand, on small canvases drawn only then. The matrices are 10×10
 * counts over at most a few thousand answers, computed once per change of round.
 */
import { useEffect, useMemo, useRef, useState } from 'react';
import { usePlayground } from '../store/store.ts';
import type { PlaygroundState } from '../store/types.ts';
import { cellImages, confusionMatrix, type ConfusionMatrix } from '../engine/confusion.ts';
import type { TestImages } from '../engine/results.ts';
import { COLORS, withAlpha } from './colors.ts';
import { int, pct } from './format.ts';
import { useInqClient } from './clientContext.ts';
import { useShownResult } from './useShownRound.ts';
import { NUM_CLASSES } from '../data/datasets.ts';

/** Images shown for one cell at most (the rest are counted). */
export const CELL_IMAGES_SHOWN = 24;

type Which = 'float' | 'quantized';

/** The opened cell, tied to the run it belongs to. */
interface OpenCell {
  runId: string | null;
  which: Which;
  trueClass: number;
  predicted: number;
}

const selectFloat = (s: PlaygroundState) => s.floatPredictions;
const selectRunId = (s: PlaygroundState) => s.runId;
const selectHasRounds = (s: PlaygroundState) => s.rounds.length > 0;

/** The matrix of `predicted` against `labels`, or null when they are missing or do not fit (e.g. damaged). */
function matrixOf(labels: Uint8Array | undefined, predicted: Uint8Array | undefined): ConfusionMatrix | null {
  if (!labels || !predicted || labels.length !== predicted.length) return null;
  try {
    return confusionMatrix(labels, predicted, NUM_CLASSES);
  } catch {
    return null;
  }
}

function whoText(which: Which, round: number | null): string {
  return which === 'float' ? 'float model' : `quantized, round ${round}`;
}

/** One cell's accessible name, e.g. "true 4, predicted 9: 3 images (quantized, round 2)". */
export function cellName(trueClass: number, predicted: number, count: number, which: Which, round: number | null): string {
  return `true ${trueClass}, predicted ${predicted}: ${count} image${count === 1 ? '' : 's'} (${whoText(which, round)})`;
}

/** The card. */
export function ConfusionMatrixCard() {
  const float = usePlayground(selectFloat);
  const runId = usePlayground(selectRunId);
  const hasRounds = usePlayground(selectHasRounds);
  const shown = useShownResult();
  const [open, setOpen] = useState<OpenCell | null>(null);
  const labels = float?.labels;
  const floatM = useMemo(() => matrixOf(labels, float?.classes), [labels, float?.classes]);
  const quantPred = shown?.predictions && labels && shown.predictions.length === labels.length ? shown.predictions : undefined;
  const quantM = useMemo(() => matrixOf(labels, quantPred), [labels, quantPred]);
  const round = shown?.round ?? null;
  // One shade scale for both grids, so the same count looks the same in each.
  const scale = useMemo(() => {
    let diag = 1;
    let off = 1;
    for (const m of [floatM, quantM]) {
      if (!m) continue;
      for (let t = 0; t < m.classes; t++) {
        for (let p = 0; p < m.classes; p++) {
          const n = m.counts[t * m.classes + p];
          if (t === p) diag = Math.max(diag, n);
          else off = Math.max(off, n);
        }
      }
    }
    return { diag, off };
  }, [floatM, quantM]);
  const cell = open && open.runId === runId ? open : null;
  const toggle = (which: Which, trueClass: number, predicted: number): void => {
    const same = cell && cell.which === which && cell.trueClass === trueClass && cell.predicted === predicted;
    setOpen(same ? null : { runId, which, trueClass, predicted });
  };

  let body;
  if (!floatM && !hasRounds) {
    body = <p className="hint">Run INQ to see where each model goes wrong.</p>;
  } else if (!floatM) {
    body = <p className="hint">This run was saved without the answers for each test image, so its confusion matrices cannot be drawn. Runs made now keep them.</p>;
  } else {
    body = (
      <>
        <div className="confusion-pair">
          <MatrixTable title="Float model" which="float" round={null} m={floatM} scale={scale} open={cell} onOpen={toggle} />
          {quantM ? (
            <MatrixTable title={`Quantized, round ${round}`} which="quantized" round={round} m={quantM} scale={scale} open={cell} onOpen={toggle} />
          ) : (
            <p className="hint confusion-missing">
              {shown ? `Round ${shown.round} was saved without the answers for each test image, so its matrix cannot be drawn.` : "The quantized model's matrix appears after round 1."}
            </p>
          )}
        </div>
        {cell && labels && float && (
          <CellImagesPanel
            cell={cell}
            labels={labels}
            floatPred={float.classes}
            quantPred={quantPred ?? null}
            round={round}
            onClose={() => setOpen(null)}
          />
        )}
      </>
    );
  }
  return (
    <section className="card confusion" aria-label="Where the errors are">
      <h2>Where the errors are</h2>
      <p className="explain">
        Each grid counts the test images by their true digit (rows) and the digit the model answered (columns). The green diagonal holds the right
        answers; every number off it is a mistake, and the deeper the red, the more often that mistake was made. The float model is the network before
        quantization; the quantized grid follows the round chosen above, so you can see which mistakes quantization added or took away. Click a number to
        see those images and what both models answered.
      </p>
      {body}
    </section>
  );
}

/** One 10×10 grid: rows the true class, columns the answer; each non-empty cell a button. */
function MatrixTable(props: {
  title: string;
  which: Which;
  round: number | null;
  m: ConfusionMatrix;
  scale: { diag: number; off: number };
  open: OpenCell | null;
  onOpen: (which: Which, trueClass: number, predicted: number) => void;
}) {
  const { m, which, round, scale, open } = props;
  const classes = Array.from({ length: m.classes }, (_, i) => i);
  return (
    <table className="confusion-table" data-testid={`confusion-${which}`} data-total={m.total} data-correct={m.correct}>
      <caption>
        <strong>{props.title}</strong>: {int(m.correct)} of {int(m.total)} right ({pct(m.total ? m.correct / m.total : 0)})
      </caption>
      <thead>
        <tr>
          <th scope="col" className="confusion-corner">
            <span aria-hidden="true">
              true ↓<br />
              answer →
            </span>
            <span className="sr-only">true digit by row, predicted digit by column</span>
          </th>
          {classes.map((p) => (
            <th key={p} scope="col">
              {p}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {classes.map((t) => (
          <tr key={t}>
            <th scope="row">{t}</th>
            {classes.map((p) => {
              const n = m.counts[t * m.classes + p];
              const diagonal = t === p;
              const share = n === 0 ? 0 : Math.sqrt(n / (diagonal ? scale.diag : scale.off));
              const alpha = n === 0 ? 0 : 0.12 + 0.78 * share;
              const isOpen = open !== null && open.which === which && open.trueClass === t && open.predicted === p;
              return (
                <td
                  key={p}
                  className={`${diagonal ? 'diag' : 'off'}${alpha > 0.6 ? ' dark' : ''}`}
                  style={n ? { background: withAlpha(diagonal ? COLORS.accuracy : COLORS.error, alpha) } : undefined}
                  data-count={n}
                  data-true={t}
                  data-predicted={p}
                >
                  {n > 0 && (
                    <button type="button" aria-label={cellName(t, p, n, which, round)} aria-pressed={isOpen} onClick={() => props.onOpen(which, t, p)}>
                      {n}
                    </button>
                  )}
                </td>
              );
            })}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The opened cell's images (the first CELL_IMAGES_SHOWN), each with both models' answers. */
function CellImagesPanel(props: {
  cell: OpenCell;
  labels: Uint8Array;
  floatPred: Uint8Array;
  quantPred: Uint8Array | null;
  round: number | null;
  onClose: () => void;
}) {
  const { cell, labels, floatPred, quantPred, round } = props;
  const client = useInqClient();
  const source = cell.which === 'float' ? floatPred : quantPred;
  const { indices, total } = useMemo(
    () => (source ? cellImages(labels, source, cell.trueClass, cell.predicted, CELL_IMAGES_SHOWN) : { indices: [], total: 0 }),
    [labels, source, cell.trueClass, cell.predicted],
  );
  const key = indices.join(',');
  const [got, setGot] = useState<{ key: string; images: TestImages | null; error: string | null } | null>(null);
  useEffect(() => {
    if (indices.length === 0) return;
    let live = true;
    client.testImages(indices).then(
      (images) => live && setGot({ key, images, error: null }),
      (e: unknown) => live && setGot({ key, images: null, error: e instanceof Error ? e.message : String(e) }),
    );
    return () => {
      live = false;
    };
  }, [client, indices, key]);
  const current = got?.key === key ? got : null;
  const mismatch = current?.images ? indices.some((i, k) => current.images!.labels[k] !== labels[i]) : false;
  const who = cell.which === 'float' ? 'the float model' : `the quantized model after round ${round}`;
  return (
    <div className="confusion-images" role="region" aria-label="Images in the chosen cell" data-testid="confusion-images" data-total={total}>
      <div className="confusion-images-head">
        <h3>
          True {cell.trueClass}, answered {cell.predicted} by {who}: {total} image{total === 1 ? '' : 's'}
        </h3>
        <button type="button" onClick={props.onClose}>
          Hide these images
        </button>
      </div>
      {total === 0 && <p className="hint">No test image is in this cell at this round.</p>}
      {current?.error && (
        <p role="alert" className="field-error">
          The images could not be fetched: {current.error}
        </p>
      )}
      {mismatch && (
        <p role="alert" className="field-error">
          The dataset loaded now has other digits at these places: this run was made on another dataset, so these are not its images.
        </p>
      )}
      {indices.length > 0 && !current && <p className="hint">Fetching the images…</p>}
      {current?.images && (
        <ul className="confusion-thumbs">
          {indices.map((index, k) => (
            <li key={index}>
              <figure>
                <TestImageCanvas images={current.images!} k={k} label={`test image ${index}, a ${labels[index]}`} />
                <figcaption>
                  <span className={floatPred[index] === labels[index] ? 'right' : 'wrong'}>float {floatPred[index]}</span>
                  {' · '}
                  <span className={quantPred && quantPred[index] === labels[index] ? 'right' : 'wrong'}>quantized {quantPred ? quantPred[index] : '–'}</span>
                </figcaption>
              </figure>
            </li>
          ))}
        </ul>
      )}
      {total > indices.length && <p className="hint">and {int(total - indices.length)} more</p>}
    </div>
  );
}

/** One test image at its own size (28×28 canvas pixels), scaled up by CSS. */
function TestImageCanvas(props: { images: TestImages; k: number; label: string }) {
  const ref = useRef<HTMLCanvasElement | null>(null);
  const { images, k } = props;
  useEffect(() => {
    const ctx = ref.current?.getContext('2d');
    if (!ctx) return;
    const { width, height } = images;
    const img = ctx.createImageData(width, height);
    const base = k * width * height;
    for (let i = 0; i < width * height; i++) {
      const g = images.images[base + i];
      img.data[4 * i] = g;
      img.data[4 * i + 1] = g;
      img.data[4 * i + 2] = g;
      img.data[4 * i + 3] = 255;
    }
    ctx.putImageData(img, 0, 0);
  }, [images, k]);
  return <canvas ref={ref} width={images.width} height={images.height} role="img" aria-label={props.label} />;
}
