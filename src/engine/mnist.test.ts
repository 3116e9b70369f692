/**
 * Engine smoke test on real MNIST with the committed pre-trained LeNet-5 (cpu backend, small
 * subsets): the quantized network keeps its accuracy and every kernel weight ends a level.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { fileURLToPath } from 'node:url';
import { runInq } from './session.ts';
import { DEFAULT_CONFIG, type InqEvent } from './types.ts';
import { loadModelDir } from '../model/nodeIo.ts';
import { loadMnistNode } from '../data/nodeMnist.ts';
import { headSubset, randomSubset } from '../data/dataset.ts';

const MODEL_DIR = fileURLToPath(new URL('../../public/models/lenet5', import.meta.url));

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('INQ on MNIST with the pre-trained LeNet-5', () => {
  it('quantizes to 5 bits on a small subset without losing accuracy, and leaks no tensor', async () => {
    const mnist = loadMnistNode();
    expect(mnist.train.count).toBe(60000);
    expect(mnist.test.count).toBe(10000);
    const model = await loadModelDir(MODEL_DIR);
    const before = tf.memory().numTensors;
    const events: InqEvent[] = [];
    const summary = await runInq({
      model,
      train: randomSubset(mnist.train, 256, 1),
      test: headSubset(mnist.test, 500),
      config: { ...DEFAULT_CONFIG, schedule: [0.5, 0.875, 1], batchSize: 32, learningRate: 0.005 },
      onEvent: (e) => events.push(e),
    });
    expect(summary.floatAccuracy).toBeGreaterThan(0.97);
    expect(summary.allLevels).toBe(true);
    expect(summary.finalAccuracy).toBeGreaterThan(summary.floatAccuracy - 0.02);
    expect(summary.kernelPackedBytes).toBeLessThanOrEqual(summary.kernelFloatBytes / 6);
    expect(events.filter((e) => e.type === 'roundEnd')).toHaveLength(3);
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
    // A real MNIST run on the cpu backend: about a minute alone, several on a loaded machine.
  }, 600_000);
});
