import { describe, expect, it } from 'vitest';
import { createPlaygroundStore } from './store.ts';
import { DEFAULT_PLAYGROUND_CONFIG, isRunActive } from './types.ts';
import { DEFAULT_CONFIG } from '../engine/types.ts';
import type { RoundResult } from '../engine/types.ts';
import type { BackendChoice } from '../model/backendPrefs.ts';

const CPU = { backend: 'cpu', reason: 'test', adapter: null } as unknown as BackendChoice; // only its identity matters here

function round(n: number, accuracy = 0.9): RoundResult {
  return { round: n, portion: n / 2, accuracy, loss: 0.3, epochLosses: [0.5, 0.4], seconds: 1, trainSeconds: 1, layers: [] };
}

const ready = () => {
  const s = createPlaygroundStore();
  s.getState().workerReady({ backend: CPU, model: { name: 'lenet5', title: 'LeNet-5', params: 10, pretrainedAccuracy: null, layers: [] }, trainCount: 100, testCount: 50 });
  return s;
};

describe('run actions: every run-state transition in the store', () => {
  it('start clears the last run; round end, pause, finish and clear move the status as named', () => {
    const s = ready();
    const a = () => s.getState();
    a().startRun('r1', DEFAULT_PLAYGROUND_CONFIG);
    expect(a()).toMatchObject({ runId: 'r1', status: 'running', rounds: [], progress: { round: 0, rounds: 4 } });
    a().runEvent({ type: 'roundEnd', result: round(1) });
    a().endRound(round(1, 0.95));
    expect(a().rounds.map((r) => r.accuracy)).toEqual([0.95]);
    a().pauseRun();
    expect(isRunActive(a().status)).toBe(true);
    a().finishRun('cancelled');
    expect(isRunActive(a().status)).toBe(false);
    a().startRun('r2', DEFAULT_PLAYGROUND_CONFIG);
    expect(a().rounds).toEqual([]);
    a().endRound(round(1));
    a().clearRun();
    expect(a()).toMatchObject({ runId: null, status: 'ready', rounds: [], progress: null, canContinue: false });
  });

  it('fail: a refused run leaves the worker ready; a lost device or a crash offers to continue', () => {
    const s = ready();
    s.getState().startRun('r1', DEFAULT_PLAYGROUND_CONFIG);
    s.getState().failRun({ message: 'too large', recoverable: true, deviceLost: false });
    expect(s.getState()).toMatchObject({ status: 'ready', message: 'too large', canContinue: false });
    s.getState().startRun('r2', DEFAULT_PLAYGROUND_CONFIG);
    s.getState().failRun({ message: 'device lost', recoverable: true, deviceLost: true });
    expect(s.getState()).toMatchObject({ status: 'error', canContinue: true });
    s.getState().startRun('r3', DEFAULT_PLAYGROUND_CONFIG);
    s.getState().workerCrashed('boom');
    expect(s.getState()).toMatchObject({ status: 'error', canContinue: true });
    expect(s.getState().message).toMatch(/crashed: boom/);
  });

  it('answers per image: the start event keeps the float model\'s with the labels, each round end its own; a new run forgets them', () => {
    const s = ready();
    const a = () => s.getState();
    a().startRun('r1', DEFAULT_PLAYGROUND_CONFIG);
    const labels = Uint8Array.from([3, 1, 4, 1, 5]);
    const floatPredictions = Uint8Array.from([3, 1, 4, 7, 5]);
    a().runEvent({ type: 'start', layers: [], rounds: 2, floatAccuracy: 0.8, floatLoss: 0.2, oneShotAccuracy: 0.7, config: { ...DEFAULT_CONFIG }, resumedAfter: 0, floatPredictions, testLabels: labels });
    expect(a().floatPredictions).toEqual({ classes: floatPredictions, labels });
    expect(a().oneShotAccuracy).toBe(0.7);
    const r1 = { ...round(1, 0.6), predictions: Uint8Array.from([3, 2, 4, 7, 5]) };
    a().runEvent({ type: 'roundEnd', result: r1 });
    expect(a().rounds[0].predictions).toBe(r1.predictions);
    a().startRun('r2', DEFAULT_PLAYGROUND_CONFIG);
    expect(a().floatPredictions).toBeNull();
  });

  it('continue: a saved run\'s rounds become the history and its loss curve, and it trains on', () => {
    const s = ready();
    s.getState().continueRun({ runId: 'saved', layers: [], floatAccuracy: 0.99, rounds: [round(1), round(2)], totalRounds: 4, epochsPerRound: 2 });
    expect(s.getState()).toMatchObject({ runId: 'saved', status: 'running', floatAccuracy: 0.99, progress: { round: 2, rounds: 4, epochs: 2 } });
    expect(s.getState().epochLosses).toHaveLength(4);
  });

  it('your own model: a refusal goes back to the status before and says why', () => {
    const s = ready();
    s.getState().modelLoadStarted();
    expect(s.getState()).toMatchObject({ status: 'loading', modelLoading: true });
    s.getState().modelRefused('not a Layers model', 'ready');
    expect(s.getState()).toMatchObject({ status: 'ready', modelLoading: false, modelError: 'not a Layers model' });
  });
});

describe('sensitivity actions', () => {
  const result = (bits: number) => ({
    bits,
    levels: 'pow2' as const,
    testSize: 50,
    floatAccuracy: 0.98,
    floatLoss: 0.1,
    layers: [{ layer: 'conv1', accuracy: 0.97, loss: 0.12, drop: 0.01 }],
  });
  it('a request runs, counts layers and ends with its result; an answer to an older request is dropped', () => {
    const s = ready();
    const a = () => s.getState();
    a().sensitivityRequested(1, 3, 'pow2', 50);
    a().sensitivityRequested(2, 5, 'pow2', 50);
    a().sensitivityProgress(1, 1, 5);
    expect(a().sensitivity).toMatchObject({ id: 2, status: 'running', bits: 5, done: 0 });
    a().sensitivityProgress(2, 2, 5);
    expect(a().sensitivity).toMatchObject({ done: 2, total: 5 });
    a().sensitivityAnswered(1, result(3));
    expect(a().sensitivity.status).toBe('running');
    a().sensitivityAnswered(2, result(5));
    expect(a().sensitivity).toMatchObject({ status: 'done', result: { bits: 5 }, done: 1, total: 1 });
    a().sensitivityRequested(3, 4, 'pow2', 50);
    a().sensitivityFailed(3, 'a run is in progress');
    expect(a().sensitivity).toMatchObject({ status: 'error', message: 'a run is in progress', result: null });
  });
});
