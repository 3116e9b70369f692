import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { prune, rampSparsity, spliceMasks, SplicingTrainer, SPLICE_RATIO } from './prune.ts';
import { runInq } from './session.ts';
import { DEFAULT_CONFIG, PRUNED_ROUND, type InqConfig, type InqEvent } from './types.ts';
import { tinyConvNet } from '../model/testModels.ts';
import { kernelsOf } from '../model/quantLayers.ts';
import { isLevel, levelSet } from '../inq/levels.ts';
import { quadrantData } from '../testing/syntheticData.ts';
import { forCases } from '../testing/propertyCases.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const ones = (m: Uint8Array[]): number => m.reduce((a, x) => a + x.reduce((b, v) => b + v, 0), 0);

describe('pruning masks', () => {
  it('spliceMasks prunes every score below the threshold, keeps every one past the splice threshold, and at least the count', () => {
    forCases(100, (rng) => {
      const layers = 1 + rng.int(4);
      // A fifth of the weights tie at 0.25, to exercise the tie rule.
      const w = Array.from({ length: layers }, () => Float32Array.from({ length: 1 + rng.int(200) }, () => (rng.next() < 0.2 ? 0.25 : rng.normal())));
      const scales = w.map(() => 0.5 + rng.next());
      const total = w.reduce((a, x) => a + x.length, 0);
      const count = rng.int(total + 1);
      const prev = w.map((x) => Uint8Array.from(x, () => (rng.next() < 0.5 ? 1 : 0)));
      const m = spliceMasks(w, scales, prev, count);
      expect(ones(m)).toBeGreaterThanOrEqual(count);
      const score = (v: number, l: number): number => Math.fround(Math.abs(v) * (1 / scales[l]));
      const sorted = w.flatMap((x, l) => Array.from(x, (v) => score(v, l))).sort((p, q) => p - q);
      // The implementation's threshold: none pruned (count 0) is -Infinity, so every weight is restored.
      const a = count <= 0 ? -Infinity : count >= total ? Infinity : sorted[count];
      w.forEach((x, l) => x.forEach((v, i) => {
        const s = score(v, l);
        if (s < a) expect(m[l][i]).toBe(1);
        else if (s >= a * SPLICE_RATIO) expect(m[l][i]).toBe(0);
        else if (s > a) expect(m[l][i]).toBe(prev[l][i]);
      }));
      // With no earlier mask the count is exact, and deterministic.
      const fresh = spliceMasks(w, scales, w.map((x) => new Uint8Array(x.length)), count);
      expect(ones(fresh)).toBe(count);
      expect(spliceMasks(w, scales, w.map((x) => new Uint8Array(x.length)), count)).toEqual(fresh);
    });
  });

  it('spliceMasks restores a pruned weight that grew past the splice threshold and keeps the in-between ones as they were', () => {
    // Scores 0.1 … 1.0; prune the 3 lowest: threshold a = 0.4 (the 4th smallest), b = 0.44.
    const w = [Float32Array.of(0.1, 0.2, 0.3, 0.4, 0.42, 0.5, 0.6, 0.7, 0.8, 1.0)];
    const prev = [Uint8Array.of(0, 0, 0, 1, 1, 1, 0, 0, 0, 0)];
    const m = spliceMasks(w, [1], prev, 3);
    expect(Array.from(m[0])).toEqual([1, 1, 1, 1, 1, 0, 0, 0, 0, 0].map((v, i) => (i === 3 ? 1 : i === 4 ? 1 : v)));
    // 0.4 and 0.42 lie in [a, b): unchanged (pruned before, still pruned); 0.5 ≥ b was pruned and comes back.
    expect(m[0][5]).toBe(0);
    expect(0.5).toBeGreaterThanOrEqual(0.4 * SPLICE_RATIO);
    // Nothing was pruned before: the in-between weights stay.
    const fresh = spliceMasks(w, [1], [new Uint8Array(10)], 3);
    expect(Array.from(fresh[0])).toEqual([1, 1, 1, 0, 0, 0, 0, 0, 0, 0]);
  });

  it('the sparsity ramp rises monotonically to the target', () => {
    let prev = 0;
    for (let t = 0; t <= 50; t++) {
      const s = rampSparsity(0.9, t, 50);
      expect(s).toBeGreaterThanOrEqual(prev);
      prev = s;
    }
    expect(rampSparsity(0.9, 50, 50)).toBe(0.9);
    expect(rampSparsity(0.9, 0, 50)).toBe(0);
  });
});

describe('SplicingTrainer', () => {
  it('keeps pruned kernel entries at zero while their dense weights keep training (so they can come back)', async () => {
    const model = tinyConvNet(4);
    const data = quadrantData(32, 5);
    const trainer = new SplicingTrainer(model, { kind: 'momentum', learningRate: 0.1, momentum: 0.9 });
    const refs = kernelsOf(model);
    const pruned = refs.map((r) => Uint8Array.from({ length: r.size }, (_, i) => (i % 2 === 0 ? 1 : 0)));
    trainer.setPruned(pruned);
    const denseBefore = await trainer.denseWeights();
    for (let b = 0; b < 4; b++) tf.dispose(trainer.trainBatch(data.images.subarray(b * 8 * 64, (b + 1) * 8 * 64), data.labels.subarray(b * 8, (b + 1) * 8), data.shape));
    const denseAfter = await trainer.denseWeights();
    let movedPruned = 0;
    for (let l = 0; l < refs.length; l++) {
      const k = await refs[l].variable.data();
      for (let i = 0; i < k.length; i++) {
        if (pruned[l][i]) {
          expect(Math.abs(k[i])).toBe(0);
          if (denseAfter[l][i] !== denseBefore[l][i]) movedPruned++;
        } else expect(k[i]).toBe(denseAfter[l][i]);
      }
    }
    expect(movedPruned).toBeGreaterThan(0);
    // Unpruning everything splices the trained dense values back in.
    trainer.setPruned(refs.map((r) => new Uint8Array(r.size)));
    const k0 = await refs[0].variable.data();
    expect(Array.from(k0)).toEqual(Array.from(denseAfter[0]));
    trainer.dispose();
    model.dispose();
  });
});

describe('prune then INQ', () => {
  it('reaches at least the target sparsity, splices, and the pruned weights end at zero', async () => {
    const model = tinyConvNet(2);
    const train = quadrantData(128, 1);
    const test = quadrantData(64, 2);
    const before = tf.memory().numTensors;
    const r = await prune({ model, train, test, sparsity: 0.6, epochs: 3, optimizer: { kind: 'momentum', learningRate: 0.05, momentum: 0.9 }, batchSize: 16, seed: 1 });
    const refs = kernelsOf(model);
    const total = refs.reduce((a, x) => a + x.size, 0);
    expect(ones(r.pruned)).toBeGreaterThanOrEqual(Math.round(0.6 * total));
    // Only the splice band's held weights can add to the target.
    expect(r.sparsity).toBeLessThan(0.7);
    expect(r.sparsity).toBeCloseTo(ones(r.pruned) / total, 12);
    for (let l = 0; l < refs.length; l++) {
      const k = await refs[l].variable.data();
      for (let i = 0; i < k.length; i++) if (r.pruned[l][i]) expect(Math.abs(k[i])).toBe(0);
    }
    expect(r.spliced).toBeGreaterThan(0);
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });

  it('runInq with prune: events in order, portions over the survivors, pruned weights zero and every weight a level', async () => {
    const model = tinyConvNet(3);
    const train = quadrantData(96, 3);
    const test = quadrantData(64, 4);
    const config: InqConfig = { ...DEFAULT_CONFIG, bits: 4, schedule: [0.5, 1], batchSize: 16, learningRate: 0.05, seed: 2, prune: 0.5, pruneEpochs: 2 };
    const events: InqEvent[] = [];
    const before = tf.memory().numTensors;
    const summary = await runInq({ model, train, test, config, onEvent: (e) => events.push(e) });
    const types = events.flatMap((e) => (e.type === 'batch' || e.type === 'epochEnd' ? [] : [e.type === 'phase' ? e.phase : e.type]));
    // Round 1: partition, quantize, four re-training snapshots; the last round has nothing to re-train.
    const round1 = ['roundStart', 'partition', 'quantize', 'retrain', 'retrain', 'retrain', 'retrain', 'roundEnd'];
    expect(types).toEqual(['pruneStart', 'pruneEnd', 'start', ...round1, 'roundStart', 'partition', 'quantize', 'roundEnd', 'end']);
    expect(events.filter((e) => e.type === 'epochEnd' && e.round === 0)).toHaveLength(2);
    const start = events.find((e) => e.type === 'start');
    const firstEnd = events.find((e) => e.type === 'roundEnd');
    if (start?.type !== 'start' || firstEnd?.type !== 'roundEnd') throw new Error('missing events');
    for (const l of firstEnd.result.layers) {
      const pruned = l.frozenRound.reduce((a, v) => a + (v === PRUNED_ROUND ? 1 : 0), 0);
      const n = l.weights.length;
      expect(l.frozenCount).toBe(pruned + Math.round(0.5 * (n - pruned)));
      l.frozenRound.forEach((v, i) => {
        if (v === PRUNED_ROUND) expect(Math.abs(l.weights[i])).toBe(0);
      });
    }
    const refs = kernelsOf(model);
    let zeros = 0;
    for (let li = 0; li < refs.length; li++) {
      const set = levelSet(config.bits, 1, start.layers[li].n1);
      const k = await refs[li].variable.data();
      for (const v of k) {
        expect(isLevel(v, set)).toBe(true);
        if (v === 0) zeros++;
      }
    }
    expect(summary.allLevels).toBe(true);
    expect(summary.prune?.sparsity).toBeCloseTo(0.5, 1);
    expect(summary.sparsity).toBeGreaterThanOrEqual(summary.prune?.sparsity ?? 1);
    expect(summary.sparsity).toBeCloseTo(zeros / refs.reduce((a, x) => a + x.size, 0), 12);
    expect(summary.sparsePackedBytes).toBeLessThan(summary.floatBytes);
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });
});
