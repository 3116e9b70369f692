import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../engine/types.ts';
import type { RunMeta } from '../store/runsDb.ts';
import { COMPARE_CSV_HEADER, compareChart, compareToCsv, entryFinal, entryRound, pairedComparisons, runEntries } from './compareData.ts';
import { comparePaired, wilsonInterval } from '../inq/stats.ts';
import { RUN_COLORS } from './colors.ts';

function meta(id: string, accuracies: number[], floatAccuracy: number | null, schedule = [0.5, 0.75, 0.875, 1]): RunMeta {
  return {
    id,
    name: `Run ${id}`,
    createdAt: 1,
    updatedAt: 1,
    status: 'done',
    config: { ...DEFAULT_CONFIG, schedule },
    trainSize: 256,
    testSize: 200,
    modelName: 'lenet5',
    layers: [],
    floatAccuracy,
    oneShotAccuracy: null,
    completedRounds: accuracies.length,
    history: accuracies.map((accuracy, i) => ({ round: i + 1, portion: schedule[i], accuracy, loss: 0.1 })),
    finalAccuracy: null,
    packedBytes: null,
    summary: null,
    error: null,
    predictions: null,
    repeat: null,
    floatPredictions: null,
  };
}

describe('compareChart', () => {
  it('one coloured series per run in tick order, one shared baseline for the same test subset', () => {
    const c = compareChart(runEntries([meta('a', [0.97, 0.98], 0.985, [0.5, 1]), meta('b', [0.95, 0.96, 0.97], 0.985, [0.3, 0.6, 1])]));
    expect(c.series.map((s) => [s.id, s.color, s.points.map((p) => p.x)])).toEqual([
      ['a', RUN_COLORS[0], [1, 2]],
      ['b', RUN_COLORS[1], [1, 2, 3]],
    ]);
    expect(c.series[1].points[2].y).toBeCloseTo(97);
    expect(c.baselines).toEqual([{ y: 98.5, label: 'float 98.5 %', runs: ['Run a', 'Run b'] }]);
    expect(c.maxRounds).toBe(3);
    expect(c.yDomain[0]).toBeLessThanOrEqual(95);
    expect(c.yDomain[1]).toBeGreaterThanOrEqual(98.5);
    expect(c.yDomain[1]).toBeLessThanOrEqual(100);
  });

  it('different float accuracies get a line each, named after their runs', () => {
    const c = compareChart(runEntries([meta('a', [0.9], 0.98), meta('b', [0.9], 0.97), meta('c', [], null)]));
    expect(c.baselines.map((b) => b.label)).toEqual(['float 98.0 % (Run a)', 'float 97.0 % (Run b)']);
    expect(c.series[2].points).toEqual([]);
    expect(c.maxRounds).toBe(4);
  });

  it('an empty comparison still has axes', () => {
    expect(compareChart(runEntries([]))).toMatchObject({ series: [], baselines: [], yDomain: [0, 100], maxRounds: 1 });
  });
});

describe('compareToCsv', () => {
  it('one row per run with its configuration, seed, test size, final accuracy and Wilson interval, and each round', () => {
    const a = { ...meta('a', [0.97, 0.98], 0.985, [0.5, 1]), finalAccuracy: 0.98, packedBytes: 39_500, name: 'schedule "A", half' };
    const b = { ...meta('b', [0.95, 0.96], 0.985, [0.3, 0.6, 1]), status: 'interrupted' as const, config: { ...DEFAULT_CONFIG, schedule: [0.3, 0.6, 1], seed: 7, bits: 3 } };
    const csv = compareToCsv(runEntries([a, b]));
    expect(csv.endsWith('\r\n')).toBe(true);
    const lines = csv.trimEnd().split('\r\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toBe([...COMPARE_CSV_HEADER, 'round_1', 'round_2', 'round_3'].join(','));
    const col = (line: string, name: string): string => {
      // The schedule is quoted (it holds commas) and so is a's name: split outside quotes.
      const cells = line.match(/("([^"]|"")*"|[^,]*)(,|$)/g)!.map((c) => c.replace(/,$/, ''));
      return cells[lines[0].split(',').indexOf(name)];
    };
    expect(col(lines[1], 'name')).toBe('"schedule ""A"", half"');
    expect(col(lines[1], 'schedule')).toBe('"0.5,1"');
    expect(col(lines[1], 'test_size')).toBe('200');
    expect(col(lines[1], 'seed')).toBe(String(DEFAULT_CONFIG.seed));
    const [lo, hi] = wilsonInterval(196, 200);
    expect(Number(col(lines[1], 'final_ci95_low'))).toBe(lo);
    expect(Number(col(lines[1], 'final_ci95_high'))).toBe(hi);
    expect(lo).toBeLessThan(0.98);
    expect(hi).toBeGreaterThan(0.98);
    expect(Number(col(lines[1], 'final_minus_float_points'))).toBeCloseTo(-0.5);
    expect(col(lines[1], 'round_2')).toBe('0.98');
    expect(col(lines[1], 'round_3')).toBe('');
    // An unfinished run: no final accuracy or interval, its rounds so far, its own seed and bits.
    expect(col(lines[2], 'status')).toBe('interrupted');
    expect(col(lines[2], 'seed')).toBe('7');
    expect(col(lines[2], 'bits')).toBe('3');
    expect(col(lines[2], 'final_accuracy')).toBe('');
    expect(col(lines[2], 'final_ci95_low')).toBe('');
    expect(col(lines[2], 'round_1')).toBe('0.95');
    expect(col(lines[2], 'round_3')).toBe('');
  });
});

describe('pairedComparisons', () => {
  const labels = Uint8Array.from({ length: 200 }, (_, i) => i % 10);
  // A right on all but 4 images, B wrong on 20 more of A's right ones and right on 2 of A's wrong ones.
  const classesA = labels.map((l, i) => (i < 4 ? (l + 1) % 10 : l));
  const classesB = labels.map((l, i) => (i < 2 || (i >= 4 && i < 24) ? (l + 1) % 10 : l));
  const done = (id: string, classes: Uint8Array, lab = labels) => ({ ...meta(id, [0.9, 0.95], 0.98, [0.5, 1]), predictions: { classes, labels: lab } });

  it('pairs every two ticked runs in tick order, with the same figures as the command line', () => {
    const rows = pairedComparisons(runEntries([done('a', classesA), done('b', classesB), done('c', classesA)]));
    expect(rows.map((r) => `${r.a.id}${r.b.id}`)).toEqual(['ab', 'ac', 'bc']);
    expect(rows[0].result).toEqual(comparePaired(classesA, classesB, labels));
    expect(rows[0].result!.discordant).toEqual([20, 2]);
    expect(rows[0].result!.pValue).toBeLessThan(0.001);
    expect(rows[1].result!.discordant).toEqual([0, 0]);
    expect(rows[1].result!.pValue).toBe(1);
  });

  it('says why a pair has no test: no saved answers, or other test images', () => {
    const other = Uint8Array.from(labels, (l, i) => (i === 5 ? (l + 1) % 10 : l));
    const rows = pairedComparisons(runEntries([done('a', classesA), meta('old', [0.9], 0.98, [1]), done('x', classesA, other)]));
    expect(rows[0].result).toBeNull();
    expect(rows[0].reason).toContain('Run old has no saved answers');
    expect(rows[1].result).toBeNull();
    expect(rows[1].reason).toContain('different test images');
    expect(rows[2].reason).toContain('Run old');
  });
});

describe('answers in the CSV', () => {
  it('counts a run\'s saved answers and their accuracy; empty without them', () => {
    const labels = Uint8Array.from({ length: 40 }, (_, i) => i % 10);
    const classes = labels.map((l, i) => (i % 8 === 0 ? (l + 1) % 10 : l));
    const withAnswers = { ...meta('a', [0.9], 0.98, [1]), predictions: { classes, labels } };
    const [head, a, b] = compareToCsv(runEntries([withAnswers, meta('b', [0.9], 0.98, [1])])).trimEnd().split('\r\n');
    const col = (line: string, name: string): string => line.split(',')[head.split(',').indexOf(name)];
    // Schedules of one step hold no comma, so plain splitting is right here.
    expect(col(a, 'answers_images')).toBe('40');
    expect(Number(col(a, 'answers_accuracy'))).toBe(35 / 40);
    expect(col(b, 'answers_images')).toBe('');
  });
});

describe('repeats: one configuration from several seeds, as one entry', () => {
  const seedRun = (id: string, group: string, index: number, of: number, accuracies: number[], final: number | null) => ({
    ...meta(id, accuracies, 0.99, [0.5, 1]),
    config: { ...DEFAULT_CONFIG, schedule: [0.5, 1], seed: 10 + index },
    finalAccuracy: final,
    repeat: { group, index, of },
  });

  it('groups a repeat’s runs into one entry in seed order, where its first-listed run stands; single runs stay alone', () => {
    const list = [seedRun('c', 'g', 2, 3, [0.95, 0.97], 0.97), meta('x', [0.9], 0.99, [1]), seedRun('a', 'g', 0, 3, [0.96, 0.98], 0.98), seedRun('b', 'g', 1, 3, [0.97, 0.96], 0.96)];
    const entries = runEntries(list);
    expect(entries.map((e) => e.id)).toEqual(['g', 'x']);
    expect(entries[0].runs.map((r) => r.id)).toEqual(['a', 'b', 'c']);
    expect(entries[0].name).toBe('Run a ×3');
    expect(entries[1]).toMatchObject({ name: 'Run x', of: 1 });
  });

  it('final: the mean over finished seeds with the 95 % t interval (t(0.975, 2) = 4.303) and the spread', () => {
    const [e] = runEntries([seedRun('a', 'g', 0, 3, [0.9, 0.97], 0.97), seedRun('b', 'g', 1, 3, [0.9, 0.98], 0.98), seedRun('c', 'g', 2, 3, [0.9, 0.96], 0.96)]);
    const f = entryFinal(e);
    expect(f.mean).toBeCloseTo(0.97, 12);
    // sd = 0.01, half-width = 4.3027 · 0.01 / √3 = 0.024842
    expect(f.interval![0]).toBeCloseTo(0.97 - 0.024842, 5);
    expect(f.interval![1]).toBeCloseTo(0.97 + 0.024842, 5);
    expect(f.spread).toEqual([0.96, 0.98]);
    // An unfinished seed is left out of the mean.
    const [partial] = runEntries([seedRun('a', 'g', 0, 3, [0.9, 0.97], 0.97), seedRun('b', 'g', 1, 3, [0.9], null)]);
    expect(entryFinal(partial)).toMatchObject({ finals: [0.97], mean: 0.97, interval: null });
  });

  it('chart: a repeat is its mean per round with a band; a single run has no band', () => {
    const entries = runEntries([seedRun('a', 'g', 0, 2, [0.9, 0.97], 0.97), seedRun('b', 'g', 1, 2, [0.94, 0.95], 0.95), meta('x', [0.93, 0.96], 0.99, [0.5, 1])]);
    const c = compareChart(entries);
    expect(c.series[0].points).toEqual([
      { x: 1, y: expect.closeTo(92, 10) },
      { x: 2, y: expect.closeTo(96, 10) },
    ]);
    expect(c.series[0].band).toHaveLength(2);
    for (const [i, b] of c.series[0].band!.entries()) {
      const r = entryRound(entries[0], i + 1)!;
      expect(b.lo).toBeCloseTo(100 * r.interval![0], 10);
      expect(b.hi).toBeCloseTo(100 * r.interval![1], 10);
      expect(b.lo).toBeLessThan(c.series[0].points[i].y);
    }
    expect(c.series[1].band).toBeUndefined();
    // The y range holds the band.
    expect(c.yDomain[0]).toBeLessThanOrEqual(Math.min(...c.series[0].band!.map((b) => b.lo)));
  });

  it('CSV: each seed’s row names its repeat, then a mean row with the seeds and the t interval; paired tests skip repeats with the reason', () => {
    const entries = runEntries([seedRun('a', 'g', 0, 2, [0.9, 0.97], 0.97), seedRun('b', 'g', 1, 2, [0.94, 0.95], 0.95), meta('x', [0.93], 0.99, [1])]);
    const [head, ...rows] = compareToCsv(entries).trimEnd().split('\r\n');
    const col = (name: string) => head.split(',').indexOf(name);
    // Split outside quotes (the schedule holds a comma).
    const cells = (line: string) => line.match(/("([^"]|"")*"|[^,]*)(,|$)/g)!.map((c) => c.replace(/,$/, ''));
    expect(rows).toHaveLength(4);
    expect(rows.map((r) => cells(r)[col('repeat')])).toEqual(['Run a ×2', 'Run a ×2', 'Run a ×2', '']);
    const mean = cells(rows[2]);
    expect(mean[col('name')]).toBe('Run a ×2 mean');
    expect(mean[col('seed')]).toBe('10 11');
    expect(Number(mean[col('final_accuracy')])).toBeCloseTo(0.96, 12);
    const f = entryFinal(entries[0]);
    expect(Number(mean[col('final_ci95_low')])).toBeCloseTo(f.interval![0], 12);
    expect(Number(mean[col('round_1')])).toBeCloseTo(0.92, 12);
    const pairs = pairedComparisons(entries);
    expect(pairs).toHaveLength(1);
    expect(pairs[0]).toMatchObject({ result: null });
    expect(pairs[0].reason).toMatch(/Run a ×2 is a repeat/);
  });
});
