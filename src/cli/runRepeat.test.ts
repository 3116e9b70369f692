/**
 * `inq run --repeat`, `--final-test-size`, `--out` predictions, `--levels uniform`, `inq compare` and
 * `inq sensitivity` end to end on real MNIST with the committed LeNet-5 (cpu backend, tiny subsets).
 */
import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCommand } from './run.ts';
import { compareCommand } from './compare.ts';
import { sensitivityCommand } from './sensitivity.ts';
import { readPredictions } from './predictions.ts';
import { readPackedModelDir } from '../kernels/nodePacked.ts';

const TINY = ['--train-size', '64', '--test-size', '60', '--schedule', '0.5,1', '--backend', 'cpu', '--json'];

describe('inq run --repeat / --final-test-size / --out predictions', () => {
  it('runs distinct recorded seeds, ends with the repeat object, and saves predictions that compare pairs', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'inq-repeat-'));
    const lines: string[] = [];
    await runCommand(['--bits', '4', '--seed', '7', '--repeat', '2', '--final-test-size', '120', '--out', dir, ...TINY], (l) => lines.push(l));
    const objs = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    const last = objs.at(-1) as { repeat: boolean; seeds: number[]; accuracies: number[]; meanAccuracy: number; interval: [number, number] };
    expect(Object.keys(last)).toEqual(['repeat', 'seeds', 'accuracies', 'meanAccuracy', 'interval']);
    expect(last.repeat).toBe(true);
    expect(last.seeds).toEqual([7, 8]);
    expect(last.accuracies).toHaveLength(2);
    expect(last.meanAccuracy).toBeCloseTo((last.accuracies[0] + last.accuracies[1]) / 2, 15);
    expect(last.interval[0]).toBeLessThanOrEqual(last.meanAccuracy);
    expect(last.interval[1]).toBeGreaterThanOrEqual(last.meanAccuracy);
    // The final scoring is on 120 images, not the 60 the rounds used; one line per seed says so.
    const finals = objs.filter((o) => o.final === true);
    expect(finals.map((f) => [f.seed, f.testSize])).toEqual([[7, 120], [8, 120]]);
    expect(finals.map((f) => f.accuracy)).toEqual(last.accuracies);
    for (const [k, seed] of last.seeds.entries()) {
      const sub = join(dir, `seed-${seed}`);
      const p = readPredictions(sub);
      expect(p.seed).toBe(seed);
      expect(p.testSize).toBe(120);
      expect(p.dataset).toBe('mnist');
      expect(p.accuracy).toBe(last.accuracies[k]);
      expect(existsSync(join(sub, 'packed.json'))).toBe(true);
    }
    const cmp: string[] = [];
    compareCommand([join(dir, 'seed-7'), join(dir, 'seed-8'), '--json'], (l) => cmp.push(l));
    const r = JSON.parse(cmp[0]) as { testSize: number; accuracyA: number; accuracyB: number; discordant: number[]; pValue: number };
    expect(r.testSize).toBe(120);
    expect([r.accuracyA, r.accuracyB]).toEqual(last.accuracies);
    expect(r.pValue).toBeGreaterThan(0);
    expect(r.pValue).toBeLessThanOrEqual(1);
  }, 240_000);

  it('--levels uniform saves the model and predictions but no packed codes, and the packed reader says why', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'inq-uniform-'));
    const lines: string[] = [];
    await runCommand(['--bits', '3', '--levels', 'uniform', '--out', dir, ...TINY], (l) => lines.push(l));
    const summary = lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((o) => o.summary === true);
    expect(summary?.allLevels).toBe(true);
    expect(existsSync(join(dir, 'packed.json'))).toBe(false);
    expect(readPredictions(dir).testSize).toBe(60);
    const meta = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')) as { userDefinedMetadata: { inq: { config: { levels: string } } } };
    expect(meta.userDefinedMetadata.inq.config.levels).toBe('uniform');
    expect(() => readPackedModelDir(dir)).toThrow(/uniform-level model: the packed format, the shift kernels and the C export take power-of-two levels only/);
  }, 120_000);

  it('refuses bad --repeat, --final-test-size and --levels before training', async () => {
    await expect(runCommand(['--repeat', '1', ...TINY], () => undefined)).rejects.toThrow('--repeat must be a whole number from 2 to 100');
    await expect(runCommand(['--final-test-size', '10001', ...TINY], () => undefined)).rejects.toThrow('--final-test-size must be a whole number from 1 to 10000');
    await expect(runCommand(['--levels', 'log', ...TINY], () => undefined)).rejects.toThrow('--levels must be one of pow2, uniform');
  });
});

describe('inq sensitivity', () => {
  it('prints a float row, then one row per layer with its drop', async () => {
    const lines: string[] = [];
    await sensitivityCommand(['--model', 'lenet5', '--bits', '3', '--test-size', '50', '--backend', 'cpu', '--json'], (l) => lines.push(l));
    const rows = lines.map((l) => JSON.parse(l) as Record<string, number | string | boolean>);
    expect(rows[0]).toMatchObject({ float: true, testSize: 50, bits: 3, levels: 'pow2' });
    const layers = rows.slice(1);
    expect(layers.length).toBeGreaterThanOrEqual(4);
    for (const l of layers) {
      expect(Object.keys(l)).toEqual(['layer', 'accuracy', 'drop']);
      expect(l.drop).toBeCloseTo((rows[0].accuracy as number) - (l.accuracy as number), 12);
    }
  }, 120_000);
});
