/** Small, recognisable runs for the saved-runs tests (test code only; nothing in the page imports it). */
import { IDBFactory } from 'fake-indexeddb';
import type { LayerInfo, RoundResult, RunSummary } from '../engine/types.ts';

/** A fresh, empty in-memory IndexedDB installed as the global one (idb opens the global `indexedDB`). */
export function freshIndexedDb(): IDBFactory {
  const f = new IDBFactory();
  globalThis.indexedDB = f;
  return f;
}

/** Two small layers, as a run's 'start' event describes them. */
export function fakeLayers(): LayerInfo[] {
  return [
    { name: 'conv1', kind: 'conv2d', shape: [2, 2, 1, 2], size: 8, n1: -1, n2: -8, preMaxAbs: 0.7, levels: new Float32Array([-0.5, 0, 0.5]) },
    { name: 'dense1', kind: 'dense', shape: [3, 2], size: 6, n1: -2, n2: -9, preMaxAbs: 0.3, levels: new Float32Array([-0.25, 0, 0.25]) },
  ];
}

/** A round result over fakeLayers with recognisable weights. */
export function fakeRound(round: number, accuracy: number, portion = round / 4): RoundResult {
  return {
    round,
    portion,
    accuracy,
    loss: 1 - accuracy,
    epochLosses: [0.5 / round],
    seconds: 1.5,
    trainSeconds: 1.2,
    layers: fakeLayers().map((l) => ({
      name: l.name,
      weights: Float32Array.from({ length: l.size }, (_, i) => round + i / 100),
      frozenRound: Uint8Array.from({ length: l.size }, (_, i) => (i < l.size / 2 ? round : 0)),
      frozenCount: l.size / 2,
      freeHistogram: new Uint32Array([1, 2, 3]),
      histMin: -1,
      histMax: 1,
      levelCounts: new Uint32Array([1, 1, 1]),
    })),
  };
}

/** A finished run's summary with the given final accuracy. */
export function fakeSummary(finalAccuracy: number, rounds = 4): RunSummary {
  return {
    floatAccuracy: 0.98,
    floatLoss: 0.05,
    finalAccuracy,
    finalLoss: 0.07,
    floatBytes: 4000,
    packedBytes: 700,
    kernelFloatBytes: 3000,
    kernelPackedBytes: 400,
    allLevels: true,
    rounds,
    seconds: 12,
  };
}
