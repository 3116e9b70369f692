import { describe, expect, it } from 'vitest';
import { bitsSummary } from './sweepSummary.ts';
import { meanInterval } from '../inq/stats.ts';
import { createRng } from '../inq/rng.ts';
import type { SweepRow } from '../store/sweepStore.ts';

function row(bits: number, strategy: SweepRow['strategy'], seed: number, accuracy: number): SweepRow {
  return { bits, strategy, seed, accuracy, runId: `r-${strategy}-${bits}-${seed}`, floatAccuracy: 0.92, packedBytes: 1, floatBytes: 4 };
}

describe('bitsSummary', () => {
  it('folds random rows per partition and bit-width into the mean and t interval of their seeds, in order', () => {
    const rng = createRng(8);
    const rows: SweepRow[] = [];
    for (const strategy of ['random', 'magnitude'] as const) for (let bits = 8; bits >= 2; bits--) for (let seed = 3; seed < 6; seed++) rows.push(row(bits, strategy, seed, 0.85 + rng.next() * 0.1));
    // Shuffled arrival order must not matter.
    rows.sort(() => rng.next() - 0.5);
    const out = bitsSummary(rows);
    expect(out.map((p) => `${p.strategy}-${p.bits}`)).toEqual([...[2, 3, 4, 5, 6, 7, 8].map((b) => `magnitude-${b}`), ...[2, 3, 4, 5, 6, 7, 8].map((b) => `random-${b}`)]);
    for (const p of out) {
      const accs = rows.filter((r) => r.strategy === p.strategy && r.bits === p.bits).map((r) => r.accuracy);
      const want = meanInterval(accs, [0, 1]);
      expect(p.seeds.slice().sort()).toEqual([3, 4, 5]);
      expect(p.mean).toBeCloseTo(want.mean, 12);
      expect(p.interval).toEqual(want.interval);
      expect(p.interval?.[0]).toBeLessThan(p.mean);
      expect(p.floatAccuracy).toBeCloseTo(0.92, 12);
    }
  });

  it('gives one seed its own value and no interval', () => {
    expect(bitsSummary([row(4, 'magnitude', 1, 0.97)])).toEqual([{ model: '', strategy: 'magnitude', bits: 4, seeds: [1], mean: 0.97, interval: null, floatAccuracy: 0.92 }]);
    expect(bitsSummary([])).toEqual([]);
  });

  it('keeps two models apart, in the order they ran, each against its own float', () => {
    const rows: SweepRow[] = [
      { ...row(2, 'magnitude', 3, 0.898), model: 'mlp-overfit', floatAccuracy: 0.9218 },
      { ...row(2, 'magnitude', 4, 0.897), model: 'mlp-overfit', floatAccuracy: 0.9218 },
      { ...row(2, 'magnitude', 1, 0.913), model: 'lenet5', floatAccuracy: 0.9907 },
      { ...row(3, 'magnitude', 1, 0.982), model: 'lenet5', floatAccuracy: 0.9907 },
    ];
    const out = bitsSummary(rows);
    expect(out.map((p) => [p.model, p.bits, p.seeds.length, p.floatAccuracy])).toEqual([
      ['mlp-overfit', 2, 2, 0.9218],
      ['lenet5', 2, 1, 0.9907],
      ['lenet5', 3, 1, 0.9907],
    ]);
    expect(out[0].mean).toBeCloseTo(0.8975, 12);
  });
});
