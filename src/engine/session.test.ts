import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { runInq, validateConfig } from './session.ts';
import { RunControl, CancelledError } from './control.ts';
import { DEFAULT_CONFIG, type InqConfig, type InqEvent } from './types.ts';
import { tinyConvNet } from '../model/testModels.ts';
import { kernelsOf } from '../model/quantLayers.ts';
import { isLevel, levelSet } from '../inq/levels.ts';
import { quadrantData } from '../testing/syntheticData.ts';

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
        expect(set.n1).toBe(info.n1);
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

  it('refuses bad configurations with a message naming the field', () => {
    expect(() => validateConfig({ ...config, bits: 1 })).toThrow(/bits/);
    expect(() => validateConfig({ ...config, schedule: [0.9, 0.5] })).toThrow(/schedule: step 2/);
    expect(() => validateConfig({ ...config, batchSize: 0 })).toThrow(/batch size/);
    expect(() => validateConfig({ ...config, learningRate: -1 })).toThrow(/learning rate/);
  });
});
