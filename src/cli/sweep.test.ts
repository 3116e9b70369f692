/**
 * `inq sweep` end to end on real MNIST with the committed LeNet-5 (cpu backend, tiny subsets): one
 * JSON row per bit-width, in order, with the numbers that row claims; bad combinations are refused
 * before any training starts.
 */
import { describe, expect, it } from 'vitest';
import { sweepCommand, type SweepRow } from './sweep.ts';

const TINY = ['--train-size', '64', '--test-size', '60', '--schedule', '0.5,1', '--backend', 'cpu', '--json'];

describe('inq sweep', () => {
  it('prints one JSON row per bit-width with its schedule, levels-only weights and delta in points', async () => {
    const lines: string[] = [];
    await sweepCommand(['--bits', '3,6', ...TINY], (l) => lines.push(l));
    const rows = lines.map((l) => JSON.parse(l) as SweepRow);
    expect(rows.map((r) => r.bits)).toEqual([3, 6]);
    for (const r of rows) {
      expect(r.strategy).toBe('magnitude');
      expect(r.schedule).toEqual([0.5, 1]);
      expect(r.allLevels).toBe(true);
      expect(r.floatAccuracy).toBe(rows[0].floatAccuracy);
      expect(r.accuracy).toBeGreaterThan(0.5);
      expect(r.deltaPoints).toBeCloseTo((r.accuracy - r.floatAccuracy) * 100, 6);
      // Rounded: no float noise in the printed figure.
      expect(String(r.deltaPoints).length).toBeLessThanOrEqual(10);
      expect(r.packedBytes).toBeLessThan(r.floatBytes);
    }
    // More bits, more bytes.
    expect(rows[1].packedBytes).toBeGreaterThan(rows[0].packedBytes);
  }, 120_000);

  it('refuses an ensemble over several bit-widths and an unknown strategy, before training', async () => {
    const lines: string[] = [];
    await expect(sweepCommand(['--ensemble', '1..3', '--bits', '3,5', ...TINY], (l) => lines.push(l))).rejects.toThrow('--ensemble takes a single --bits value');
    await expect(sweepCommand(['--strategies', 'magnitude,biggest', ...TINY], (l) => lines.push(l))).rejects.toThrow('--strategies: "biggest" is not one of');
    expect(lines).toEqual([]);
  });
});
