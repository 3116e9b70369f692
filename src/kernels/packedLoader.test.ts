/** Packed model → shift layers: the shape chain is checked op by op, and a packed tfjs model predicts the same on the GPU. */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { packedCodeBytes } from '../inq/codec.ts';
import { levelSet, maxAbs } from '../inq/levels.ts';
import { PackedFormatError, buildPackedModel, loadPackedModel } from '../inq/packedModel.ts';
import type { PackedLayerEntry, PackedOp } from '../inq/packedModel.ts';
import { quantizeAll } from '../inq/quantize.ts';
import type { Rng } from '../inq/rng.ts';
import { packModel } from '../model/exportPacked.ts';
import { shiftProgramFromPacked } from './packedLoader.ts';
import { maxRelErr } from './parity.ts';
import { ShiftNetwork } from './shiftNetwork.ts';
import { forCases, gpuIt, setupGpu } from './gpuTestSetup.ts';

const gpu = setupGpu();

type LayerSpec = Pick<PackedLayerEntry, 'name' | 'kind' | 'shape'>;

/** A packed model with all-zero codes (valid) from layer shapes and ops; validated by loadPackedModel. */
function packed(layers: LayerSpec[], ops: PackedOp[], inputShape: [number, number, number] = [28, 28, 1], numClasses = 10): ReturnType<typeof loadPackedModel> {
  const bits = 5;
  const entries = layers.map((l) => ({
    ...l,
    layout: l.kind === 'Conv2D' ? ('HWIO' as const) : ('IO' as const),
    count: l.shape.reduce((a, b) => a * b, 1),
    bits,
    n1: -1,
    bias: new Array<number>(l.shape[l.shape.length - 1]).fill(0),
  }));
  const words = entries.map((e) => new Uint32Array(packedCodeBytes(e.count, bits) / 4));
  const { manifest, codes } = buildPackedModel({ model: 'test', inputShape, numClasses, codesFile: 'codes.bin', layers: entries, ops }, words);
  return loadPackedModel(JSON.parse(JSON.stringify(manifest)), codes, 'packed.json');
}

const LENET_LAYERS: LayerSpec[] = [
  { name: 'conv1', kind: 'Conv2D', shape: [5, 5, 1, 6] },
  { name: 'conv2', kind: 'Conv2D', shape: [5, 5, 6, 16] },
  { name: 'fc1', kind: 'Dense', shape: [400, 120] },
  { name: 'fc2', kind: 'Dense', shape: [120, 84] },
  { name: 'fc3', kind: 'Dense', shape: [84, 10] },
];
const pool: PackedOp = { op: 'maxpool', size: [2, 2], strides: [2, 2] };
const conv = (layer: string, padding: 'same' | 'valid', strides: [number, number] = [1, 1]): PackedOp => ({ op: 'conv2d', layer, strides, padding, relu: true });
const dense = (layer: string, relu = true): PackedOp => ({ op: 'dense', layer, relu });
const LENET_OPS: PackedOp[] = [conv('conv1', 'same'), pool, conv('conv2', 'valid'), pool, { op: 'flatten' }, dense('fc1'), dense('fc2'), dense('fc3', false)];

/** The error message of shiftProgramFromPacked on this model (fails the test if it does not throw PackedFormatError). */
function refusal(model: ReturnType<typeof loadPackedModel>): string {
  try {
    shiftProgramFromPacked(model, 'packed.json');
  } catch (e) {
    expect(e).toBeInstanceOf(PackedFormatError);
    return (e as Error).message;
  }
  throw new Error('the loader accepted a model it should refuse');
}

describe('shiftProgramFromPacked: shape chain', () => {
  it('chains LeNet-5 from [28, 28, 1] to 10 logits', () => {
    const p = shiftProgramFromPacked(packed(LENET_LAYERS, LENET_OPS));
    expect(p.layers.map((l) => l.kind)).toEqual(['conv2d', 'maxPool2d', 'conv2d', 'maxPool2d', 'flatten', 'dense', 'dense', 'dense']);
    expect(p.layers.map((l) => l.name)).toEqual(['conv1', 'pool1', 'conv2', 'pool2', 'flatten', 'fc1', 'fc2', 'fc3']);
    expect(p.shapes).toEqual([[28, 28, 6], [14, 14, 6], [10, 10, 16], [5, 5, 16], [400], [120], [84], [10]]);
    expect(p.inputShape).toEqual([28, 28, 1]);
    const fc3 = p.layers[7];
    expect(fc3.kind === 'dense' && fc3.relu).toBe(false);
  });

  it('refuses a dense layer whose input size is not the flattened size', () => {
    const layers = LENET_LAYERS.map((l) => (l.name === 'fc1' ? { ...l, shape: [256, 120] } : l));
    expect(refusal(packed(layers, LENET_OPS))).toMatch(/op 5 \(dense "fc1"\): the kernel \[256, 120\] expects 256 inputs, the previous op gives 400/);
  });

  it('refuses a dense layer on an unflattened input', () => {
    const ops = LENET_OPS.filter((o) => o.op !== 'flatten');
    expect(refusal(packed(LENET_LAYERS, ops))).toMatch(/dense "fc1".*needs a flat input.*\[5, 5, 16\].*flatten op is missing/);
  });

  it('refuses a conv whose kernel expects other input channels', () => {
    const layers = LENET_LAYERS.map((l) => (l.name === 'conv2' ? { ...l, shape: [5, 5, 3, 16] } : l));
    expect(refusal(packed(layers, LENET_OPS))).toMatch(/op 2 \(conv2d "conv2"\): .*expects 3 input channels, the input \[14, 14, 6\] has 6/);
  });

  it('refuses a conv after flatten, and a valid conv larger than its input', () => {
    const afterFlatten: PackedOp[] = [conv('conv1', 'same'), { op: 'flatten' }, conv('conv2', 'valid'), dense('fc1')];
    expect(refusal(packed(LENET_LAYERS.slice(0, 3), afterFlatten))).toMatch(/conv2d "conv2".*needs an \[h, w, c\] input/);
    const tooSmall = packed([{ name: 'c', kind: 'Conv2D', shape: [5, 5, 1, 2] }, { name: 'd', kind: 'Dense', shape: [2, 10] }], [conv('c', 'valid'), { op: 'flatten' }, dense('d')], [4, 4, 1]);
    expect(refusal(tooSmall)).toMatch(/5×5 "valid" conv needs an input of at least 5×5, got \[4, 4, 1\]/);
  });

  it('refuses pools and strides the shift kernels do not have', () => {
    const pool3: PackedOp = { op: 'maxpool', size: [3, 3], strides: [3, 3] };
    const replaced = (at: number, op: PackedOp): PackedOp[] => LENET_OPS.map((o, i) => (i === at ? op : o));
    expect(refusal(packed(LENET_LAYERS, replaced(1, pool3)))).toMatch(/op 1 \(maxpool\): only a 2×2 pool with stride 2/);
    expect(refusal(packed(LENET_LAYERS, replaced(0, conv('conv1', 'same', [1, 2]))))).toMatch(/strides \[1, 2\] differ per axis/);
    expect(refusal(packed(LENET_LAYERS, replaced(0, conv('conv1', 'same', [3, 3]))))).toMatch(/stride 3 is not supported/);
  });

  it('refuses a chain that does not end in numClasses logits, unused layers and layers used twice', () => {
    expect(refusal(packed(LENET_LAYERS, LENET_OPS, [28, 28, 1], 12))).toMatch(/last op gives \[10\] but the model has 12 classes/);
    expect(refusal(packed(LENET_LAYERS, LENET_OPS.slice(0, -1)))).toMatch(/layer "fc3" not used by any op/);
    const twice = [...LENET_OPS.slice(0, -1), dense('fc2'), dense('fc3', false)];
    const layers = LENET_LAYERS.map((l) => (l.name === 'fc2' ? { ...l, shape: [120, 120] } : l));
    expect(refusal(packed(layers, twice))).toMatch(/op 7 \(dense "fc2"\): uses a layer that an earlier op already used/);
  });

  it('refuses malformed op fields that loadPackedModel lets through, and a conv op on a dense layer', () => {
    const bad = (patch: Record<string, unknown>): PackedOp[] => LENET_OPS.map((o, i) => (i === 0 ? ({ ...o, ...patch } as PackedOp) : o));
    expect(refusal(packed(LENET_LAYERS, bad({ padding: 'full' })))).toMatch(/padding must be "same" or "valid"/);
    expect(refusal(packed(LENET_LAYERS, bad({ relu: 'yes' })))).toMatch(/relu must be true or false/);
    expect(refusal(packed(LENET_LAYERS, bad({ strides: 1 })))).toMatch(/strides must be two positive whole numbers/);
    expect(refusal(packed(LENET_LAYERS, bad({ layer: 'fc1' })))).toMatch(/layer is a Dense, not a Conv2D/);
  });
});

/** A tiny conv + pool + conv(stride 2) + flatten + dense net with random quantized kernels (cpu backend). */
function tinyQuantizedModel(rng: Rng, bits: number): { model: tf.Sequential; n1: Map<string, number> } {
  const m = tf.sequential({ name: 'tiny' });
  m.add(tf.layers.conv2d({ inputShape: [12, 12, 2], filters: 4, kernelSize: 3, padding: 'same', activation: 'relu', name: 'c1' }));
  m.add(tf.layers.maxPooling2d({ poolSize: 2, strides: 2, name: 'p1' }));
  m.add(tf.layers.conv2d({ filters: 5, kernelSize: 3, strides: 2, padding: 'valid', activation: 'relu', name: 'c2' }));
  m.add(tf.layers.flatten({ name: 'f' }));
  m.add(tf.layers.dense({ units: 7, activation: 'relu', name: 'd1' }));
  m.add(tf.layers.dense({ units: 3, name: 'd2' }));
  const n1 = new Map<string, number>();
  for (const layer of m.layers) {
    const ws = layer.getWeights();
    if (ws.length !== 2) continue;
    const [k, b] = ws;
    const fan = k.shape.slice(0, -1).reduce((a, c) => a * c, 1);
    const w = Float32Array.from({ length: k.size }, () => (rng.next() < 0.1 ? 0 : rng.normal() * Math.sqrt(2 / fan)));
    const set = levelSet(bits, maxAbs(w));
    n1.set(layer.name, set.n1);
    layer.setWeights([tf.tensor(quantizeAll(w, set), k.shape), tf.tensor(Float32Array.from({ length: b.size }, () => rng.normal() * 0.1), b.shape)]);
  }
  return { model: m, n1 };
}

describe('a packed tfjs model on the shift kernels', () => {
  beforeAll(async () => {
    // The reference runs on tfjs's cpu backend, so it never shares the GPU device with the kernels.
    await tf.setBackend('cpu');
  });

  gpuIt('predicts what tfjs predicts (agreement 1, logits within 1e-4 relative), for several bit-widths', async () => {
    await forCases(3, 11, async (rng) => {
      const bits = 3 + rng.int(6);
      const { model, n1 } = tinyQuantizedModel(rng, bits);
      const { manifest, codes } = await packModel(model, bits, n1, 'tiny');
      const program = shiftProgramFromPacked(loadPackedModel(JSON.parse(JSON.stringify(manifest)), codes));
      expect(program.shapes.at(-1)).toEqual([3]);
      const batch = 16;
      const x = Float32Array.from({ length: batch * 12 * 12 * 2 }, () => (rng.next() < 0.3 ? 0 : rng.next()));
      const ref = tf.tidy(() => model.predict(tf.tensor(x, [batch, 12, 12, 2])) as tf.Tensor);
      const want = new Float32Array(await ref.data());
      ref.dispose();
      expect(maxAbs(want), 'the reference logits are not all zero').toBeGreaterThan(0);
      for (const mode of ['float', 'fixed'] as const) {
        const net = await ShiftNetwork.create(gpu.device(), program.layers, program.inputShape, { mode, kernels: gpu.kernels() });
        try {
          const { logits } = await net.forward(x, batch);
          const err = maxRelErr(logits, want);
          // fixed-shift rounds activations to ≥ 20 fractional bits: close, not identical.
          expect(err, `${mode} mode, ${bits} bits: max rel. error of the logits`).toBeLessThanOrEqual(mode === 'float' ? 1e-4 : 1e-3);
          if (mode === 'float') {
            for (let i = 0; i < batch; i++) {
              const row = (a: Float32Array): number => a.subarray(i * 3, i * 3 + 3).reduce((best, v, j, r) => (v > r[best] ? j : best), 0);
              expect(row(logits), `sample ${i}`).toBe(row(want));
            }
          }
        } finally {
          net.destroy();
        }
      }
      model.dispose();
    });
  });
});
