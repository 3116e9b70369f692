/**
 * A bit-width sweep's rows folded per configuration (model, partition, bits): the seeds' mean final
 * accuracy and its 95 % t interval.
 */
import { meanInterval } from '../inq/stats.ts';
import type { SweepRow } from '../store/sweepStore.ts';

/** One bit-width (and partition, and model) of a sweep, over however many of its seeds have finished. */
export interface BitsPoint {
  /** The pre-trained model ('' when the rows do not say). */
  model: string;
  strategy: SweepRow['strategy'];
  bits: number;
  seeds: number[];
  mean: number;
  /** 95 % t interval of the mean (null for one seed). */
  interval: [number, number] | null;
  /** The float model's accuracy on the same test images (the mean over the seeds' runs; each run scores the same model). */
  floatAccuracy: number;
}

/** Rows grouped by model (in the order the models first appear), then partition, then bits. */
export function bitsSummary(rows: readonly SweepRow[]): BitsPoint[] {
  const groups = new Map<string, SweepRow[]>();
  const modelOrder = new Map<string, number>();
  for (const r of rows) {
    const model = r.model ?? '';
    if (!modelOrder.has(model)) modelOrder.set(model, modelOrder.size);
    const key = `${model}|${r.strategy}|${r.bits}`;
    const g = groups.get(key);
    if (g) g.push(r);
    else groups.set(key, [r]);
  }
  return [...groups.values()]
    .map((g): BitsPoint => {
      const s = meanInterval(
        g.map((r) => r.accuracy),
        [0, 1],
      );
      return {
        model: g[0].model ?? '',
        strategy: g[0].strategy,
        bits: g[0].bits,
        seeds: g.map((r) => r.seed),
        mean: s.mean,
        interval: s.interval,
        floatAccuracy: g.reduce((a, r) => a + r.floatAccuracy, 0) / g.length,
      };
    })
    .sort((a, b) => (modelOrder.get(a.model) ?? 0) - (modelOrder.get(b.model) ?? 0) || a.strategy.localeCompare(b.strategy) || a.bits - b.bits);
}
