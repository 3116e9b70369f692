/**
 * The wasm training kernels against tfjs's cpu backend, on random inputs (never zeros), with explicit
 * tolerances: every stride, padding (same, valid, explicit) and window the built-in models and the
 * your-own-model loader accept, then whole training runs compared step by step.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { buildModel } from './architectures.ts';
import { loadWasm } from './backend.ts';
import { MaskedTrainer } from './trainer.ts';
import { kernelsOf } from './quantLayers.ts';
import { createRng } from '../inq/rng.ts';

type Pad = 'same' | 'valid' | [[number, number], [number, number], [number, number], [number, number]];

beforeAll(async () => {
  expect(await loadWasm()).not.toBeNull();
  expect(await tf.setBackend('cpu')).toBe(true);
});

/** Random values in [-1, 1) from a seed, with no exact zeros. */
function random(n: number, seed: number): Float32Array {
  const r = createRng(seed);
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = r.next() * 2 - 1 || 0.5;
  return a;
}

const size = (s: number[]): number => s.reduce((a, b) => a * b, 1);

/** Runs `f` on a backend over fresh copies of the inputs and returns its outputs' values. */
async function on(backend: 'cpu' | 'wasm', inputs: { shape: number[]; values: Float32Array }[], f: (...t: tf.Tensor[]) => tf.Tensor[]): Promise<Float32Array[]> {
  expect(await tf.setBackend(backend)).toBe(true);
  const before = tf.memory().numTensors;
  const ts = inputs.map((i) => tf.tensor(i.values, i.shape, 'float32'));
  const outs = f(...ts);
  const values = await Promise.all(outs.map(async (o) => new Float32Array(await o.data())));
  tf.dispose([...ts, ...outs]);
  expect(tf.memory().numTensors).toBe(before);
  return values;
}

/** Largest |a - b| over the largest |b| (b is the reference). */
function relError(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let d = 0;
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    d = Math.max(d, Math.abs(a[i] - b[i]));
    m = Math.max(m, Math.abs(b[i]));
  }
  return d / Math.max(m, 1e-12);
}

/** Same on both backends to `tol`, relative to the reference's largest value. */
async function agree(inputs: { shape: number[]; values: Float32Array }[], f: (...t: tf.Tensor[]) => tf.Tensor[], tol: number): Promise<void> {
  const ref = await on('cpu', inputs, f);
  const got = await on('wasm', inputs, f);
  ref.forEach((r, i) => {
    expect(r.some((v) => v !== 0), 'the reference must not be all zeros').toBe(true);
    expect(relError(got[i], r)).toBeLessThan(tol);
  });
}

// Float32 sums of up to a few thousand terms in a different order: 1e-5 of the largest value is ~100 ulps.
const TOL = 1e-5;

interface ConvCase {
  x: [number, number, number, number];
  k: [number, number];
  co: number;
  strides: [number, number];
  pad: Pad;
}

const CONV_CASES: ConvCase[] = [
  { x: [4, 28, 28, 1], k: [5, 5], co: 6, strides: [1, 1], pad: 'same' }, // LeNet-5 conv1
  { x: [4, 14, 14, 6], k: [5, 5], co: 16, strides: [1, 1], pad: 'valid' }, // LeNet-5 conv2
  { x: [3, 7, 7, 32], k: [3, 3], co: 8, strides: [1, 1], pad: 'same' }, // the wide net's 3×3 same
  { x: [3, 9, 11, 3], k: [3, 3], co: 4, strides: [2, 2], pad: 'same' },
  { x: [3, 10, 9, 3], k: [3, 2], co: 5, strides: [2, 2], pad: 'valid' }, // stride leaves a row unused
  { x: [2, 12, 12, 2], k: [4, 4], co: 3, strides: [3, 2], pad: 'same' },
  { x: [2, 8, 9, 2], k: [1, 1], co: 3, strides: [2, 1], pad: 'valid' },
  { x: [2, 8, 8, 3], k: [3, 3], co: 4, strides: [1, 1], pad: [[0, 0], [1, 2], [0, 1], [0, 0]] },
  { x: [2, 9, 8, 3], k: [3, 3], co: 4, strides: [2, 2], pad: [[0, 0], [2, 0], [1, 1], [0, 0]] },
  { x: [2, 6, 6, 2], k: [2, 2], co: 3, strides: [1, 1], pad: [[0, 0], [3, 3], [2, 4], [0, 0]] }, // wider than the filter: the fallback
];

const label = (c: { x: number[]; strides: number[]; pad: Pad }, extra: string): string => `x ${c.x.join('×')}, ${extra}, strides ${c.strides.join(',')}, pad ${JSON.stringify(c.pad)}`;

describe('Conv2D gradients on wasm (Conv2DBackpropFilter, Conv2DBackpropInput) match cpu', () => {
  for (const [i, c] of CONV_CASES.entries()) {
    it(label(c, `filter ${c.k.join('×')}×${c.co}`), async () => {
      const w: [number, number, number, number] = [c.k[0], c.k[1], c.x[3], c.co];
      const y = tf.backend_util.computeConv2DInfo(c.x, w, c.strides, 1, c.pad).outShape;
      const inputs = [
        { shape: c.x, values: random(size(c.x), 10 + i) },
        { shape: w, values: random(size(w), 100 + i) },
        { shape: y, values: random(size(y), 1000 + i) },
      ];
      await agree(
        inputs,
        (x, f, dy) => {
          const [dx, df] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.strides, c.pad))([x, f], dy);
          return [dx, df];
        },
        TOL,
      );
    });
  }
});

interface PoolCase {
  x: [number, number, number, number];
  pool: [number, number];
  strides: [number, number];
  pad: 'same' | 'valid';
}

const POOL_CASES: PoolCase[] = [
  { x: [4, 28, 28, 6], pool: [2, 2], strides: [2, 2], pad: 'valid' }, // LeNet-5
  { x: [3, 7, 7, 4], pool: [2, 2], strides: [2, 2], pad: 'valid' }, // odd size: the last row is dropped
  { x: [3, 7, 7, 4], pool: [2, 2], strides: [2, 2], pad: 'same' },
  { x: [2, 9, 8, 3], pool: [3, 3], strides: [2, 2], pad: 'same' }, // overlapping windows
  { x: [2, 8, 8, 3], pool: [3, 2], strides: [1, 1], pad: 'valid' },
  { x: [2, 10, 10, 2], pool: [2, 2], strides: [3, 3], pad: 'valid' }, // gaps between windows
];

describe('MaxPoolGrad on wasm matches cpu', () => {
  for (const [i, c] of POOL_CASES.entries()) {
    it(label(c, `pool ${c.pool.join('×')}`), async () => {
      const y = tf.backend_util.computePool2DInfo(c.x, c.pool, c.strides, 1, c.pad).outShape;
      const inputs = [
        { shape: c.x, values: random(size(c.x), 20 + i) },
        { shape: y, values: random(size(y), 200 + i) },
      ];
      await agree(inputs, (x, dy) => [tf.grad((a: tf.Tensor) => tf.maxPool(a as tf.Tensor4D, c.pool, c.strides, c.pad))(x, dy)], TOL);
    });
  }

  it('breaks ties as cpu does (ReLU zeros: the first maximum of each window gets the gradient)', async () => {
    const x: [number, number, number, number] = [2, 8, 8, 3];
    const values = random(size(x), 7).map((v) => Math.max(0, v)); // about half the inputs are exact zeros, as after ReLU
    const inputs = [
      { shape: x, values },
      { shape: [2, 4, 4, 3], values: random(2 * 4 * 4 * 3, 8) },
    ];
    const f = (a: tf.Tensor, dy: tf.Tensor): tf.Tensor[] => [tf.grad((t: tf.Tensor) => tf.maxPool(t as tf.Tensor4D, 2, 2, 'valid'))(a, dy)];
    const ref = await on('cpu', inputs, f);
    const got = await on('wasm', inputs, f);
    expect(Array.from(got[0])).toEqual(Array.from(ref[0]));
  });
});

describe('BatchMatMul on wasm matches cpu with either operand transposed', () => {
  const cases: { a: number[]; b: number[]; ta: boolean; tb: boolean }[] = [
    { a: [64, 400], b: [64, 120], ta: true, tb: false }, // a dense layer's dW = xᵀ·dy
    { a: [64, 120], b: [400, 120], ta: false, tb: true }, // its dx = dy·Wᵀ
    { a: [30, 17], b: [23, 30], ta: true, tb: true },
    { a: [3, 5, 7], b: [3, 9, 7], ta: false, tb: true },
    { a: [1, 6, 4], b: [3, 6, 5], ta: true, tb: false }, // a broadcast batch
    { a: [2, 5, 7], b: [2, 7, 3], ta: false, tb: false },
  ];
  for (const [i, c] of cases.entries()) {
    it(`${c.a.join('×')}${c.ta ? 'ᵀ' : ''} · ${c.b.join('×')}${c.tb ? 'ᵀ' : ''}`, async () => {
      const inputs = [
        { shape: c.a, values: random(size(c.a), 30 + i) },
        { shape: c.b, values: random(size(c.b), 300 + i) },
      ];
      await agree(inputs, (a, b) => [tf.matMul(a, b, c.ta, c.tb)], TOL);
    });
  }
});

/** Trains `name` from the same seeded weights for `steps` batches on a backend; losses and final kernels. */
async function trainOn(backend: 'cpu' | 'wasm', name: 'lenet5' | 'convnet', side: number, batch: number, steps: number): Promise<{ losses: number[]; kernels: Float32Array[]; leaked: number }> {
  expect(await tf.setBackend(backend)).toBe(true);
  const model = buildModel(name, 3, [side, side, 1]);
  const trainer = new MaskedTrainer(model, { kind: 'momentum', learningRate: 0.01, momentum: 0.9, weightDecay: 5e-4 });
  // Half of the first kernel frozen, as in an INQ round.
  const k0 = kernelsOf(model)[0].variable;
  const mask = new Uint8Array(k0.size).map((_, i) => i % 2);
  trainer.setFrozen(k0, mask, new Float32Array(await k0.data()));
  const losses: number[] = [];
  let tensors0 = 0;
  for (let s = 0; s < steps; s++) {
    if (s === 1) tensors0 = tf.memory().numTensors;
    const x = random(batch * side * side, 40 + s).map((v) => (v + 1) / 2);
    const labels = new Uint8Array(batch).map((_, i) => (i * 7 + s * 3) % 10);
    const loss = trainer.trainBatch(x, labels, [side, side, 1]);
    losses.push((await loss.data())[0]);
    loss.dispose();
  }
  const leaked = tf.memory().numTensors - tensors0;
  const kernels = await Promise.all(kernelsOf(model).map(async (k) => new Float32Array(await k.variable.data())));
  trainer.dispose();
  model.dispose();
  return { losses, kernels, leaked };
}

describe('a whole training run on wasm follows cpu step by step', () => {
  // The wide net on 12×12 inputs (the same layers, a fifth of the work) keeps the pure-JS reference fast enough for CI.
  for (const [name, side, batch, steps] of [
    ['lenet5', 28, 8, 5],
    ['convnet', 12, 4, 3],
  ] as const) {
    it(`${name} on ${side}×${side}: batch ${batch}, ${steps} momentum steps with weight decay and frozen weights`, async () => {
      const cpu = await trainOn('cpu', name, side, batch, steps);
      const wasm = await trainOn('wasm', name, side, batch, steps);
      expect(wasm.leaked).toBe(0);
      expect(cpu.losses.every((l) => Number.isFinite(l) && l > 0)).toBe(true);
      for (let s = 0; s < steps; s++) expect(Math.abs(wasm.losses[s] - cpu.losses[s])).toBeLessThan(1e-4 * cpu.losses[s]);
      // The weights moved, and moved the same way.
      wasm.kernels.forEach((k, i) => expect(relError(k, cpu.kernels[i])).toBeLessThan(1e-4));
    });
  }
});
