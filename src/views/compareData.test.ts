import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../engine/types.ts';
import type { RunMeta } from '../store/runsDb.ts';
import { compareChart } from './compareData.ts';
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
    completedRounds: accuracies.length,
    history: accuracies.map((accuracy, i) => ({ round: i + 1, portion: schedule[i], accuracy, loss: 0.1 })),
    finalAccuracy: null,
    packedBytes: null,
    summary: null,
    error: null,
  };
}

describe('compareChart', () => {
  it('one coloured series per run in tick order, one shared baseline for the same test subset', () => {
    const c = compareChart([meta('a', [0.97, 0.98], 0.985, [0.5, 1]), meta('b', [0.95, 0.96, 0.97], 0.985, [0.3, 0.6, 1])]);
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
    const c = compareChart([meta('a', [0.9], 0.98), meta('b', [0.9], 0.97), meta('c', [], null)]);
    expect(c.baselines.map((b) => b.label)).toEqual(['float 98.0 % (Run a)', 'float 97.0 % (Run b)']);
    expect(c.series[2].points).toEqual([]);
    expect(c.maxRounds).toBe(4);
  });

  it('an empty comparison still has axes', () => {
    expect(compareChart([])).toMatchObject({ series: [], baselines: [], yDomain: [0, 100], maxRounds: 1 });
  });
});
