import { existsSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { LAYER_HEADER_BYTES } from '../inq/codec.ts';
import { readPackedModelDir } from '../kernels/nodePacked.ts';
import { loadModelDir } from '../model/nodeIo.ts';
import { loadPackedModel } from '../inq/packedModel.ts';
import { packModel } from '../model/exportPacked.ts';
import { packedSizes, softmax } from './demo.ts';

/** The committed pre-quantized model the demo runs by default. */
const DEMO_DIR = 'public/models/lenet5-inq5';
const haveModel = existsSync(`${DEMO_DIR}/packed.json`) && existsSync(`${DEMO_DIR}/model.json`);

describe('draw-a-digit demo helpers', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('softmax sums to 1, keeps the order and survives large logits', () => {
    const p = softmax(Float32Array.from([1000, 999, -1000, 0]));
    expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
    expect(p[0]).toBeGreaterThan(p[1]);
    expect(p[2]).toBe(0);
    expect(Array.from(softmax(new Float32Array(4))).every((v) => Math.abs(v - 0.25) < 1e-7)).toBe(true);
  });

  it.skipIf(!haveModel)('the committed 5-bit model: packed size counts codes, headers and float32 biases, about 6.3× below float32', () => {
    const packed = readPackedModelDir(DEMO_DIR);
    const { packedBytes, floatBytes } = packedSizes(packed.manifest);
    const biases = packed.manifest.layers.reduce((a, l) => a + l.bias.length, 0);
    const weights = packed.manifest.layers.reduce((a, l) => a + l.count, 0);
    expect(packedBytes).toBe(packed.manifest.codesBytes + LAYER_HEADER_BYTES * packed.manifest.layers.length + 4 * biases);
    expect(floatBytes).toBe(4 * (weights + biases));
    expect(floatBytes / packedBytes).toBeGreaterThan(6);
    expect(floatBytes / packedBytes).toBeLessThan(6.4);
  });

  it.skipIf(!haveModel)('packing a run\'s model with its n1 per layer, as the worker does for the demo, gives the same codes as `inq run --out`', async () => {
    const packed = readPackedModelDir(DEMO_DIR);
    const model = await loadModelDir(DEMO_DIR);
    try {
      const n1 = new Map(packed.manifest.layers.map((l) => [l.name, l.n1]));
      const files = await packModel(model, packed.manifest.layers[0].bits, n1, packed.manifest.model);
      const again = loadPackedModel(files.manifest, files.codes, 'the run\'s packed model');
      expect(again.manifest.ops).toEqual(packed.manifest.ops);
      again.codes.forEach((words, i) => expect(Array.from(words), packed.manifest.layers[i].name).toEqual(Array.from(packed.codes[i])));
    } finally {
      model.dispose();
    }
  });
});
