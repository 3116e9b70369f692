import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { layerSensitivity } from './sensitivity.ts';
import { runInq } from './session.ts';
import { DEFAULT_CONFIG } from './types.ts';
import { tinyConvNet } from '../model/testModels.ts';
import { kernelsOf } from '../model/quantLayers.ts';
import { evaluate, predictClasses } from '../model/evaluate.ts';
import { isLevel, levelSetOf, maxAbs, type LevelKind } from '../inq/levels.ts';
import { quadrantData } from '../testing/syntheticData.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const bitsOf = (a: Float32Array): Uint32Array => new Uint32Array(a.buffer, a.byteOffset, a.length);

describe('per-layer sensitivity', () => {
  for (const levels of ['pow2', 'uniform'] as LevelKind[]) {
    it(`snaps one layer at a time to its ${levels} levels, leaving every other weight bit-identical, and restores it`, async () => {
      const model = tinyConvNet(4);
      const test = quadrantData(48, 9);
      const before = await Promise.all(kernelsOf(model).map(async (r) => new Float32Array(await r.variable.data())));
      const biasesBefore = await Promise.all(model.getWeights().map(async (w) => new Float32Array(await w.data())));
      const seen: number[] = [];
      const tensors = tf.memory().numTensors;
      const r = await layerSensitivity({
        model,
        test,
        bits: 3,
        levels,
        onSnapped: async (index, refs) => {
          seen.push(index);
          for (let j = 0; j < refs.length; j++) {
            const now = new Float32Array(await refs[j].variable.data());
            if (j === index) {
              const set = levelSetOf(levels, 3, maxAbs(before[j]));
              for (const v of now) expect(isLevel(v, set)).toBe(true);
              expect(Array.from(bitsOf(now))).not.toEqual(Array.from(bitsOf(before[j])));
            } else {
              expect(Array.from(bitsOf(now))).toEqual(Array.from(bitsOf(before[j])));
            }
          }
        },
      });
      expect(seen).toEqual([0, 1, 2]);
      expect(r.layers.map((l) => l.layer)).toEqual(['c1', 'd1', 'd2']);
      expect(r.levels).toBe(levels);
      expect(r.testSize).toBe(48);
      const float = await evaluate(model, test);
      expect(r.floatAccuracy).toBe(float.accuracy);
      for (const l of r.layers) expect(l.drop).toBeCloseTo(r.floatAccuracy - l.accuracy, 12);
      // Everything restored, bit for bit, and no tensor left behind.
      const after = await Promise.all(model.getWeights().map(async (w) => new Float32Array(await w.data())));
      after.forEach((a, i) => expect(Array.from(bitsOf(a))).toEqual(Array.from(bitsOf(biasesBefore[i]))));
      expect(tf.memory().numTensors).toBe(tensors);
      model.dispose();
    });
  }
});

describe('a uniform-level INQ run', () => {
  it('ends with every kernel weight on its layer’s uniform grid', async () => {
    const model = tinyConvNet(5);
    const pre = await Promise.all(kernelsOf(model).map(async (r) => maxAbs(await r.variable.data())));
    const config = { ...DEFAULT_CONFIG, bits: 4, schedule: [0.5, 1], batchSize: 16, epochsPerRound: 1, levels: 'uniform' as const };
    const s = await runInq({ model, train: quadrantData(32, 1), test: quadrantData(32, 2), config, onEvent: () => undefined });
    expect(s.allLevels).toBe(true);
    const refs = kernelsOf(model);
    for (let j = 0; j < refs.length; j++) {
      const set = levelSetOf('uniform', 4, pre[j]);
      const w = await refs[j].variable.data();
      let offPow2 = 0;
      for (const v of w) {
        expect(isLevel(v, set)).toBe(true);
        if (v !== 0 && !Number.isInteger(Math.log2(Math.abs(v)))) offPow2++;
      }
      // A 4-bit uniform grid has 3·step and 4·step… levels that are not powers of two: some weights use them.
      expect(offPow2).toBeGreaterThan(0);
    }
    const test = quadrantData(32, 2);
    const pred = await predictClasses(model, test, 7); // batches that do not divide the set
    expect(pred.length).toBe(32);
    expect(pred.filter((p, i) => p === test.labels[i]).length / 32).toBe((await evaluate(model, test)).accuracy);
    model.dispose();
  });
});
