/** What the compare view draws, from saved runs' metadata: one accuracy curve per run, the float baselines, the axes (pure, cheap). */
import type { RunMeta } from '../store/runsDb.ts';
import { pct } from './format.ts';

/** One colour per compared run, in the order ticked (distinct in hue and lightness; none is the baseline's grey). */
export const RUN_COLORS = ['#1f6feb', '#e8590c', '#2b8a3e', '#9c36b5', '#c9a227', '#0b7285', '#c2255c', '#5c3d2e'] as const;

/** Colour of the i-th compared run. */
export function runColor(i: number): string {
  return RUN_COLORS[i % RUN_COLORS.length];
}

/** One run's curve: accuracy (in %) after each completed round. */
export interface CompareSeries {
  id: string;
  name: string;
  color: string;
  points: { x: number; y: number; title: string }[];
}

/** A dashed float-model line shared by the runs evaluated on the same test subset. */
export interface Baseline {
  y: number;
  label: string;
  runs: string[];
}

/** Everything the chart needs. */
export interface CompareChart {
  series: CompareSeries[];
  baselines: Baseline[];
  yDomain: [number, number];
  /** Most rounds any compared run's schedule has. */
  maxRounds: number;
}

/** Builds the overlaid chart for `runs` (in tick order). */
export function compareChart(runs: readonly RunMeta[]): CompareChart {
  const series: CompareSeries[] = runs.map((r, i) => ({
    id: r.id,
    name: r.name,
    color: runColor(i),
    points: r.history.map((p) => ({ x: p.round, y: 100 * p.accuracy, title: `${r.name}, round ${p.round} (${pct(p.portion)} frozen): ${pct(p.accuracy, 2)}` })),
  }));
  // Runs on the same test subset share one float accuracy: one dashed line for them all.
  const byValue = new Map<string, Baseline>();
  for (const r of runs) {
    if (r.floatAccuracy === null) continue;
    const key = r.floatAccuracy.toFixed(6);
    const b = byValue.get(key);
    if (b) b.runs.push(r.name);
    else byValue.set(key, { y: 100 * r.floatAccuracy, label: `float ${pct(r.floatAccuracy)}`, runs: [r.name] });
  }
  const baselines = [...byValue.values()];
  if (baselines.length > 1) for (const b of baselines) b.label = `${b.label} (${b.runs.join(', ')})`;
  const vals = [...series.flatMap((s) => s.points.map((p) => p.y)), ...baselines.map((b) => b.y)];
  let yDomain: [number, number] = [0, 100];
  if (vals.length > 0) {
    const lo = Math.min(...vals);
    const hi = Math.max(...vals);
    const pad = Math.max(0.5, (hi - lo) * 0.15);
    yDomain = [Math.max(0, Math.floor(lo - pad)), Math.min(100, Math.ceil(hi + pad))];
  }
  const maxRounds = Math.max(1, ...runs.map((r) => r.config.schedule.length), ...runs.flatMap((r) => r.history.map((p) => p.round)));
  return { series, baselines, yDomain, maxRounds };
}

/** About `max` whole-number ticks from 1 to `last`. */
export function roundTicks(last: number, max = 12): number[] {
  const step = Math.max(1, Math.ceil(last / max));
  const t: number[] = [];
  for (let k = 1; k <= last; k += step) t.push(k);
  return t;
}
