/**
 * Draw a digit (or pick an MNIST test image) and see the float model's and the quantized model's
 * class probabilities side by side, each shift-kernel layer's time, and the packed size. The page
 * only draws and preprocesses (mnistPreprocess.ts); both models run in the worker.
 */
import { useCallback, useEffect, useId, useRef, useState, type PointerEvent as ReactPointerEvent } from 'react';
import { usePlayground } from '../store/store.ts';
import type { DemoResult } from '../engine/results.ts';
import { useInqClient } from './clientContext.ts';
import { COLORS } from './colors.ts';
import { kB, pct } from './format.ts';
import { MNIST_SIDE, greyOfRgba, toMnistImage } from './mnistPreprocess.ts';

/** Side of the drawing canvas in canvas pixels (10× MNIST). */
const PAD = 280;
/** Stroke width in canvas pixels: after scaling to MNIST's 20 px box, about MNIST's 2–3 px. */
const STROKE = 22;
/** While drawing, a prediction at most this often. */
const DRAW_THROTTLE_MS = 150;
/** A request not answered after this long no longer holds back the next one (e.g. a restarted worker). */
const REQUEST_TIMEOUT_MS = 3000;

/** Index of the largest value. */
function argmax(v: Float32Array): number {
  let best = 0;
  for (let i = 1; i < v.length; i++) if (v[i] > v[best]) best = i;
  return best;
}

/** Milliseconds with enough digits to tell small layers apart. */
function ms(v: number): string {
  return `${v.toFixed(v < 10 ? 2 : 1)} ms`;
}

/** The drawing pad's context, read back on every prediction: made (on first use) with willReadFrequently. */
function padContext(canvas: HTMLCanvasElement | null): CanvasRenderingContext2D | null {
  return canvas?.getContext('2d', { willReadFrequently: true }) ?? null;
}

/** Paints a 28×28 image (0–1) into a canvas of any size, white on black. */
function paintImage(canvas: HTMLCanvasElement, image: Float32Array, smooth: boolean): void {
  const small = document.createElement('canvas');
  small.width = MNIST_SIDE;
  small.height = MNIST_SIDE;
  const sctx = small.getContext('2d');
  const ctx = canvas.getContext('2d');
  if (!sctx || !ctx) return;
  const img = sctx.createImageData(MNIST_SIDE, MNIST_SIDE);
  for (let i = 0; i < image.length; i++) {
    const g = Math.round(255 * Math.min(1, Math.max(0, image[i])));
    img.data[4 * i] = g;
    img.data[4 * i + 1] = g;
    img.data[4 * i + 2] = g;
    img.data[4 * i + 3] = 255;
  }
  sctx.putImageData(img, 0, 0);
  ctx.imageSmoothingEnabled = smooth;
  ctx.drawImage(small, 0, 0, canvas.width, canvas.height);
}

/** One model's ten class probabilities as bars, with its predicted digit. */
function ProbPanel(props: { testId: string; className: string; title: string; detail: string; probs: Float32Array | null; color: string; label?: number; empty: string }) {
  const { testId, className, title, detail, probs, color, label, empty } = props;
  const headingId = useId();
  const top = probs ? argmax(probs) : null;
  return (
    <section className={`prob-panel ${className}`} aria-labelledby={headingId}>
      <h3 id={headingId}>{title}</h3>
      <p className="sub">{detail}</p>
      <p className="prediction" aria-live="polite">
        {top === null ? (
          empty
        ) : (
          <>
            Predicts <strong className="predicted-digit">{top}</strong> ({pct(probs![top])})
            {label !== undefined && <span className={top === label ? 'verdict ok' : 'verdict wrong'}>{top === label ? ' ✓ right' : ` ✗ the label is ${label}`}</span>}
          </>
        )}
      </p>
      <ol className="probs" data-testid={testId} data-top={top ?? ''} aria-label={`${title}: probability of each digit`}>
        {Array.from({ length: 10 }, (_, d) => {
          const p = probs ? probs[d] : 0;
          return (
            <li key={d} data-digit={d} data-p={probs ? p.toFixed(4) : ''} aria-label={`${d}: ${probs ? pct(p) : 'no answer yet'}`}>
              <span className="prob-digit" aria-hidden="true">
                {d}
              </span>
              <span className="prob-bar" aria-hidden="true">
                <span style={{ width: `${(100 * p).toFixed(1)}%`, background: color, opacity: d === top ? 1 : 0.45 }} />
              </span>
              <span className="prob-value" aria-hidden="true">
                {probs ? pct(p) : '–'}
              </span>
            </li>
          );
        })}
      </ol>
    </section>
  );
}

/** Per-layer shift-kernel times as bars, and the totals. */
function LayerTimes({ result, backend }: { result: DemoResult | null; backend: string }) {
  if (!result) return <p className="hint">Layer times appear with the first prediction.</p>;
  const sum = result.layerTimesMs.reduce((a, l) => a + l.ms, 0);
  const longest = Math.max(1e-9, ...result.layerTimesMs.map((l) => l.ms));
  const source = result.timingSource === 'gpu-timestamp' ? 'GPU timestamps' : 'wall time per layer, one submit each';
  return (
    <div data-testid="layer-times" data-total={sum.toFixed(3)}>
      {result.shiftMs !== null ? (
        <table className="mini-table layer-times">
          <caption>Shift-kernel time per layer ({source})</caption>
          <thead>
            <tr>
              <th scope="col">Layer</th>
              <th scope="col" className="num">
                Time
              </th>
              <th scope="col">
                <span className="sr-only">Share of the slowest layer</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {result.layerTimesMs.map((l) => (
              <tr key={l.name} data-layer={l.name} data-ms={l.ms.toFixed(3)}>
                <td>{l.name}</td>
                <td className="num">{ms(l.ms)}</td>
                <td className="time-bar" aria-hidden="true">
                  <span style={{ width: `${((100 * l.ms) / longest).toFixed(1)}%`, background: COLORS.shiftModel }} />
                </td>
              </tr>
            ))}
            <tr className="total-row">
              <th scope="row">All layers</th>
              <td className="num">{ms(sum)}</td>
              <td />
            </tr>
          </tbody>
        </table>
      ) : (
        <p className="hint">No shift-kernel times: the quantized model cannot run here.</p>
      )}
      <p className="sub" data-testid="demo-totals">
        {result.shiftMs !== null && <>Quantized forward pass with upload and read-back: {ms(result.shiftMs)} · </>}
        Float model (tfjs on {backend}): {ms(result.floatMs)}
      </p>
    </div>
  );
}

/** The "Draw a digit" panel. */
export function DigitDemo() {
  const client = useInqClient();
  const demoModel = usePlayground((s) => s.demoModel);
  const result = usePlayground((s) => s.demoResult);
  const requestId = usePlayground((s) => s.demoRequestId);
  const error = usePlayground((s) => s.demoError);
  const backend = usePlayground((s) => s.backend?.backend ?? 'tfjs');
  const headingId = useId();
  const hintId = useId();

  const pad = useRef<HTMLCanvasElement>(null);
  const preview = useRef<HTMLCanvasElement>(null);
  const stroke = useRef<{ id: number; x: number; y: number } | null>(null);
  const inFlight = useRef<{ id: number; at: number } | null>(null);
  const queued = useRef(false);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const testRequest = useRef<number | null>(null);
  /** Answers to requests up to this id are not shown (the pad was cleared since). */
  const [shownAfter, setShownAfter] = useState(0);
  /** The pad changed since the last request. */
  const [dirty, setDirty] = useState(false);
  const [hasInk, setHasInk] = useState(false);
  const [showingTest, setShowingTest] = useState(false);
  const ready = demoModel !== null;

  /** Paints both canvases black. */
  const blank = useCallback(() => {
    for (const [ctx, side] of [
      [padContext(pad.current), PAD],
      [preview.current?.getContext('2d'), MNIST_SIDE],
    ] as const) {
      if (!ctx) continue;
      ctx.fillStyle = '#000';
      ctx.fillRect(0, 0, side, side);
    }
  }, []);

  const clearPad = (): void => {
    blank();
    setShowingTest(false);
    setHasInk(false);
  };

  useEffect(blank, [blank]);

  /** Preprocesses the pad and sends it; nothing when the pad is empty. */
  const send = useCallback(() => {
    const ctx = padContext(pad.current);
    if (!ctx) return;
    setDirty(false);
    const image = toMnistImage(greyOfRgba(ctx.getImageData(0, 0, PAD, PAD).data, PAD, PAD), PAD, PAD);
    if (!image) return;
    if (preview.current) paintImage(preview.current, image, false);
    inFlight.current = { id: client.demoPredict(image), at: performance.now() };
  }, [client]);

  /** Sends unless a request is still in flight; then the latest drawing goes when it is answered. */
  const sendOrQueue = useCallback(() => {
    if (inFlight.current && performance.now() - inFlight.current.at < REQUEST_TIMEOUT_MS) queued.current = true;
    else send();
  }, [send]);

  /** Sends now (`now`, e.g. the pointer went up) or after the throttle (while drawing). */
  const request = useCallback(
    (now: boolean) => {
      if (!ready) return;
      if (now) {
        if (timer.current) clearTimeout(timer.current);
        timer.current = null;
        sendOrQueue();
      } else {
        timer.current ??= setTimeout(() => {
          timer.current = null;
          sendOrQueue();
        }, DRAW_THROTTLE_MS);
      }
    },
    [ready, sendOrQueue],
  );

  // An answer frees the line; the drawing made meanwhile goes next.
  useEffect(() => {
    const answered = error?.id ?? result?.id;
    if (answered === undefined || answered === null || inFlight.current?.id !== answered) return;
    inFlight.current = null;
    if (testRequest.current === answered && result?.id === answered && result.label !== undefined) {
      testRequest.current = null;
      if (pad.current) paintImage(pad.current, result.image, true);
      setShowingTest(true);
      setHasInk(true);
    }
    if (queued.current) {
      queued.current = false;
      send();
    }
  }, [result, error, send]);

  // A restarted worker forgets requests; a drawing made before the demo was ready goes once it is.
  const wasReady = useRef(ready);
  useEffect(() => {
    const became = ready && !wasReady.current;
    wasReady.current = ready;
    if (!ready) inFlight.current = null;
    else if (became && hasInk && !showingTest) request(true);
  }, [ready, hasInk, showingTest, request]);

  // The preview shows what the network saw.
  useEffect(() => {
    if (result && result.id > shownAfter && preview.current) paintImage(preview.current, result.image, false);
  }, [result, shownAfter]);

  useEffect(
    () => () => {
      if (timer.current) clearTimeout(timer.current);
    },
    [],
  );

  const point = (e: ReactPointerEvent<HTMLCanvasElement> | PointerEvent): { x: number; y: number } => {
    const r = pad.current!.getBoundingClientRect();
    return { x: ((e.clientX - r.left) * PAD) / r.width, y: ((e.clientY - r.top) * PAD) / r.height };
  };

  const onPointerDown = (e: ReactPointerEvent<HTMLCanvasElement>): void => {
    if (e.pointerType === 'mouse' && e.button !== 0) return;
    const canvas = e.currentTarget;
    const ctx = padContext(canvas);
    if (!ctx) return;
    e.preventDefault();
    canvas.setPointerCapture(e.pointerId);
    if (showingTest) clearPad();
    const p = point(e);
    stroke.current = { id: e.pointerId, ...p };
    ctx.fillStyle = '#fff';
    ctx.beginPath();
    ctx.arc(p.x, p.y, STROKE / 2, 0, 2 * Math.PI);
    ctx.fill();
    testRequest.current = null;
    setHasInk(true);
    setDirty(true);
    request(false);
  };

  const onPointerMove = (e: ReactPointerEvent<HTMLCanvasElement>): void => {
    const s = stroke.current;
    if (!s || s.id !== e.pointerId) return;
    const ctx = padContext(e.currentTarget);
    if (!ctx) return;
    ctx.strokeStyle = '#fff';
    ctx.lineWidth = STROKE;
    ctx.lineCap = 'round';
    ctx.lineJoin = 'round';
    ctx.beginPath();
    ctx.moveTo(s.x, s.y);
    // Coalesced events keep fast strokes smooth.
    const events = e.nativeEvent.getCoalescedEvents?.() ?? [];
    for (const ev of events.length ? events : [e.nativeEvent]) {
      const p = point(ev);
      ctx.lineTo(p.x, p.y);
      s.x = p.x;
      s.y = p.y;
    }
    ctx.stroke();
    setDirty(true);
    request(false);
  };

  const onPointerEnd = (e: ReactPointerEvent<HTMLCanvasElement>): void => {
    if (stroke.current?.id !== e.pointerId) return;
    stroke.current = null;
    if (e.currentTarget.hasPointerCapture(e.pointerId)) e.currentTarget.releasePointerCapture(e.pointerId);
    request(true);
  };

  const onClear = (): void => {
    if (timer.current) clearTimeout(timer.current);
    timer.current = null;
    queued.current = false;
    testRequest.current = null;
    setShownAfter(requestId ?? 0);
    setDirty(false);
    clearPad();
  };

  const onRandom = (): void => {
    if (timer.current) clearTimeout(timer.current);
    timer.current = null;
    queued.current = false;
    setDirty(false);
    const id = client.demoPredictTest();
    testRequest.current = id;
    inFlight.current = { id, at: performance.now() };
  };

  const shown = result && result.id > shownAfter ? result : null;
  const current = shown !== null && shown.id === requestId && !dirty;
  const state = !hasInk && !shown ? 'empty' : current ? 'done' : 'pending';
  const info = demoModel;
  const sizeText =
    info && info.packedBytes !== null
      ? `Packed: ${kB(info.packedBytes)} vs ${kB(info.floatBytes)} float32 (${(info.floatBytes / info.packedBytes).toFixed(1)}× smaller)`
      : info
        ? `Packed: no quantized model (float32: ${kB(info.floatBytes)})`
        : 'Packed: waiting for the model…';

  return (
    <section className="card digit-demo" aria-labelledby={headingId} data-testid="digit-demo" data-state={state} data-result-id={shown?.id ?? ''}>
      <h2 id={headingId}>Draw a digit</h2>
      <p className="explain">
        Draw a digit 0–9 in the black square, or pick an MNIST test image. The float model and the quantized model (every weight 0 or ±2^p, run by
        the shift-only WGSL kernels straight from its packed codes) both classify it in the worker.
      </p>
      <p className="demo-model" data-testid="demo-model">
        {info ? (
          <>
            Quantized model: <strong>{info.modelLabel || 'none'}</strong>
          </>
        ) : (
          'Preparing the models…'
        )}
      </p>
      {info?.note && (
        <p className="demo-note" role="note" data-testid="demo-note">
          {info.note}
        </p>
      )}
      {error && (
        <p className="field-error" role="alert">
          The demo could not answer: {error.message}
        </p>
      )}
      <div className="demo-grid">
        <div className="demo-input">
          <canvas
            ref={pad}
            className="draw-pad"
            width={PAD}
            height={PAD}
            aria-label="Drawing canvas"
            aria-describedby={hintId}
            onPointerDown={onPointerDown}
            onPointerMove={onPointerMove}
            onPointerUp={onPointerEnd}
            onPointerCancel={onPointerEnd}
          />
          <p className="sub" id={hintId}>
            Draw with a mouse, pen or finger; both models answer as you draw and when you lift it.{showingTest ? ' Drawing replaces the test image.' : ''}
          </p>
          <div className="buttons">
            <button type="button" onClick={onClear}>
              Clear
            </button>
            <button type="button" onClick={onRandom} disabled={!ready}>
              Random test image
            </button>
          </div>
          <figure className="demo-preview">
            <canvas ref={preview} width={MNIST_SIDE} height={MNIST_SIDE} aria-label="What the networks see: the drawing as a 28×28 MNIST image" role="img" />
            <figcaption className="sub">
              What the networks see (28×28)
              {shown?.label !== undefined && (
                <>
                  {' '}
                  · MNIST test image #{shown.index}, label <strong data-testid="demo-label">{shown.label}</strong>
                </>
              )}
            </figcaption>
          </figure>
        </div>
        <ProbPanel
          testId="float-probs"
          className="demo-float"
          title="Float model"
          detail={`pre-trained, float32 weights · tfjs (${backend})`}
          probs={shown?.floatProbs ?? null}
          color={COLORS.floatModel}
          label={shown?.label}
          empty={ready ? 'Draw something.' : 'Loading…'}
        />
        <ProbPanel
          testId="shift-probs"
          className="demo-shift"
          title="Quantized model"
          detail={info?.shiftAvailable ? `${info.modelLabel} · shift kernels (WebGPU)` : 'shift kernels: not available here'}
          probs={shown?.shiftProbs ?? null}
          color={COLORS.shiftModel}
          label={shown?.label}
          empty={!ready ? 'Loading…' : info?.shiftAvailable ? 'Draw something.' : 'Needs WebGPU.'}
        />
        <div className="demo-times">
          <h3>Time and size</h3>
          <p className="big-number" data-testid="demo-size" data-packed={info?.packedBytes ?? ''} data-float={info?.floatBytes ?? ''}>
            {sizeText}
          </p>
          <LayerTimes result={shown} backend={backend} />
        </div>
      </div>
    </section>
  );
}
