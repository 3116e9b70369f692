/**
 * Per-layer weight histograms for the shown round: free weights as bars, frozen ones as spikes on
 * their power-of-two levels. Plain SVG (one path per series) rather than recharts: the page
 * benchmark measures one layer's update here at about 1 ms against tens of ms for a recharts line
 * chart of four points in the same run (README, Layout).
 */
import { memo, useMemo, useState, type ReactNode } from 'react';
import { usePlayground } from '../store/store.ts';
import type { LayerInfo, LayerSnapshot } from '../engine/types.ts';
import { useShownResult } from './useShownRound.ts';
import { SLOTS, useStaggered } from './useStaggered.ts';
import { COLORS } from './colors.ts';
import { levelText } from './format.ts';
import { niceCeil } from './shared/niceScale.ts';
import { logFloor, logHistogram, logMagnitude } from './logAxis.ts';
import { ChartCard } from './shared/ChartCard.tsx';

const W = 300;
const H = 150;
const M = { left: 34, right: 34, top: 8, bottom: 18 };
const PLOT_W = W - M.left - M.right;
const PLOT_H = H - M.top - M.bottom;

const num = (v: number): string => (v === 0 ? '0' : String(Number(v.toPrecision(3))));
const count = (v: number): string => (v >= 10_000 ? `${Number((v / 1000).toPrecision(3))}k` : String(v));

/** Bins of the free weights on the log axis. */
const LOG_BINS = 64;

/**
 * Geometry of one layer's chart: SVG path strings and axis ticks; computed once per shown round.
 * `log`: the x axis is sign · log2 |w| (logAxis.ts), on which the levels are evenly spaced, and the
 * free weights are binned on it here from the snapshot's weights (one pass, about a millisecond for fc1).
 */
function chartGeometry(info: LayerInfo, snap: LayerSnapshot, log: boolean) {
  const top = 2 ** info.n1;
  const { m, sx, su, floor } = histogramAxis(info, snap, log);
  const base = M.top + PLOT_H;

  const hist = log ? logHistogram(snap.weights, snap.frozenRound, floor, m, LOG_BINS) : snap.freeHistogram;
  const [lo, hi] = log ? [-m, m] : [snap.histMin, snap.histMax];
  const place = log ? su : sx;
  const bins = hist.length;
  const freeCount = info.size - snap.frozenCount;
  let freeMax = 0;
  for (let k = 0; k < bins; k++) freeMax = Math.max(freeMax, hist[k]);
  const freeTop = niceCeil(freeMax);
  let freePath = '';
  if (freeCount > 0 && bins > 0 && freeMax > 0) {
    const w = (hi - lo) / bins;
    const sy = (c: number): number => base - (c / freeTop) * PLOT_H;
    const parts = [`M${place(lo).toFixed(1)},${base}`];
    for (let k = 0; k < bins; k++) {
      const y = sy(hist[k]).toFixed(1);
      parts.push(`V${y}H${place(lo + (k + 1) * w).toFixed(1)}`);
    }
    parts.push(`V${base}Z`);
    freePath = parts.join('');
  }

  let frozenMax = 0;
  for (let k = 0; k < snap.levelCounts.length; k++) frozenMax = Math.max(frozenMax, snap.levelCounts[k]);
  const frozenTop = niceCeil(frozenMax);
  const spikes: { x: number; y: number; level: number; count: number }[] = [];
  for (let k = 0; k < info.levels.length; k++) {
    const c = snap.levelCounts[k];
    if (!c) continue;
    spikes.push({ x: sx(info.levels[k]), y: base - (c / frozenTop) * PLOT_H, level: info.levels[k], count: c });
  }
  const spikePath = spikes.map((s) => `M${s.x.toFixed(1)},${base}V${s.y.toFixed(1)}`).join('');

  // Levels finer than the chart can show are left unmarked (2^n2 may be far below a pixel; never on the log axis).
  const marks = Array.from(info.levels).filter((l) => l !== 0 && (log || Math.abs(l) >= m / 80));
  const markPath = marks.map((l) => `M${sx(l).toFixed(1)},${M.top}V${base}`).join('');

  // The log axis names its ends and 0 (the levels between are one step apart, marked by the dashed lines).
  const xTicks = log
    ? [-top, 0, top].map((v) => ({ x: sx(v), label: v === 0 ? '0' : levelText(v).replace('+', '') }))
    : [-top, -top / 2, 0, top / 2, top].map((v) => ({ x: sx(v), label: num(v) }));
  // An axis with nothing on it gets no numbers (no free weights after the last round, none frozen before the first).
  const yTicks = [0, 0.5, 1].map((f) => ({ y: base - f * PLOT_H, free: freeMax > 0 ? count(f * freeTop) : '', frozen: frozenMax > 0 ? count(f * frozenTop) : '' }));
  return { freePath, spikePath, spikes, markPath, xTicks, yTicks, base, freeCount };
}

/**
 * The x axis of one layer's chart: where a weight value lands (`sx`, in the SVG's viewBox units), on
 * the linear or the log-magnitude axis; shared with the snap animation drawn over the chart.
 */
export function histogramAxis(info: LayerInfo, snap: Pick<LayerSnapshot, 'histMin' | 'histMax'>, log: boolean) {
  const top = 2 ** info.n1;
  const floor = logFloor(info.levels);
  const at = (v: number): number => (log ? logMagnitude(v, floor) : v);
  const levelU = Array.from(info.levels, (l) => Math.abs(at(l)));
  const m = log
    ? Math.max(...levelU, Math.abs(at(snap.histMin)), Math.abs(at(snap.histMax))) + 0.5
    : Math.max(Math.abs(snap.histMin), Math.abs(snap.histMax), top) * 1.05;
  const su = (u: number): number => M.left + ((u + m) / (2 * m)) * PLOT_W;
  const sx = (v: number): number => su(at(v));
  return { at, m, sx, su, floor };
}

/** The histogram's viewBox and plot area, for what is drawn over it. */
export const HISTOGRAM_BOX = { width: W, height: H, margin: M, plotWidth: PLOT_W, plotHeight: PLOT_H } as const;

/** One layer's chart, updated in its own slot after the shown round changes. */
const LayerHistogram = memo(function LayerHistogram({ info, snap: latest, slot, log }: { info: LayerInfo; snap: LayerSnapshot; slot: number; log: boolean }) {
  const snap = useStaggered(latest, slot, 'histogram');
  return snap ? <HistogramFigure info={info} snap={snap} log={log} /> : <figure className="chart-card chart-pending" data-testid={`histogram-${info.name}`} />;
});

/** The figure itself; memoised on the snapshot so progress updates never redraw it. */
export const HistogramFigure = memo(function HistogramFigure({ info, snap, log, children }: { info: LayerInfo; snap: LayerSnapshot; log: boolean; children?: ReactNode }) {
  const g = useMemo(() => chartGeometry(info, snap, log), [info, snap, log]);
  const frozenPct = (100 * snap.frozenCount) / info.size;
  return (
    <figure className="chart-card" data-testid={`histogram-${info.name}`} data-frozen={snap.frozenCount} data-axis={log ? 'log' : 'linear'}>
      <figcaption>
        <strong>{info.name}</strong> · {frozenPct.toFixed(1)} % frozen · n1 = {info.n1}, n2 = {info.n2}
        <span className="sub">
          levels 0, ±2^{info.n2} … ±2^{info.n1} (largest {num(2 ** info.n1)})
        </span>
      </figcaption>
      <div className="hist-wrap">
        <svg className="hist" viewBox={`0 0 ${W} ${H}`} role="img" aria-label={`${info.name}: ${g.freeCount} free weights, ${snap.frozenCount} frozen on ${g.spikes.length} levels`}>
          <path d={g.markPath} stroke={COLORS.level} strokeOpacity={0.6} strokeDasharray="2 3" fill="none" />
          {g.freePath && <path d={g.freePath} fill={COLORS.free} fillOpacity={0.6} stroke={COLORS.free} strokeWidth={0.8} />}
          <path d={g.spikePath} stroke={COLORS.frozen} strokeWidth={2} fill="none" />
          {g.spikes.map((s) => (
            <circle key={s.level} cx={s.x} cy={s.y} r={2.5} fill={COLORS.frozen}>
              <title>{`level ${num(s.level)} (${levelText(s.level)}): ${s.count} frozen weights`}</title>
            </circle>
          ))}
          <line x1={M.left} x2={W - M.right} y1={g.base} y2={g.base} stroke={COLORS.axis} />
          {g.xTicks.map((t) => (
            <text key={t.x} x={t.x} y={H - 4} textAnchor="middle" className="tick" fill={COLORS.tick}>
              {t.label}
            </text>
          ))}
          {g.yTicks.map((t) => (
            <g key={t.y}>
              <text x={M.left - 4} y={t.y + 3} textAnchor="end" className="tick" fill={COLORS.free}>
                {t.free}
              </text>
              <text x={W - M.right + 4} y={t.y + 3} textAnchor="start" className="tick" fill={COLORS.frozen}>
                {t.frozen}
              </text>
            </g>
          ))}
        </svg>
        {children}
      </div>
    </figure>
  );
});

/** Every layer's histogram for the shown round. */
export function WeightHistograms() {
  const layers = usePlayground((s) => s.layers);
  const result = useShownResult();
  // A way of looking, not run state: kept in the card.
  const [log, setLog] = useState(false);
  return (
    <ChartCard
      className="wide"
      title="Weight histograms"
      chart="weight histograms"
      file="histograms"
      empty={!result}
      caption={
        <>
          <span className="swatch" style={{ background: COLORS.free }} /> Free weights (still float, re-trained) as bars, counts on the left.{' '}
          <span className="swatch" style={{ background: COLORS.frozen }} /> Frozen weights as spikes on their levels, counts on the right.{' '}
          <span className="swatch" style={{ background: COLORS.level }} /> Dashed lines mark the levels ±2^n1 … ±2^n2. Watch the free distribution re-shape
          itself around the gap left by the frozen large weights. On the log-magnitude axis (sign · log2 |w|) the levels are evenly spaced; weights too small
          for the smallest level sit at 0.{' '}
          <label className="checkbox inline-toggle">
            <input type="checkbox" checked={log} onChange={(e) => setLog(e.target.checked)} /> Log-magnitude axis
          </label>
        </>
      }
    >
      {!result ? (
        <p className="hint">Run INQ: each round's histograms appear here.</p>
      ) : (
        <div className="chart-grid">
          {layers.map((info, i) => {
            const snap = result.layers.find((l) => l.name === info.name);
            return snap ? <LayerHistogram key={info.name} info={info} snap={snap} slot={SLOTS.histograms + i} log={log} /> : null;
          })}
        </div>
      )}
    </ChartCard>
  );
}
