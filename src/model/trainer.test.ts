import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { MaskedTrainer, disposeOptimizer, makeOptimizer, type OptimizerOptions } from './trainer.ts';
import { kernelsOf } from './quantLayers.ts';
import { tinyConvNet } from './testModels.ts';
import { createRng } from '../inq/rng.ts';
import { levelSet, maxAbs } from '../inq/levels.ts';
import { quantizeInto } from '../inq/quantize.ts';
import { partitionInPlace } from '../inq/partition.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function randomBatch(seed: number, n = 16): { x: Float32Array; y: Uint8Array } {
  const rng = createRng(seed);
  const x = new Float32Array(n * 64).map(() => rng.next());
  const y = new Uint8Array(n).map(() => rng.int(4));
  return { x, y };
}

function bitsOf(a: Float32Array): Uint32Array {
  return new Uint32Array(a.buffer, a.byteOffset, a.length);
}

async function freezeHalf(model: tf.LayersModel, trainer: MaskedTrainer): Promise<{ masks: Uint8Array[]; before: Float32Array[] }> {
  const masks: Uint8Array[] = [];
  const before: Float32Array[] = [];
  for (const k of kernelsOf(model)) {
    const w = new Float32Array(await k.variable.data());
    const mask = new Uint8Array(w.length);
    const newly = partitionInPlace(w, mask, 0.5, { strategy: 'magnitude' });
    quantizeInto(w, levelSet(5, maxAbs(w)), w, newly);
    tf.tidy(() => k.variable.assign(tf.tensor(w, k.shape)));
    trainer.setFrozen(k.variable, mask, w);
    masks.push(mask);
    before.push(w);
  }
  return { masks, before };
}

const cases: [string, OptimizerOptions][] = [
  ['SGD with momentum and weight decay', { kind: 'momentum', learningRate: 0.05, momentum: 0.9, weightDecay: 0.01 }],
  ['Adam with weight decay', { kind: 'adam', learningRate: 0.01, weightDecay: 0.01 }],
  ['plain SGD with weight decay', { kind: 'sgd', learningRate: 0.1, weightDecay: 0.05 }],
];

describe('MaskedTrainer', () => {
  for (const [name, opt] of cases) {
    it(`keeps frozen weights bit-identical over 50 steps: ${name}, momentum built up before freezing`, async () => {
      const model = tinyConvNet(3);
      const trainer = new MaskedTrainer(model, opt);
      // Build optimizer state (momentum / Adam moments) while nothing is frozen: the INQ.md pitfall.
      for (let s = 0; s < 10; s++) {
        const { x, y } = randomBatch(100 + s);
        trainer.trainBatch(x, y, [8, 8, 1]).dispose();
      }
      const { masks, before } = await freezeHalf(model, trainer);
      for (let s = 0; s < 50; s++) {
        const { x, y } = randomBatch(200 + s);
        trainer.trainBatch(x, y, [8, 8, 1]).dispose();
      }
      const kernels = kernelsOf(model);
      let freeMoved = 0;
      for (let li = 0; li < kernels.length; li++) {
        const after = new Float32Array(await kernels[li].variable.data());
        const a = bitsOf(after);
        const b = bitsOf(before[li]);
        for (let i = 0; i < after.length; i++) {
          if (masks[li][i]) expect(a[i], `${kernels[li].layer}[${i}]`).toBe(b[i]);
          else if (a[i] !== b[i]) freeMoved++;
        }
      }
      // The free half must have trained, or this test proves nothing.
      expect(freeMoved).toBeGreaterThan(0.4 * kernels.reduce((s, k) => s + k.size, 0) / 2);
      trainer.dispose();
      model.dispose();
    });
  }

  it('without restoring, momentum alone would move frozen weights (the pitfall is real)', async () => {
    const model = tinyConvNet(4);
    const trainer = new MaskedTrainer(model, { kind: 'momentum', learningRate: 0.05, momentum: 0.9, weightDecay: 0.01 });
    for (let s = 0; s < 10; s++) {
      const { x, y } = randomBatch(300 + s);
      trainer.trainBatch(x, y, [8, 8, 1]).dispose();
    }
    // Plain tfjs step with a masked gradient but no write-back: frozen entries drift via momentum.
    const k = kernelsOf(model)[0];
    const w0 = new Float32Array(await k.variable.data());
    const optimizer = tf.train.momentum(0.05, 0.9);
    const zero = tf.zerosLike(k.variable);
    for (let s = 0; s < 3; s++) {
      const g = tf.onesLike(k.variable);
      optimizer.applyGradients({ [k.variable.name]: s === 0 ? g : zero });
      g.dispose();
    }
    const w1 = new Float32Array(await k.variable.data());
    expect(w1.some((v, i) => v !== w0[i])).toBe(true);
    tf.dispose([zero]);
    disposeOptimizer(optimizer);
    trainer.dispose();
    model.dispose();
  });

  it('moves the free weights exactly as a plain tfjs step on the same loss would (only frozen ones are held)', async () => {
    for (const [name, opt] of cases) {
      const masked = tinyConvNet(6);
      const plain = tinyConvNet(6);
      const trainer = new MaskedTrainer(masked, opt);
      const { masks, before } = await freezeHalf(masked, trainer);
      // The plain model starts from the same (partly quantized) weights.
      kernelsOf(plain).forEach((k, li) => tf.tidy(() => k.variable.assign(tf.tensor(before[li], k.shape))));
      const { x, y } = randomBatch(400);
      trainer.trainBatch(x, y, [8, 8, 1]).dispose();
      const optimizer = makeOptimizer(opt);
      const kernels = kernelsOf(plain).map((k) => k.variable);
      tf.tidy(() => {
        const xs = tf.tensor(x, [y.length, 8, 8, 1]);
        const ys = tf.oneHot(tf.tensor1d(y, 'int32'), 4);
        optimizer.minimize(() => {
          const l = tf.losses.softmaxCrossEntropy(ys, plain.apply(xs, { training: true }) as tf.Tensor) as tf.Scalar;
          const wd = opt.weightDecay ?? 0;
          return wd > 0 ? tf.add(l, tf.mul(tf.addN(kernels.map((k) => tf.sum(tf.square(k)))), wd / 2)) : l;
        }, false, plain.trainableWeights.map((w) => w.read() as tf.Variable));
      });
      const mk = kernelsOf(masked);
      const pk = kernelsOf(plain);
      for (let li = 0; li < mk.length; li++) {
        const a = bitsOf(new Float32Array(await mk[li].variable.data()));
        const b = bitsOf(new Float32Array(await pk[li].variable.data()));
        const f = bitsOf(before[li]);
        for (let i = 0; i < a.length; i++) {
          const want = masks[li][i] ? f[i] : b[i];
          if (a[i] !== want) expect.fail(`${name}: ${mk[li].layer}[${i}] (${masks[li][i] ? 'frozen' : 'free'}) is ${a[i]}, expected ${want}`);
        }
      }
      disposeOptimizer(optimizer);
      trainer.dispose();
      masked.dispose();
      plain.dispose();
    }
  });

  it('does not leak tensors across steps and optimizer resets', async () => {
    const model = tinyConvNet(5);
    const trainer = new MaskedTrainer(model, { kind: 'momentum', learningRate: 0.01, momentum: 0.9 });
    await freezeHalf(model, trainer);
    const { x, y } = randomBatch(7);
    trainer.trainBatch(x, y, [8, 8, 1]).dispose();
    const n0 = tf.memory().numTensors;
    for (let r = 0; r < 3; r++) {
      trainer.resetOptimizer();
      await freezeHalf(model, trainer);
      for (let s = 0; s < 5; s++) trainer.trainBatch(x, y, [8, 8, 1]).dispose();
    }
    expect(tf.memory().numTensors).toBe(n0);
    trainer.dispose();
    model.dispose();
  });
});
