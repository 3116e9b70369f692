/** The export helpers: history as CSV and JSON, file names, the model files (which must load again), and the PNG layout box. */
import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import type { LayerInfo, RoundResult } from '../engine/types.ts';
import { cModelFiles, exportBaseName, frozenFraction, historyRows, historyToCsv, historyToJson, HISTORY_CSV_HEADER, HISTORY_FORMAT, packedModelFiles, tfjsModelFiles, unionBox } from './exportFiles.ts';
import { modelToArtifacts } from '../model/io.ts';
import { checkByoModel } from '../model/byoModel.ts';
import { buildModel } from '../model/architectures.ts';
import { buildPackedModel } from '../inq/packedModel.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** A round with two layers of 4 and 6 weights, `frozen` of them frozen in each. */
function round(n: number, portion: number, accuracy: number, frozen: [number, number]): RoundResult {
  const layer = (name: string, size: number, k: number) => ({
    name,
    weights: new Float32Array(size),
    frozenRound: Uint8Array.from({ length: size }, (_, i) => (i < k ? n : 0)),
    frozenCount: k,
    freeHistogram: new Uint32Array(4),
    histMin: -1,
    histMax: 1,
    levelCounts: Uint32Array.from([k, 0, 0]),
  });
  return { round: n, portion, accuracy, loss: 0.25 * n, epochLosses: [0.5, 0.4], seconds: 1.5 * n, trainSeconds: n, layers: [layer('c1', 4, frozen[0]), layer('d1', 6, frozen[1])] };
}

const rounds = [round(2, 1, 0.985, [4, 6]), round(1, 0.5, 0.9825, [2, 3])];
const layers: LayerInfo[] = [
  { name: 'c1', kind: 'Conv2D', shape: [2, 2], size: 4, n1: -1, n2: -4, preMaxAbs: 0.7, levels: new Float32Array([-0.5, 0, 0.5]) },
  { name: 'd1', kind: 'Dense', shape: [3, 2], size: 6, n1: -2, n2: -5, preMaxAbs: 0.3, levels: new Float32Array([-0.25, 0, 0.25]) },
];

describe('history export', () => {
  it('frozen fraction counts every kernel weight of the round', () => {
    expect(frozenFraction(rounds[1])).toBe(5 / 10);
    expect(frozenFraction(rounds[0])).toBe(1);
  });

  it('CSV: a header row, then one row per round in round order', () => {
    const csv = historyToCsv(rounds);
    const lines = csv.trimEnd().split('\r\n');
    expect(lines[0]).toBe('round,portion,accuracy,loss,frozen_fraction,seconds');
    expect(lines[0].split(',')).toEqual([...HISTORY_CSV_HEADER]);
    expect(lines.slice(1)).toEqual(['1,0.5,0.9825,0.25,0.5,1.5', '2,1,0.985,0.5,1,3']);
    expect(csv.endsWith('\r\n')).toBe(true);
    expect(historyToCsv([])).toBe('round,portion,accuracy,loss,frozen_fraction,seconds\r\n');
  });

  it('CSV leaves a cell empty for a number that is not finite', () => {
    const r = { ...round(1, 0.5, 0.9, [1, 1]), loss: NaN };
    expect(historyToCsv([r]).split('\r\n')[1]).toBe('1,0.5,0.9,,0.2,1.5');
  });

  it('JSON: settings, layers and rounds without the weights, and it parses back', () => {
    const text = historyToJson({
      runId: 'run-1',
      model: { name: 'lenet5', title: 'LeNet-5' },
      config: null,
      floatAccuracy: 0.99,
      layers,
      rounds,
      epochLosses: [{ round: 1, epoch: 1, loss: 0.5 }],
      summary: null,
    });
    const doc = JSON.parse(text);
    expect(doc.format).toBe(HISTORY_FORMAT);
    expect(doc.rounds.map((r: { round: number }) => r.round)).toEqual([1, 2]);
    expect(doc.rounds[0]).toMatchObject({ portion: 0.5, accuracy: 0.9825, frozenFraction: 0.5, layers: [{ name: 'c1', frozenCount: 2, size: 4, levelCounts: [2, 0, 0] }, { name: 'd1', frozenCount: 3, size: 6 }] });
    expect(doc.rounds[0].weights).toBeUndefined();
    expect(doc.layers[1]).toMatchObject({ name: 'd1', n1: -2, n2: -5, levels: [-0.25, 0, 0.25] });
    expect(doc.model).toEqual({ name: 'lenet5', title: 'LeNet-5' });
    expect(historyRows(rounds).map((r) => r.round)).toEqual([1, 2]);
  });

  it('file names are safe', () => {
    expect(exportBaseName('lenet5', 5)).toBe('inq-lenet5-5bit');
    expect(exportBaseName('My Model (v2).json', null)).toBe('inq-my-model-v2');
    expect(exportBaseName('../../etc', 3)).toBe('inq-etc-3bit');
    expect(exportBaseName(null, null)).toBe('inq-model');
  });
});

describe('model export', () => {
  it('tfjs files are model.json and the weights file its manifest names, and they load again', async () => {
    const model = buildModel('lenet5', 1);
    const artifacts = await modelToArtifacts(model, { inq: { model: 'lenet5', quantized: true } });
    model.dispose();
    const files = tfjsModelFiles(artifacts);
    expect(files.map((f) => f.name)).toEqual(['model.json', 'weights.bin']);
    const checked = checkByoModel(files[0].data as string, new Map([[files[1].name, files[1].data as ArrayBuffer]]));
    expect(checked.layers.map((l) => l.name)).toEqual(['conv1', 'conv2', 'fc1', 'fc2', 'fc3']);
    expect(checked.params).toBe(61706);
  });

  it('packed files are packed.json and the codes file its manifest names', () => {
    const { manifest, codes } = buildPackedModel(
      { model: 'm', inputShape: [28, 28, 1], numClasses: 10, codesFile: 'codes.bin', layers: [{ name: 'd', kind: 'Dense', shape: [784, 10], layout: 'IO', count: 7840, bits: 5, n1: -1, bias: new Array(10).fill(0) }], ops: [{ op: 'flatten' }, { op: 'dense', layer: 'd', relu: false }] },
      [new Uint32Array(Math.ceil((7840 * 5) / 32))],
    );
    const files = packedModelFiles({ manifest, codes });
    expect(files.map((f) => f.name)).toEqual(['packed.json', 'codes.bin']);
    expect(JSON.parse(files[0].data as string).codesFile).toBe('codes.bin');
  });

  it('C files are model.h and model.c, with inq_predict and the packed codes', () => {
    const { manifest, codes } = buildPackedModel(
      { model: 'm', inputShape: [28, 28, 1], numClasses: 10, codesFile: 'codes.bin', layers: [{ name: 'd', kind: 'Dense', shape: [784, 10], layout: 'IO', count: 7840, bits: 5, n1: -1, bias: new Array(10).fill(0.5) }], ops: [{ op: 'flatten' }, { op: 'dense', layer: 'd', relu: false }] },
      [new Uint32Array(Math.ceil((7840 * 5) / 32))],
    );
    const files = cModelFiles({ manifest, codes });
    expect(files.map((f) => f.name)).toEqual(['model.h', 'model.c']);
    expect(files[0].data).toContain('int inq_predict(const int32_t *input, int32_t *logits);');
    expect(files[1].data).toContain('static const uint32_t d_codes[1225]');
    // A manifest the shift kernels cannot run is refused with the reason.
    expect(() => cModelFiles({ manifest: { ...manifest, numClasses: 7 }, codes })).toThrow(/7 classes/);
  });
});

describe('PNG layout', () => {
  it('the union box holds every part, padded', () => {
    expect(unionBox([{ left: 10, top: 20, width: 100, height: 50 }, { left: 50, top: 5, width: 10, height: 10 }], 2)).toEqual({ left: 8, top: 3, width: 104, height: 69 });
    expect(unionBox([])).toEqual({ left: 0, top: 0, width: 0, height: 0 });
  });
});
