/** Teach's phases: the store's stage and trail, the captions, one weight's path and the snap's dots, on random snapshots. */
import { describe, expect, it } from 'vitest';
import { createPlaygroundStore } from '../store/store.ts';
import { DEFAULT_PLAYGROUND_CONFIG } from '../store/types.ts';
import { DEFAULT_CONFIG, type InqEvent, type LayerInfo, type LayerSnapshot } from '../engine/types.ts';
import { TRAIL_BUDGET } from '../store/runActions.ts';
import { createRng } from '../inq/rng.ts';
import { levelSet } from '../inq/levels.ts';
import { quantizeAll } from '../inq/quantize.ts';
import { stageCaption, type StoryInput } from './teachStory.ts';
import { weightPath } from './weightTrail.ts';
import { snapPaths } from './SnapOverlay.tsx';
import { histogramAxis, HISTOGRAM_BOX } from './WeightHistograms.tsx';

const BITS = 5;

/** A dense layer of n weights with its 5-bit levels. */
function layerInfo(n: number, preMaxAbs = 0.4): LayerInfo {
  const set = levelSet(BITS, preMaxAbs);
  return { name: 'fc', kind: 'dense', shape: [n / 4, 4], size: n, n1: set.n1, n2: set.n2, preMaxAbs, levels: set.levels };
}

/** Partition and quantize snapshots of one round on random weights: the largest `portion` of the free ones chosen. */
function roundSnapshots(info: LayerInfo, weights: Float32Array, frozenRound: Uint8Array, round: number, portion: number): { partition: LayerSnapshot; quantize: LayerSnapshot } {
  const set = levelSet(BITS, info.preMaxAbs);
  const free = [...weights.keys()].filter((i) => frozenRound[i] === 0).sort((a, b) => Math.abs(weights[b]) - Math.abs(weights[a]));
  const want = Math.round(portion * weights.length) - (weights.length - free.length);
  const fr = frozenRound.slice();
  for (const i of free.slice(0, want)) fr[i] = round;
  const q = weights.slice();
  for (let i = 0; i < q.length; i++) if (fr[i] === round) q[i] = quantizeAll(Float32Array.of(q[i]), set)[0];
  const snap = (w: Float32Array): LayerSnapshot => ({
    name: info.name,
    weights: w,
    frozenRound: fr,
    frozenCount: fr.filter((r) => r > 0).length,
    freeHistogram: new Uint32Array(8),
    histMin: -0.3,
    histMax: 0.3,
    levelCounts: new Uint32Array(info.levels.length),
  });
  return { partition: snap(weights.slice()), quantize: snap(q) };
}

const randomWeights = (n: number, seed: number): Float32Array => {
  const rng = createRng(seed);
  return Float32Array.from({ length: n }, () => (rng.next() - 0.5) * 0.8);
};

const phase = (round: number, name: 'partition' | 'quantize' | 'retrain', layers: LayerSnapshot[], epoch = 0, fraction = 0): Extract<InqEvent, { type: 'phase' }> => ({
  type: 'phase',
  round,
  phase: name,
  epoch,
  fraction,
  layers,
});

describe('Teach: stages, captions, one weight followed, the snap', () => {
  it('the store follows the stages: start, partition, quantize (keeping the partition for the snap), re-train, evaluate; the trail keeps the start, every snap and re-training', () => {
    const s = createPlaygroundStore();
    const a = () => s.getState();
    const info = layerInfo(64);
    const w = randomWeights(64, 1);
    const { partition, quantize } = roundSnapshots(info, w, new Uint8Array(64), 1, 0.5);
    a().startRun('r', DEFAULT_PLAYGROUND_CONFIG);
    a().runEvent({ type: 'start', layers: [info], rounds: 2, floatAccuracy: 0.99, floatLoss: 0.1, oneShotAccuracy: 0.97, config: DEFAULT_CONFIG, resumedAfter: 0, floatPredictions: new Uint8Array(), testLabels: new Uint8Array() });
    expect(a().stage).toMatchObject({ name: 'start', round: 0 });
    a().runEvent(phase(1, 'partition', [partition]));
    expect(a().stage).toMatchObject({ name: 'partition', chosen: [partition] });
    a().runEvent(phase(1, 'quantize', [quantize]));
    expect(a().stage).toMatchObject({ name: 'quantize', layers: [quantize], chosen: [partition] });
    a().runEvent(phase(1, 'retrain', [quantize], 1, 0.5));
    expect(a().stage).toMatchObject({ name: 'retrain', chosen: null, epoch: 1, fraction: 0.5 });
    a().runEvent(phase(2, 'partition', [quantize]));
    expect(a().trail.map((p) => `${p.round}${p.name}`)).toEqual(['1partition', '1quantize', '1retrain']);
    a().endRound({ round: 1, portion: 0.5, accuracy: 0.98, loss: 0.1, epochLosses: [], seconds: 1, trainSeconds: 1, layers: [quantize] });
    expect(a().stage).toMatchObject({ name: 'evaluate', round: 1, layers: null });
    a().startRun('r2', DEFAULT_PLAYGROUND_CONFIG);
    expect(a()).toMatchObject({ stage: null, trail: [] });
  });

  it('past the trail budget only each epoch\'s last snapshot is kept', () => {
    const s = createPlaygroundStore();
    const a = () => s.getState();
    const n = TRAIL_BUDGET / 4;
    const big: LayerSnapshot = { name: 'fc', weights: new Float32Array(n), frozenRound: new Uint8Array(n), frozenCount: 0, freeHistogram: new Uint32Array(1), histMin: 0, histMax: 0, levelCounts: new Uint32Array(1) };
    a().startRun('r', DEFAULT_PLAYGROUND_CONFIG);
    for (let k = 1; k <= 8; k++) a().runEvent(phase(1, 'retrain', [big], Math.ceil(k / 4), k % 4 === 0 ? 1 : (k % 4) / 4));
    expect(a().trail.map((p) => p.fraction)).toEqual([0.25, 0.5, 0.75, 1, 1]);
  });

  it('captions say each stage with the run\'s numbers, counted from the snapshots', () => {
    const info = layerInfo(400);
    const w = randomWeights(400, 2);
    const { partition, quantize } = roundSnapshots(info, w, new Uint8Array(400), 1, 0.5);
    const base: StoryInput = { stage: 'start', info, snap: null, round: 0, total: 4, portion: null, result: null, float: 0.987, oneShot: 0.979, pretrained: 0.99, testImages: 1000, epoch: 0, epochs: 1, fraction: 0, loss: NaN };
    expect(stageCaption(base)).toMatch(/The float model scores 98\.70 % on this run's 1,000 test images\..*one-shot, no re-training\) scores 97\.90 %: 0\.80 points lost\./);
    expect(stageCaption({ ...base, stage: null, float: null, oneShot: null })).toMatch(/scores 99\.00 % on the whole test set\..*Press Run/);
    expect(stageCaption({ ...base, stage: 'partition', snap: partition, round: 1, portion: 0.5 })).toBe(
      "Round 1 of 4, partition: the largest weights still free are chosen to freeze, so that 50.0 % of every layer is frozen. 200 of fc's 400 weights were chosen (orange); they still hold their float values.",
    );
    const zeros = Array.from(quantize.weights).filter((v, i) => quantize.frozenRound[i] === 1 && v === 0).length;
    const q = stageCaption({ ...base, stage: 'quantize', snap: quantize, round: 1 });
    expect(q).toContain(`the 200 chosen weights of fc snapped to their powers of two: ${200 - zeros} moved to ±2^`);
    expect(q).toMatch(/From now on they never change\.$/);
    expect(stageCaption({ ...base, stage: 'retrain', snap: quantize, round: 1, epoch: 1, epochs: 2, fraction: 0.5, loss: 0.1234 })).toMatch(
      /^Round 1, re-train \(epoch 1 of 2, 50 % through\): the 200 weights of fc still free are trained .*; training loss 0\.123\./,
    );
    const result = { round: 1, portion: 0.5, accuracy: 0.985, loss: 0.1, epochLosses: [], seconds: 1, trainSeconds: 1, layers: [quantize] };
    expect(stageCaption({ ...base, stage: 'evaluate', snap: quantize, round: 1, result })).toMatch(
      /^Round 1 of 4: 50\.0 % of every layer is frozen\. 200 more of fc's 400 weights froze.*test accuracy 98\.50 % \(float 98\.70 %, one-shot 97\.90 %\)\. One-shot, with every weight snapped and nothing re-trained, fell 0\.80 points below float; after round 1 INQ stands at −0\.20 points\.$/,
    );
  });

  it('one weight\'s path: start, its snap onto its level, re-training; the round it froze and the level it took', () => {
    const info = layerInfo(64);
    const rng = createRng(5);
    for (let t = 0; t < 20; t++) {
      const w0 = randomWeights(64, 10 + t);
      const r1 = roundSnapshots(info, w0, new Uint8Array(64), 1, 0.5);
      // Re-training moves the free weights only.
      const trained = r1.quantize.weights.map((v, i) => (r1.quantize.frozenRound[i] ? v : v + (rng.next() - 0.5) * 0.01));
      const retrain = { ...r1.quantize, weights: trained };
      const r2 = roundSnapshots(info, trained, r1.quantize.frozenRound, 2, 1);
      const trail = [
        { round: 1, name: 'partition' as const, epoch: 0, fraction: 0, layers: [r1.partition] },
        { round: 1, name: 'quantize' as const, epoch: 0, fraction: 0, layers: [r1.quantize] },
        { round: 1, name: 'retrain' as const, epoch: 1, fraction: 1, layers: [retrain] },
        { round: 2, name: 'quantize' as const, epoch: 0, fraction: 0, layers: [r2.quantize] },
      ];
      const i = rng.int(64);
      const p = weightPath(info, i, trail, [])!;
      expect(p.points.map((x) => x.label)).toEqual(['start', 'r1 snap', 'r1 e1', 'r2 snap']);
      expect(p.points[0].value).toBe(w0[i]);
      const froze = r2.quantize.frozenRound[i];
      expect(p.frozeIn).toBe(froze);
      expect(p.frozeAt).toBe(froze === 1 ? 1 : 3);
      expect(p.level).toBe(r2.quantize.weights[i]);
      expect(p.points.at(-1)!.value).toBe(p.level);
      // While free it would snap to its nearest level.
      const early = weightPath(info, i, trail.slice(0, 1), [])!;
      expect(early.frozeIn).toBe(0);
      expect(early.level).toBe(quantizeAll(Float32Array.of(w0[i]), levelSet(BITS, info.preMaxAbs))[0]);
    }
    expect(weightPath(info, 64, [], [])).toBeNull();
  });

  it('the snap\'s dots start at the chosen weights\' float values and end on their levels, on the histogram\'s own axis', () => {
    const info = layerInfo(4000);
    const { partition, quantize } = roundSnapshots(info, randomWeights(4000, 3), new Uint8Array(4000), 1, 0.5);
    for (const log of [false, true]) {
      const p = snapPaths(info, partition, quantize, 1, log);
      expect(p.x0.length).toBe(2000);
      const { sx } = histogramAxis(info, quantize, log);
      const chosen = [...quantize.frozenRound.keys()].filter((i) => quantize.frozenRound[i] === 1);
      const lo = HISTOGRAM_BOX.margin.left;
      const hi = lo + HISTOGRAM_BOX.plotWidth;
      const clamp = (x: number) => Math.fround(Math.min(hi, Math.max(lo, x)));
      chosen.forEach((i, k) => {
        expect(p.x0[k]).toBe(clamp(sx(partition.weights[i])));
        expect(p.x1[k]).toBe(clamp(sx(quantize.weights[i])));
      });
      expect(new Set(p.x1).size).toBeLessThan(new Set(p.x0).size);
    }
  });
});
