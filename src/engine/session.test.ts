import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { checkIntegrity, runInq, validateConfig } from './session.ts';
import { RunControl, CancelledError } from './control.ts';
import { DEFAULT_CONFIG, type InqConfig, type InqEvent, type RoundResult } from './types.ts';
import { tinyConvNet } from '../model/testModels.ts';
import { kernelsOf } from '../model/quantLayers.ts';
import { isLevel, levelSet, maxAbs } from '../inq/levels.ts';
import { quantizeAll } from '../inq/quantize.ts';
import { evaluate } from '../model/evaluate.ts';
import { quadrantData } from '../testing/syntheticData.ts';
import { predictClasses } from '../model/evaluate.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const config: InqConfig = { ...DEFAULT_CONFIG, schedule: [0.5, 0.8, 1], batchSize: 16, learningRate: 0.05, epochsPerRound: 2, seed: 3 };

describe('runInq on a tiny model', () => {
  it('emits events in order, freezes exactly the schedule, ends with every weight a level, leaks no tensor', async () => {
    const model = tinyConvNet(2);
    const train = quadrantData(96, 1);
    const test = quadrantData(64, 2);
    const events: InqEvent[] = [];
    const tensorsAtRoundEnd: number[] = [];
    const before = tf.memory().numTensors;
    const summary = await runInq({
      model,
      train,
      test,
      config,
      onEvent: (e) => {
        events.push(e);
        if (e.type === 'roundEnd') tensorsAtRoundEnd.push(tf.memory().numTensors);
      },
    });
    expect(events[0].type).toBe('start');
    expect(events.at(-1)?.type).toBe('end');
    const rounds = events.filter((e) => e.type === 'roundEnd').map((e) => (e.type === 'roundEnd' ? e.result : null)!);
    expect(rounds.map((r) => r.round)).toEqual([1, 2, 3]);
    // 96 examples, batch 16 → 6 batches per epoch, 2 epochs in each of the 2 re-training rounds.
    expect(events.filter((e) => e.type === 'batch')).toHaveLength(6 * 2 * 2);
    expect(rounds[2].epochLosses).toEqual([]);
    const start = events[0].type === 'start' ? events[0] : null;
    for (const r of rounds) {
      r.layers.forEach((l, li) => {
        const info = start!.layers[li];
        expect(l.frozenCount).toBe(Math.round(r.portion * info.size));
        const set = levelSet(config.bits, info.preMaxAbs);
        for (let i = 0; i < l.weights.length; i++) {
          if (l.frozenRound[i] > 0) {
            expect(l.frozenRound[i]).toBeLessThanOrEqual(r.round);
            expect(isLevel(l.weights[i], set)).toBe(true);
          }
        }
        const counted = l.levelCounts.reduce((a, b) => a + b, 0) + l.freeHistogram.reduce((a, b) => a + b, 0);
        expect(counted).toBe(info.size);
      });
    }
    // A weight frozen in round 1 keeps its value in every later round.
    const l0r1 = rounds[0].layers[0];
    const l0r3 = rounds[2].layers[0];
    for (let i = 0; i < l0r1.weights.length; i++) if (l0r1.frozenRound[i] === 1) expect(l0r3.weights[i]).toBe(l0r1.weights[i]);
    expect(summary.allLevels).toBe(true);
    expect(summary.kernelPackedBytes).toBeLessThan(summary.kernelFloatBytes / 5);
    // No tensor growth across rounds, and none left behind.
    expect(new Set(tensorsAtRoundEnd).size).toBe(1);
    expect(tf.memory().numTensors).toBe(before);
    for (const k of kernelsOf(model)) {
      const w = await k.variable.data();
      expect(Array.from(w).every((v) => isLevel(v, levelSet(config.bits, start!.layers.find((l) => l.name === k.layer)!.preMaxAbs)))).toBe(true);
    }
    model.dispose();
  });

  it('pauses between batches, steps one batch, resumes and can be cancelled with state consistent', async () => {
    const model = tinyConvNet(5);
    const control = new RunControl();
    const events: InqEvent[] = [];
    const states: string[] = [];
    control.onStateChange = (s) => states.push(s);
    const before = tf.memory().numTensors;
    const done = runInq({ model, train: quadrantData(96, 3), test: quadrantData(32, 4), config, control, onEvent: (e) => events.push(e) });
    control.pause();
    await new Promise((r) => setTimeout(r, 300));
    const batchesWhilePaused = events.filter((e) => e.type === 'batch').length;
    expect(control.isPaused).toBe(true);
    await new Promise((r) => setTimeout(r, 300));
    expect(events.filter((e) => e.type === 'batch').length).toBe(batchesWhilePaused);
    control.step('batch');
    await new Promise((r) => setTimeout(r, 300));
    expect(events.filter((e) => e.type === 'batch').length).toBe(batchesWhilePaused + 1);
    control.step('round');
    while (!events.some((e) => e.type === 'roundEnd')) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 200));
    expect(events.filter((e) => e.type === 'roundEnd')).toHaveLength(1);
    control.cancel();
    await expect(done).rejects.toBeInstanceOf(CancelledError);
    expect(states[0]).toBe('paused');
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });

  it('steps one phase at a time: start, partition (chosen at their float values), quantize (on their levels), re-training snapshots, evaluation', async () => {
    const model = tinyConvNet(6);
    const control = new RunControl();
    const events: InqEvent[] = [];
    const before = tf.memory().numTensors;
    const cfg: InqConfig = { ...config, schedule: [0.5, 1], epochsPerRound: 1 };
    const done = runInq({ model, train: quadrantData(96, 3), test: quadrantData(32, 4), config: cfg, control, onEvent: (e) => events.push(e) });
    control.step('phase');
    const settle = async (): Promise<string> => {
      // Wait until the session is parked at a boundary (no new event for a while), then name the last stage.
      let n = -1;
      while (n !== events.length) {
        n = events.length;
        await new Promise((r) => setTimeout(r, 150));
      }
      const last = [...events].reverse().find((e) => e.type !== 'batch' && e.type !== 'epochEnd')!;
      return last.type === 'phase' ? last.phase : last.type;
    };
    const seen: string[] = [await settle()];
    for (let k = 0; k < 4; k++) {
      control.step('phase');
      seen.push(await settle());
    }
    expect(seen).toEqual(['start', 'partition', 'quantize', 'retrain', 'roundEnd']);
    const phases = events.filter((e): e is Extract<InqEvent, { type: 'phase' }> => e.type === 'phase');
    const [partition, quantize] = phases;
    const retrain = phases.filter((p) => p.phase === 'retrain');
    // 96 examples, batch 16 → 6 batches: snapshots at batches 2, 3, 5 and 6 (each quarter), the last at the epoch's end.
    expect(retrain.map((p) => p.fraction)).toEqual([2 / 6, 3 / 6, 5 / 6, 1]);
    const start = events.find((e) => e.type === 'start');
    partition.layers.forEach((l, li) => {
      const q = quantize.layers[li];
      const set = levelSet(cfg.bits, start?.type === 'start' ? start.layers[li].preMaxAbs : NaN);
      expect(Array.from(l.frozenRound)).toEqual(Array.from(q.frozenRound));
      let chosen = 0;
      for (let i = 0; i < l.weights.length; i++) {
        if (l.frozenRound[i] !== 1) {
          expect(q.weights[i]).toBe(l.weights[i]);
          continue;
        }
        chosen++;
        expect(isLevel(q.weights[i], set)).toBe(true);
        expect(q.weights[i]).toBe(quantizeAll(Float32Array.of(l.weights[i]), set)[0]);
      }
      expect(chosen).toBe(Math.round(0.5 * l.weights.length));
      // Some chosen weights were not levels before the snap: the partition snapshot is the float values.
      expect(l.weights.some((w, i) => l.frozenRound[i] === 1 && !isLevel(w, set))).toBe(true);
    });
    control.resume();
    await done;
    // The last round has nothing free: partition and quantize only, no re-training.
    expect(events.flatMap((e) => (e.type === 'phase' && e.round === 2 ? [e.phase] : []))).toEqual(['partition', 'quantize']);
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });

  it('without phase snapshots (the command line): no phase event, and the same rounds and final model', async () => {
    const cfg: InqConfig = { ...config, schedule: [0.5, 1], epochsPerRound: 1 };
    const run = async (phaseSnapshots: boolean) => {
      const model = tinyConvNet(6);
      const events: InqEvent[] = [];
      const summary = await runInq({ model, train: quadrantData(96, 3), test: quadrantData(32, 4), config: cfg, onEvent: (e) => events.push(e), phaseSnapshots });
      const weights = await Promise.all(kernelsOf(model).map(async (k) => Array.from(await k.variable.data())));
      model.dispose();
      return { summary, events, weights };
    };
    const withPhases = await run(true);
    const without = await run(false);
    expect(withPhases.events.some((e) => e.type === 'phase')).toBe(true);
    expect(without.events.some((e) => e.type === 'phase')).toBe(false);
    const rest = (ev: InqEvent[]) => ev.filter((e) => e.type !== 'phase').map((e) => e.type);
    expect(rest(without.events)).toEqual(rest(withPhases.events));
    expect(without.summary.finalAccuracy).toBe(withPhases.summary.finalAccuracy);
    expect(without.weights).toEqual(withPhases.weights);
  });

  it('measures the one-shot baseline on the starting weights and leaves them as they were; every round end reports 0 moved, 0 off-level', async () => {
    const model = tinyConvNet(11);
    const train = quadrantData(64, 7);
    const test = quadrantData(48, 8);
    const start0 = await Promise.all(kernelsOf(model).map(async (k) => new Float32Array(await k.variable.data())));
    // The expected one-shot figure: a copy with every kernel snapped at once, evaluated.
    const copy = tinyConvNet(11);
    for (const [i, k] of kernelsOf(copy).entries()) k.variable.assign(tf.tensor(quantizeAll(start0[i], levelSet(config.bits, maxAbs(start0[i]))), k.shape));
    const want = (await evaluate(copy, test)).accuracy;
    copy.dispose();
    const events: InqEvent[] = [];
    let atStart: Float32Array[] = [];
    await runInq({
      model,
      train,
      test,
      config,
      onEvent: (e) => {
        events.push(e);
        if (e.type === 'start') atStart = kernelsOf(model).map((k) => new Float32Array(k.variable.dataSync()));
      },
    });
    const start = events.find((e) => e.type === 'start');
    if (start?.type !== 'start') throw new Error('no start event');
    expect(start.oneShotAccuracy).toBe(want);
    // Measuring it put the float weights back before round 1.
    atStart.forEach((w, i) => expect(Array.from(w)).toEqual(Array.from(start0[i])));
    const rounds = events.flatMap((e) => (e.type === 'roundEnd' ? [e.result] : []));
    expect(rounds.map((r) => r.integrity)).toEqual(rounds.map(() => ({ moved: 0, offLevel: 0 })));
    model.dispose();
  });

  it('the integrity check counts frozen weights that moved and frozen weights off their levels, and nothing else', () => {
    const set = levelSet(4, 0.9);
    for (let t = 0; t < 20; t++) {
      const n = 300;
      const frozen = Uint8Array.from({ length: n }, () => (Math.random() < 0.5 ? 1 : 0));
      const frozenAt = Float32Array.from({ length: n }, () => set.levels[Math.floor(Math.random() * set.levels.length)]);
      const weights = Float32Array.from(frozenAt, (v, i) => (frozen[i] ? v : Math.random() - 0.5));
      let moved = 0;
      let off = 0;
      for (let i = 0; i < n; i++) {
        if (!frozen[i] || Math.random() < 0.9) continue;
        if (Math.random() < 0.5) {
          // Moved to another level: moved, still a level.
          weights[i] = set.levels[(set.levels.indexOf(weights[i]) + 1) % set.levels.length];
          moved++;
        } else {
          weights[i] += 0.013;
          moved++;
          off++;
        }
      }
      expect(checkIntegrity([{ frozen, frozenAt, set }], [{ weights }])).toEqual({ moved, offLevel: off });
    }
  });

  it('resumes after the last completed round and keeps what was frozen', async () => {
    const model = tinyConvNet(6);
    const control = new RunControl();
    const events: InqEvent[] = [];
    const train = quadrantData(64, 5);
    const test = quadrantData(32, 6);
    const first = runInq({ model, train, test, config, control, onEvent: (e) => events.push(e) });
    control.step('round');
    while (!events.some((e) => e.type === 'roundEnd')) await new Promise((r) => setTimeout(r, 20));
    control.cancel();
    await expect(first).rejects.toBeInstanceOf(CancelledError);
    const start = events.find((e) => e.type === 'start');
    const r1 = events.find((e) => e.type === 'roundEnd');
    if (start?.type !== 'start' || r1?.type !== 'roundEnd') throw new Error('missing events');
    // A fresh model (as after a device loss) picks up from round 1's state.
    const fresh = tinyConvNet(99);
    const later: InqEvent[] = [];
    const summary = await runInq({
      model: fresh,
      train,
      test,
      config,
      onEvent: (e) => later.push(e),
      resume: {
        completedRounds: 1,
        layers: start.layers,
        weights: r1.result.layers.map((l) => l.weights),
        frozenRound: r1.result.layers.map((l) => l.frozenRound),
        floatAccuracy: start.floatAccuracy,
        floatLoss: start.floatLoss,
        lastRound: r1.result,
      },
    });
    const rounds = later.flatMap((e) => (e.type === 'roundEnd' ? [e.result] : []));
    expect(rounds.map((r) => r.round)).toEqual([2, 3]);
    expect(summary.allLevels).toBe(true);
    expect(summary.floatAccuracy).toBe(start.floatAccuracy);
    const w1 = r1.result.layers[1];
    const w3 = rounds[1].layers[1];
    for (let i = 0; i < w1.weights.length; i++) {
      if (w1.frozenRound[i] === 1) {
        expect(w3.frozenRound[i]).toBe(1);
        expect(w3.weights[i]).toBe(w1.weights[i]);
      }
    }
    model.dispose();
    fresh.dispose();
  });

  it('n1 is floor(log2(4·max|w|/3)) of the pre-trained weights and stays so every round: a weight grown past 2^n1 is clamped to it', async () => {
    const model = tinyConvNet(7);
    const kernels = kernelsOf(model);
    const pre = kernels.map((k) => Float32Array.from(k.variable.dataSync()));
    const preN1 = pre.map((w) => Math.floor(Math.log2((4 * w.reduce((m, v) => Math.max(m, Math.abs(v)), 0)) / 3)));
    const cfg: InqConfig = { ...config, schedule: [0.5, 0.75, 0.9, 1], epochsPerRound: 1 };
    // The level nearest to v (ties to the larger magnitude) among 0 and ±2^p, n2 ≤ p ≤ n1: written
    // here from INQ.md, not taken from src/inq, so that it checks the session's level set.
    const nearestLevel = (v: number, n1: number): number => {
      let best = 0;
      for (let p = n1 + 1 - 2 ** (cfg.bits - 2); p <= n1; p++) {
        const l = Math.sign(v) * 2 ** p;
        if (Math.abs(v - l) <= Math.abs(v - best)) best = l;
      }
      return best;
    };
    let startN1: number[] = [];
    const ends: RoundResult[] = [];
    // What each round partitions: the pre-trained weights, then each round's re-trained ones.
    const before: Float32Array[][] = [pre];
    const grown: number[] = [];
    await runInq({
      model,
      train: quadrantData(64, 7),
      test: quadrantData(32, 8),
      config: cfg,
      onEvent: (e) => {
        if (e.type === 'start') startN1 = e.layers.map((l) => l.n1);
        if (e.type !== 'roundEnd') return;
        ends.push(e.result);
        const next = e.result.layers.map((l) => Float32Array.from(l.weights));
        if (e.result.round === 1) {
          // Re-training that pushed one free weight per layer far past the pre-trained range (8·max|w|):
          // with n1 kept it must snap to ±2^n1 next round, not to a new top level and not to 0.
          kernels.forEach((k, li) => {
            const i = e.result.layers[li].frozenRound.indexOf(0);
            next[li][i] = -8 * 2 ** preN1[li];
            grown.push(i);
            tf.tidy(() => k.variable.assign(tf.tensor(next[li], k.shape, 'float32')));
          });
        }
        before.push(next);
      },
    });
    expect(startN1).toEqual(preN1);
    expect(ends).toHaveLength(4);
    for (const r of ends) {
      r.layers.forEach((l, li) => {
        const wrong: string[] = [];
        for (let i = 0; i < l.weights.length; i++) {
          if (l.frozenRound[i] !== r.round) continue;
          const want = nearestLevel(before[r.round - 1][li][i], preN1[li]);
          if (!Object.is(l.weights[i], want) && !(l.weights[i] === 0 && want === 0)) wrong.push(`${i}: ${l.weights[i]} (want ${want})`);
        }
        expect(wrong.slice(0, 5), `round ${r.round}, ${l.name}`).toEqual([]);
      });
    }
    ends[1].layers.forEach((l, li) => {
      expect(l.frozenRound[grown[li]], l.name).toBe(2);
      expect(l.weights[grown[li]], l.name).toBe(-(2 ** preN1[li]));
    });
    model.dispose();
  });

  it('answers for every test image: the float model once at the start, the quantized model at each round end, from the scoring pass', async () => {
    const model = tinyConvNet(11);
    const train = quadrantData(64, 12);
    const test = quadrantData(40, 13);
    const expectedFloat = Uint8Array.from(await predictClasses(model, test));
    const events: InqEvent[] = [];
    const cfg: InqConfig = { ...config, schedule: [0.5, 1], epochsPerRound: 1 };
    await runInq({ model, train, test, config: cfg, onEvent: (e) => events.push(e) });
    const start = events.find((e) => e.type === 'start');
    if (start?.type !== 'start') throw new Error('no start event');
    const hits = (pred: Uint8Array): number => pred.reduce((a, p, i) => a + (p === test.labels[i] ? 1 : 0), 0) / test.count;
    expect(Array.from(start.testLabels)).toEqual(Array.from(test.labels));
    expect(Array.from(start.floatPredictions)).toEqual(Array.from(expectedFloat));
    expect(hits(start.floatPredictions)).toBeCloseTo(start.floatAccuracy, 12);
    const rounds = events.flatMap((e) => (e.type === 'roundEnd' ? [e.result] : []));
    expect(rounds).toHaveLength(2);
    for (const r of rounds) {
      expect(r.predictions).toBeInstanceOf(Uint8Array);
      expect(r.predictions!.length).toBe(test.count);
      expect(hits(r.predictions!)).toBeCloseTo(r.accuracy, 12);
    }
    // The last round's answers are the final model's.
    expect(Array.from(rounds[1].predictions!)).toEqual(Array.from(await predictClasses(model, test)));
    model.dispose();
  });

  it('a resumed run reuses the float answers it is given, and predicts them again from the float model when they are missing', async () => {
    const train = quadrantData(64, 14);
    const test = quadrantData(24, 15);
    const cfg: InqConfig = { ...config, schedule: [0.5, 1], epochsPerRound: 1 };
    const model = tinyConvNet(16);
    const floatAnswers = Uint8Array.from(await predictClasses(model, test));
    const events: InqEvent[] = [];
    const control = new RunControl();
    const first = runInq({ model, train, test, config: cfg, control, onEvent: (e) => events.push(e) });
    control.step('round');
    while (!events.some((e) => e.type === 'roundEnd')) await new Promise((r) => setTimeout(r, 20));
    control.cancel();
    await expect(first).rejects.toBeInstanceOf(CancelledError);
    const start = events.find((e) => e.type === 'start');
    const r1 = events.find((e) => e.type === 'roundEnd');
    if (start?.type !== 'start' || r1?.type !== 'roundEnd') throw new Error('missing events');
    const resumeFrom = (floatPredictions?: Uint8Array) => ({
      completedRounds: 1,
      layers: start.layers,
      weights: r1.result.layers.map((l) => l.weights),
      frozenRound: r1.result.layers.map((l) => l.frozenRound),
      floatAccuracy: start.floatAccuracy,
      floatLoss: start.floatLoss,
      lastRound: r1.result,
      ...(floatPredictions ? { floatPredictions } : {}),
    });
    const startOf = async (floatPredictions?: Uint8Array): Promise<Extract<InqEvent, { type: 'start' }>> => {
      // A fresh copy of the pre-trained model, as the worker builds for a resumed run.
      const fresh = tinyConvNet(16);
      const later: InqEvent[] = [];
      await runInq({ model: fresh, train, test, config: cfg, onEvent: (e) => later.push(e), resume: resumeFrom(floatPredictions) });
      fresh.dispose();
      const s = later.find((e) => e.type === 'start');
      if (s?.type !== 'start') throw new Error('no start event');
      return s;
    };
    // Given: used as they are (a recognisable stand-in shows they were not predicted again).
    const given = new Uint8Array(test.count).fill(1);
    expect(Array.from((await startOf(given)).floatPredictions)).toEqual(Array.from(given));
    // Missing, or for another number of images: predicted from the float model before its weights are replaced.
    expect(Array.from((await startOf()).floatPredictions)).toEqual(Array.from(floatAnswers));
    expect(Array.from((await startOf(new Uint8Array(3))).floatPredictions)).toEqual(Array.from(floatAnswers));
    model.dispose();
  });

  it('resets the learning rate and the optimizer state at the start of every round (Adam\'s first step moves each weight by lr)', async () => {
    // Adam's first step from fresh moments is lr·g/(|g| + ε) ≈ ±lr for every weight with a gradient;
    // with moments and step count carried over from the last round, or a decayed rate, it is not.
    const cfg: InqConfig = { ...config, optimizer: 'adam', learningRate: 0.01, weightDecay: 0, schedule: [0.3, 0.6, 0.8, 1], epochsPerRound: 2 };
    const model = tinyConvNet(8);
    const kernels = kernelsOf(model);
    const atStart = new Map<number, Float32Array[]>();
    const afterFirst = new Map<number, Float32Array[]>();
    const ends: RoundResult[] = [];
    const read = (): Float32Array[] => kernels.map((k) => Float32Array.from(k.variable.dataSync()));
    await runInq({
      model,
      train: quadrantData(96, 9),
      test: quadrantData(32, 10),
      config: cfg,
      onEvent: (e) => {
        if (e.type === 'roundStart') atStart.set(e.round, read());
        if (e.type === 'batch' && e.epoch === 1 && e.batch === 1) afterFirst.set(e.round, read());
        if (e.type === 'roundEnd') ends.push(e.result);
      },
    });
    expect([...afterFirst.keys()]).toEqual([1, 2, 3]);
    for (const round of [1, 2, 3]) {
      const ratios: number[] = [];
      ends[round - 1].layers.forEach((l, li) => {
        const w0 = atStart.get(round)![li];
        const w1 = afterFirst.get(round)![li];
        // Free through the whole round: free at its end (the partition leaves free weights as they are).
        for (let i = 0; i < w0.length; i++) if (l.frozenRound[i] === 0 && w1[i] !== w0[i]) ratios.push(Math.abs(w1[i] - w0[i]) / cfg.learningRate);
      });
      expect(ratios.length, `round ${round}`).toBeGreaterThan(50);
      const nearLr = ratios.filter((r) => Math.abs(r - 1) < 0.01).length / ratios.length;
      expect(nearLr, `round ${round}: share of first steps within 1 % of lr`).toBeGreaterThan(0.9);
    }
    model.dispose();
  });

  it('refuses bad configurations with a message naming the field', () => {
    expect(() => validateConfig({ ...config, bits: 1 })).toThrow(/bits/);
    expect(() => validateConfig({ ...config, schedule: [0.9, 0.5] })).toThrow(/schedule: step 2/);
    expect(() => validateConfig({ ...config, batchSize: 0 })).toThrow(/batch size/);
    expect(() => validateConfig({ ...config, learningRate: -1 })).toThrow(/learning rate/);
  });
});
