/** Per-layer partition masks: every weight a pixel, coloured free / frozen this round / frozen earlier; hover explains one weight. */
import { memo, useEffect, useMemo, useRef, useState, type MouseEvent, type ReactNode } from 'react';
import { usePlayground } from '../store/store.ts';
import type { LayerInfo, LayerSnapshot } from '../engine/types.ts';
import { quantizeValue } from '../inq/quantize.ts';
import { useShownResult } from './useShownRound.ts';
import { SLOTS, useStaggered } from './useStaggered.ts';
import { PRUNED_ROUND } from '../engine/types.ts';
import { COLORS, pixelOf } from './colors.ts';
import { maskLayout } from './maskLayout.ts';
import { layerLevelSet, levelText } from './format.ts';
import { ChartCard } from './shared/ChartCard.tsx';
import { FollowWeight } from './FollowWeight.tsx';

interface Hover {
  index: number;
  left: number;
  top: number;
}

/** One layer's mask, updated in its own slot after the shown round changes. */
const LayerMask = memo(function LayerMask({ info, snap, round, slot }: { info: LayerInfo; snap: LayerSnapshot; round: number; slot: number }) {
  const shown = useStaggered(snap, slot, 'mask');
  // The round travels with its snapshot: both change together.
  const shownRound = useStaggered(round, slot);
  const pinned = usePlayground((s) => (s.pinned?.layer === info.name ? s.pinned.index : null));
  const pinWeight = usePlayground((s) => s.pinWeight);
  if (!shown || shownRound === null) return <figure className="mask-card chart-pending" />;
  return <MaskFigure info={info} snap={shown} round={shownRound} pinned={pinned} onPick={(index) => pinWeight({ layer: info.name, index })} />;
});

/** Colour of the ring around the weight being followed. */
const PIN_RING = 0xff000000;

/**
 * The canvas; drawn only when the layer's snapshot, the shown round or the followed weight changes.
 * A click on a cell follows that weight (`onPick`); `pinned` is ringed.
 */
export const MaskFigure = memo(function MaskFigure({
  info,
  snap,
  round,
  pinned = null,
  onPick,
}: {
  info: LayerInfo;
  snap: LayerSnapshot;
  round: number;
  pinned?: number | null;
  onPick?: (index: number) => void;
}) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const layout = useMemo(() => maskLayout(info.shape), [info.shape]);
  const set = useMemo(() => layerLevelSet(info), [info]);
  const [hover, setHover] = useState<Hover | null>(null);

  useEffect(() => {
    const ctx = canvas.current?.getContext('2d');
    if (!ctx) return;
    const img = ctx.createImageData(layout.width, layout.height);
    const px = new Uint32Array(img.data.buffer);
    const free = pixelOf(COLORS.freeCell);
    const now = pixelOf(COLORS.frozenNow);
    const earlier = pixelOf(COLORS.frozenEarlier);
    const gap = pixelOf(COLORS.gap);
    const pruned = pixelOf(COLORS.pruned);
    const at = layout.indexAt;
    const fr = snap.frozenRound;
    for (let p = 0; p < at.length; p++) {
      const i = at[p];
      if (i < 0) px[p] = gap;
      else {
        const r = fr[i];
        px[p] = r === 0 ? free : r === PRUNED_ROUND ? pruned : r === round ? now : earlier;
      }
    }
    if (pinned !== null) {
      const p = at.indexOf(pinned);
      if (p >= 0) {
        const x = p % layout.width;
        const y = (p - x) / layout.width;
        for (let dy = -1; dy <= 1; dy++)
          for (let dx = -1; dx <= 1; dx++) {
            const xx = x + dx;
            const yy = y + dy;
            if ((dx || dy) && xx >= 0 && yy >= 0 && xx < layout.width && yy < layout.height) px[yy * layout.width + xx] = PIN_RING;
          }
      }
    }
    ctx.putImageData(img, 0, 0);
  }, [layout, snap, round, pinned]);

  const indexAt = (e: MouseEvent<HTMLCanvasElement>): number => {
    const r = e.currentTarget.getBoundingClientRect();
    const x = Math.floor(((e.clientX - r.left) / r.width) * layout.width);
    const y = Math.floor(((e.clientY - r.top) / r.height) * layout.height);
    return x >= 0 && y >= 0 && x < layout.width && y < layout.height ? layout.indexAt[y * layout.width + x] : -1;
  };
  const onMove = (e: MouseEvent<HTMLCanvasElement>): void => {
    const r = e.currentTarget.getBoundingClientRect();
    const index = indexAt(e);
    if (index < 0) setHover(null);
    else if (hover?.index !== index) setHover({ index, left: e.clientX - r.left, top: e.clientY - r.top });
  };

  let tip: ReactNode = null;
  if (hover) {
    const i = hover.index;
    const w = snap.weights[i];
    const fr = snap.frozenRound[i];
    const level = fr ? w : quantizeValue(w, set);
    tip = (
      <div className="mask-tip" role="tooltip" data-testid={`mask-tip-${info.name}`} style={{ left: hover.left, top: hover.top }}>
        <div>
          <strong>weight #{i}</strong> · {layout.describe(i)}
        </div>
        <div>value {w.toPrecision(4)}</div>
        <div>
          {fr ? 'level' : 'would snap to'} {level === 0 ? '0' : `${level.toPrecision(4)} (${levelText(level)})`}
        </div>
        <div>{fr === PRUNED_ROUND ? 'pruned before INQ: frozen at 0' : fr ? `frozen in round ${fr}${fr === round ? ' (this round)' : ''}` : 'free: still re-trained'}</div>
        {onPick && <div className="sub">click to follow this weight</div>}
      </div>
    );
  }

  return (
    <figure className={`mask-card${layout.width > 200 ? ' mask-card-wide' : ''}`}>
      <figcaption>
        <strong>{info.name}</strong> · {info.shape.join('×')} · {((100 * snap.frozenCount) / info.size).toFixed(1)} % frozen
      </figcaption>
      <div className="mask-wrap">
        <canvas
          ref={canvas}
          width={layout.width}
          height={layout.height}
          data-testid={`mask-${info.name}`}
          data-pinned={pinned ?? undefined}
          className={onPick ? 'mask mask-pickable' : 'mask'}
          style={{ aspectRatio: `${layout.width} / ${layout.height}`, maxWidth: `${Math.min(Math.max(layout.width * 8, 160), (300 * layout.width) / layout.height)}px` }}
          onMouseMove={onMove}
          onMouseLeave={() => setHover(null)}
          onClick={
            onPick
              ? (e) => {
                  const index = indexAt(e);
                  if (index >= 0) onPick(index);
                }
              : undefined
          }
        />
        {tip}
      </div>
    </figure>
  );
});

/** The weight a mask click follows, under the masks (only once one is followed). */
function FollowedWeight() {
  const pinned = usePlayground((s) => s.pinned !== null);
  return pinned ? (
    <div className="follow-card" role="region" aria-label="Follow one weight">
      <FollowWeight height={180} />
    </div>
  ) : null;
}

/** Every layer's mask for the shown round, with the colour legend. */
export function PartitionMasks() {
  const layers = usePlayground((s) => s.layers);
  const result = useShownResult();
  return (
    <ChartCard
      className="wide"
      title="Partition masks"
      chart="partition masks"
      file="masks"
      empty={!result}
      caption={
        <>
          Every weight is one cell; each tile is one output channel (for dense layers, one output neuron with its inputs folded into a square).{' '}
          <span className="swatch" style={{ background: COLORS.frozenNow }} /> frozen this round{' '}
          <span className="swatch" style={{ background: COLORS.frozenEarlier }} /> frozen earlier{' '}
          <span className="swatch swatch-outline" style={{ background: COLORS.freeCell }} /> free. With the magnitude strategy the large weights go first;
          hover a cell for its value and level, click it to follow that weight through the run.
        </>
      }
    >
      {!result ? (
        <p className="hint">Run INQ: the masks appear after the first round.</p>
      ) : (
        <div className="mask-grid">
          {layers.map((info, i) => {
            const snap = result.layers.find((l) => l.name === info.name);
            return snap ? <LayerMask key={info.name} info={info} snap={snap} round={result.round} slot={SLOTS.masks + i} /> : null;
          })}
        </div>
      )}
      {result && <FollowedWeight />}
    </ChartCard>
  );
}
