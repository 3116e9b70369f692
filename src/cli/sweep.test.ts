/**
 * `inq sweep` end to end on real MNIST with the committed LeNet-5 (cpu backend, tiny subsets): one
 * JSON row per bit-width, in order, with the numbers that row claims; bad combinations are refused
 * before any training starts.
 */
import { describe, expect, it } from 'vitest';
import { presetPartValues, sweepCommand, type SweepRow, type SweepSummary } from './sweep.ts';
import { sweepPresetById } from '../engine/presets.ts';

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

  it('--repeat N --final-test-size M: each bit-width from N seeds on the same --train-seed subset, then its mean and t interval on M images', async () => {
    const lines: string[] = [];
    // wasm: the cpu backend would take most of a minute here.
    await sweepCommand(['--bits', '4', '--repeat', '2', '--final-test-size', '100', '--train-seed', '9', '--seed', '3', ...TINY, '--backend', 'wasm'], (l) => lines.push(l));
    const out = lines.map((l) => JSON.parse(l) as SweepRow | SweepSummary);
    expect(out).toHaveLength(3);
    const [a, b, sum] = out as [SweepRow, SweepRow, SweepSummary];
    expect([a.seed, b.seed]).toEqual([3, 4]);
    expect(a.testSize).toBe(100);
    expect(a.floatAccuracy).toBe(b.floatAccuracy);
    expect(sum).toMatchObject({ summary: true, model: 'lenet5', bits: 4, seeds: [3, 4], accuracies: [a.accuracy, b.accuracy], testSize: 100 });
    expect(sum.meanAccuracy).toBeCloseTo((a.accuracy + b.accuracy) / 2, 12);
    expect(sum.interval?.[0]).toBeLessThanOrEqual(sum.meanAccuracy);
  }, 120_000);

  it('--preset regulariser: its parts as options (the over-fitting model re-trains on its own subset), and no --model beside it', async () => {
    const preset = sweepPresetById('regulariser');
    if (!preset) throw new Error('no regulariser preset');
    expect(presetPartValues(preset.parts[0], preset)).toMatchObject({ model: 'mlp-overfit', bits: '2,3,4,5,6,7,8', repeat: '3', 'final-test-size': '10000', 'train-size': '1000', 'train-seed': '3' });
    expect(presetPartValues(preset.parts[1], preset)).toMatchObject({ model: 'lenet5', 'train-size': '6000' });
    expect(presetPartValues(preset.parts[1], preset)['train-seed']).toBeUndefined();
    await expect(sweepCommand(['--preset', 'regulariser', '--model', 'lenet5'])).rejects.toThrow(/sets the models/);
    await expect(sweepCommand(['--preset', 'nope'])).rejects.toThrow('--preset must be one of regulariser (got "nope")');
  });
});
