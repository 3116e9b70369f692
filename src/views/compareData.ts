/**
 * What the saved-runs list and the compare view show, from saved runs' metadata: entries (a run, or a
 * repeat's runs as one), one accuracy curve per entry (a repeat: its mean with a 95 % band), the float
 * baselines, the axes, the CSV and the paired tests (pure, cheap).
 */
import type { RunMeta } from '../store/runsDb.ts';
import type { RunPredictions } from '../engine/results.ts';
import { formatSchedule } from '../inq/schedule.ts';
import { comparePaired, meanInterval, wilsonInterval, type PairedComparison } from '../inq/stats.ts';
import { runColor } from './colors.ts';
import { pct } from './format.ts';
import { paddedPercentDomain } from './shared/niceScale.ts';

/** A saved run, or the runs of one repeat (Repeat ×N: one configuration, N seeds) taken as one. */
export interface RunEntry {
  /** What a tick for comparison names: the run's id, or the repeat's group. */
  id: string;
  /** The run's name; a repeat: its first run's name and ×N. */
  name: string;
  /** The run, or the repeat's runs saved so far, in seed order. */
  runs: RunMeta[];
  /** Seeds the repeat was started with (1 for a run). */
  of: number;
}

/** Saved runs as entries, in the order given (each repeat where its first-listed run is). */
export function runEntries(runs: readonly RunMeta[]): RunEntry[] {
  const out: RunEntry[] = [];
  const groups = new Map<string, RunEntry>();
  for (const r of runs) {
    if (!r.repeat) {
      out.push({ id: r.id, name: r.name, runs: [r], of: 1 });
      continue;
    }
    const g = groups.get(r.repeat.group);
    if (g) g.runs.push(r);
    else {
      const e: RunEntry = { id: r.repeat.group, name: '', runs: [r], of: r.repeat.of };
      groups.set(r.repeat.group, e);
      out.push(e);
    }
  }
  for (const g of groups.values()) {
    g.runs.sort((a, b) => (a.repeat?.index ?? 0) - (b.repeat?.index ?? 0));
    g.name = `${g.runs[0].name} ×${g.of}`;
  }
  return out;
}

/** Whether the entry is a repeat (several seeds), not one run. */
export const isRepeat = (e: RunEntry): boolean => e.of > 1;

/** An entry's final accuracy: a run's own; a repeat's mean over its finished runs, with the 95 % t interval and the spread. */
export interface EntryFinal {
  /** Finished runs' final accuracies, in seed order. */
  finals: number[];
  mean: number | null;
  /** 95 % t interval of the mean (repeats with 2 or more finished runs), else null. */
  interval: [number, number] | null;
  /** Lowest and highest final accuracy (repeats), else null. */
  spread: [number, number] | null;
}

/** The final accuracy of an entry (see EntryFinal). */
export function entryFinal(e: RunEntry): EntryFinal {
  const finals = e.runs.map((r) => r.finalAccuracy).filter((a): a is number => a !== null);
  if (finals.length === 0) return { finals, mean: null, interval: null, spread: null };
  if (!isRepeat(e)) return { finals, mean: finals[0], interval: null, spread: null };
  const s = meanInterval(finals, [0, 1]);
  return { finals, mean: s.mean, interval: s.interval, spread: [Math.min(...finals), Math.max(...finals)] };
}

/** Accuracy after round k: a run's; a repeat's mean over the runs that reached it, with its 95 % t interval (null below 2 runs). */
export function entryRound(e: RunEntry, k: number): { accuracy: number; portion: number; interval: [number, number] | null; n: number } | null {
  const points = e.runs.map((r) => r.history.find((h) => h.round === k)).filter((p): p is NonNullable<typeof p> => p !== undefined);
  if (points.length === 0) return null;
  const s = meanInterval(points.map((p) => p.accuracy), [0, 1]);
  return { accuracy: s.mean, portion: points[0].portion, interval: isRepeat(e) ? s.interval : null, n: points.length };
}

/** One entry's curve: accuracy (in %) after each completed round (a repeat: the mean, and its 95 % band). */
export interface CompareSeries {
  id: string;
  name: string;
  color: string;
  points: { x: number; y: number }[];
  band?: { x: number; lo: number; hi: number }[];
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

/** Builds the overlaid chart for `entries` (in tick order). */
export function compareChart(entries: readonly RunEntry[]): CompareChart {
  const series: CompareSeries[] = entries.map((e, i) => {
    const rounds = Math.max(0, ...e.runs.map((r) => r.config.schedule.length), ...e.runs.flatMap((r) => r.history.map((p) => p.round)));
    const at = Array.from({ length: rounds }, (_, k) => ({ x: k + 1, p: entryRound(e, k + 1) }));
    const points = at.flatMap(({ x, p }) => (p ? [{ x, y: 100 * p.accuracy }] : []));
    const band = at.flatMap(({ x, p }) => (p?.interval ? [{ x, lo: 100 * p.interval[0], hi: 100 * p.interval[1] }] : []));
    return { id: e.id, name: isRepeat(e) ? `${e.name} (mean, 95 % band)` : e.name, color: runColor(i), points, ...(isRepeat(e) ? { band } : {}) };
  });
  // Runs on the same test subset share one float accuracy: one dashed line for them all.
  const byValue = new Map<string, Baseline>();
  for (const e of entries) {
    const r = { ...e.runs[0], name: e.name };
    if (r.floatAccuracy === null) continue;
    const key = r.floatAccuracy.toFixed(6);
    const b = byValue.get(key);
    if (b) b.runs.push(r.name);
    else byValue.set(key, { y: 100 * r.floatAccuracy, label: `float ${pct(r.floatAccuracy)}`, runs: [r.name] });
  }
  const baselines = [...byValue.values()];
  if (baselines.length > 1) for (const b of baselines) b.label = `${b.label} (${b.runs.join(', ')})`;
  const yDomain = paddedPercentDomain([...series.flatMap((s) => [...s.points.map((p) => p.y), ...(s.band ?? []).flatMap((b) => [b.lo, b.hi])]), ...baselines.map((b) => b.y)]);
  const runs = entries.flatMap((e) => e.runs);
  const maxRounds = Math.max(1, ...runs.map((r) => r.config.schedule.length), ...runs.flatMap((r) => r.history.map((p) => p.round)));
  return { series, baselines, yDomain, maxRounds };
}

/** The compare table's CSV header: a run's configuration, its sizes and seed, then its accuracies with intervals. */
export const COMPARE_CSV_HEADER = [
  'name',
  'repeat',
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
 * The ticked entries as CSV, one row per run in tick order: configuration, seed and test size, the
 * final accuracy with its 95 % Wilson interval on the run's test images (how far one run's figure
 * can move by chance alone), and the accuracy after each round (`round_1` …, empty where a run has
 * fewer rounds). A repeat's runs carry its name in `repeat`, and a row `<name> mean` follows them:
 * the seeds, the mean final accuracy with its 95 % t interval over the seeds, and the mean per round.
 */
export function compareToCsv(entries: readonly RunEntry[]): string {
  const runs = entries.flatMap((e) => e.runs);
  const maxRounds = runs.reduce((m, r) => Math.max(m, r.config.schedule.length), 0);
  const rounds = Array.from({ length: maxRounds }, (_, i) => i + 1);
  const lines = [[...COMPARE_CSV_HEADER, ...rounds.map((k) => `round_${k}`)].join(',')];
  const settings = (r: RunMeta): (string | number | null)[] => {
    const c = r.config;
    return [r.modelName, c.bits, c.levels ?? 'pow2', formatSchedule(c.schedule), c.strategy, c.epochsPerRound, c.learningRate, c.optimizer, c.momentum, c.weightDecay, c.batchSize];
  };
  for (const e of entries) {
    for (const r of e.runs) {
      const final = r.finalAccuracy;
      const ci = final === null ? null : wilsonInterval(Math.round(final * r.testSize), r.testSize);
      const delta = final !== null && r.floatAccuracy !== null ? 100 * (final - r.floatAccuracy) : null;
      const [model, ...rest] = settings(r);
      const row: (string | number | null)[] = [
        r.name,
        isRepeat(e) ? e.name : '',
        model,
        r.status,
        ...rest,
        r.config.seed,
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
    if (!isRepeat(e)) continue;
    const first = e.runs[0];
    const f = entryFinal(e);
    const [model, ...rest] = settings(first);
    const row: (string | number | null)[] = [
      `${e.name} mean`,
      e.name,
      model,
      `${f.finals.length} of ${e.of} seeds finished`,
      ...rest,
      e.runs.map((r) => r.config.seed).join(' '),
      first.trainSize,
      first.testSize,
      first.floatAccuracy,
      f.mean,
      f.interval ? f.interval[0] : null,
      f.interval ? f.interval[1] : null,
      f.mean !== null && first.floatAccuracy !== null ? 100 * (f.mean - first.floatAccuracy) : null,
      first.packedBytes,
      null,
      null,
      ...rounds.map((k) => entryRound(e, k)?.accuracy ?? null),
    ];
    lines.push(row.map(csvField).join(','));
  }
  return `${lines.join('\r\n')}\r\n`;
}

/** One pair of ticked entries, compared image by image, or why they cannot be. */
export interface PairRow {
  a: RunEntry;
  b: RunEntry;
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

/**
 * Every pair of ticked entries (in tick order), with McNemar's exact test and the paired interval
 * where both are single runs with answers on the same images. A repeat is judged by its mean and
 * interval over seeds instead (the table), not image by image.
 */
export function pairedComparisons(entries: readonly RunEntry[]): PairRow[] {
  const rows: PairRow[] = [];
  for (let i = 0; i < entries.length; i++) {
    for (let j = i + 1; j < entries.length; j++) {
      const [a, b] = [entries[i], entries[j]];
      const repeats = [a, b].filter(isRepeat).map((e) => e.name);
      if (repeats.length) {
        rows.push({ a, b, result: null, reason: `${repeats.join(' and ')} ${repeats.length === 1 ? 'is a repeat' : 'are repeats'}: compare by the mean and 95 % interval over seeds in the table above` });
        continue;
      }
      const [ra, rb] = [a.runs[0], b.runs[0]];
      const missing = [ra, rb].filter((r) => !r.predictions).map((r) => r.name);
      let reason: string | null = null;
      if (missing.length) reason = `${missing.join(' and ')} ${missing.length === 1 ? 'has' : 'have'} no saved answers (not finished, or saved by an older version)`;
      else if (!sameImages(ra, rb)) reason = `scored on different test images (${ra.testSize} and ${rb.testSize}${ra.modelName !== rb.modelName ? `, ${ra.modelName} and ${rb.modelName}` : ''}): no paired test`;
      const pa = ra.predictions;
      const pb = rb.predictions;
      rows.push({ a, b, result: reason || !pa || !pb ? null : comparePaired(pa.classes, pb.classes, pa.labels), reason });
    }
  }
  return rows;
}
