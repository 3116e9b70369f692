/** What the compare view draws, from saved runs' metadata: one accuracy curve per run, the float baselines, the axes (pure, cheap). */
import type { RunMeta } from '../store/runsDb.ts';
import { runColor } from './colors.ts';
import { pct } from './format.ts';
import { paddedPercentDomain } from './shared/niceScale.ts';

/** One run's curve: accuracy (in %) after each completed round. */
export interface CompareSeries {
  id: string;
  name: string;
  color: string;
  points: { x: number; y: number }[];
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
    points: r.history.map((p) => ({ x: p.round, y: 100 * p.accuracy })),
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
  const yDomain = paddedPercentDomain([...series.flatMap((s) => s.points.map((p) => p.y)), ...baselines.map((b) => b.y)]);
  const maxRounds = Math.max(1, ...runs.map((r) => r.config.schedule.length), ...runs.flatMap((r) => r.history.map((p) => p.round)));
  return { series, baselines, yDomain, maxRounds };
}
