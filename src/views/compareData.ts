/** What the compare view draws, from saved runs' metadata: one accuracy curve per run, the float baselines, the axes (pure, cheap). */
import type { RunMeta } from '../store/runsDb.ts';
import type { RunPredictions } from '../engine/results.ts';
import { formatSchedule } from '../inq/schedule.ts';
import { comparePaired, wilsonInterval, type PairedComparison } from '../inq/stats.ts';
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

/** The compare table's CSV header: a run's configuration, its sizes and seed, then its accuracies with intervals. */
export const COMPARE_CSV_HEADER = [
  'name',
  'model',
  'status',
  'bits',
  'levels',
  'schedule',
  'strategy',
  'epochs_per_round',
  'learning_rate',
  'optimizer',
  'momentum',
  'weight_decay',
  'batch_size',
  'seed',
  'train_size',
  'test_size',
  'float_accuracy',
  'final_accuracy',
  'final_ci95_low',
  'final_ci95_high',
  'final_minus_float_points',
  'packed_bytes',
  'answers_images',
  'answers_accuracy',
] as const;

/** Share of a run's saved answers that match their labels (its final model's accuracy on those images). */
export function answersAccuracy(a: RunPredictions): number {
  let right = 0;
  for (let i = 0; i < a.labels.length; i++) if (a.classes[i] === a.labels[i]) right++;
  return a.labels.length ? right / a.labels.length : NaN;
}

/** A CSV field: numbers at full precision (empty when unknown), text quoted when it must be (RFC 4180). */
function csvField(v: string | number | null): string {
  if (v === null) return '';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '';
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/**
 * The ticked runs as CSV, one row per run in tick order: configuration, seed and test size, the
 * final accuracy with its 95 % Wilson interval on the run's test images (how far one run's figure
 * can move by chance alone), and the accuracy after each round (`round_1` …, empty where a run has
 * fewer rounds).
 */
export function compareToCsv(runs: readonly RunMeta[]): string {
  const maxRounds = runs.reduce((m, r) => Math.max(m, r.config.schedule.length), 0);
  const rounds = Array.from({ length: maxRounds }, (_, i) => i + 1);
  const lines = [[...COMPARE_CSV_HEADER, ...rounds.map((k) => `round_${k}`)].join(',')];
  for (const r of runs) {
    const c = r.config;
    const final = r.finalAccuracy;
    const ci = final === null ? null : wilsonInterval(Math.round(final * r.testSize), r.testSize);
    const delta = final !== null && r.floatAccuracy !== null ? 100 * (final - r.floatAccuracy) : null;
    const row: (string | number | null)[] = [
      r.name,
      r.modelName,
      r.status,
      c.bits,
      c.levels ?? 'pow2',
      formatSchedule(c.schedule),
      c.strategy,
      c.epochsPerRound,
      c.learningRate,
      c.optimizer,
      c.momentum,
      c.weightDecay,
      c.batchSize,
      c.seed,
      r.trainSize,
      r.testSize,
      r.floatAccuracy,
      final,
      ci ? ci[0] : null,
      ci ? ci[1] : null,
      delta,
      r.packedBytes,
      r.predictions ? r.predictions.labels.length : null,
      r.predictions ? answersAccuracy(r.predictions) : null,
      ...rounds.map((k) => r.history.find((h) => h.round === k)?.accuracy ?? null),
    ];
    lines.push(row.map(csvField).join(','));
  }
  return `${lines.join('\r\n')}\r\n`;
}

/** One pair of ticked runs, compared image by image, or why they cannot be. */
export interface PairRow {
  a: RunMeta;
  b: RunMeta;
  result: PairedComparison | null;
  /** Why there is no result (not finished, saved before answers were kept, other test images). */
  reason: string | null;
}

/** Whether two runs were scored on the same images: same dataset and test size, the same labels in the same order. */
function sameImages(a: RunMeta, b: RunMeta): boolean {
  const pa = a.predictions;
  const pb = b.predictions;
  if (!pa || !pb || a.testSize !== b.testSize || a.modelName !== b.modelName) return false;
  for (let i = 0; i < pa.labels.length; i++) if (pa.labels[i] !== pb.labels[i]) return false;
  return true;
}

/** Every pair of ticked runs (in tick order), with McNemar's exact test and the paired interval where both have answers on the same images. */
export function pairedComparisons(runs: readonly RunMeta[]): PairRow[] {
  const rows: PairRow[] = [];
  for (let i = 0; i < runs.length; i++) {
    for (let j = i + 1; j < runs.length; j++) {
      const [a, b] = [runs[i], runs[j]];
      const missing = [a, b].filter((r) => !r.predictions).map((r) => r.name);
      let reason: string | null = null;
      if (missing.length) reason = `${missing.join(' and ')} ${missing.length === 1 ? 'has' : 'have'} no saved answers (not finished, or saved by an older version)`;
      else if (!sameImages(a, b)) reason = `scored on different test images (${a.testSize} and ${b.testSize}${a.modelName !== b.modelName ? `, ${a.modelName} and ${b.modelName}` : ''}): no paired test`;
      const pa = a.predictions;
      const pb = b.predictions;
      rows.push({ a, b, result: reason || !pa || !pb ? null : comparePaired(pa.classes, pb.classes, pa.labels), reason });
    }
  }
  return rows;
}
