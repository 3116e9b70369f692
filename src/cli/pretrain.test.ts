import { describe, expect, it } from 'vitest';
import { parsePretrainArgs, pretrainMetadata } from './pretrain.ts';

describe('parsePretrainArgs', () => {
  it('defaults to MNIST and the full splits', () => {
    const o = parsePretrainArgs(['--out', 'x']);
    expect(o).toMatchObject({ model: 'lenet5', dataset: 'mnist', out: 'x', epochs: 4, batchSize: 64, seed: 1, backend: 'auto' });
    expect(o.trainSize).toBeUndefined();
    expect(o.testSize).toBeUndefined();
    expect(o.augmentShift).toBe(0);
  });

  it('takes --augment-shift up to 4 pixels and records it in the metadata', () => {
    const argv = ['--model', 'convnet', '--augment-shift', '2', '--out', 'm'];
    const o = parsePretrainArgs(argv);
    expect(o.augmentShift).toBe(2);
    const m = pretrainMetadata(o, argv, { trainSize: 60000, trainSplitSize: 60000, testSize: 10000, backend: 'wasm', result: { accuracy: 0.99, loss: 0.03 }, seconds: 1 }).inq;
    expect(m.augmentShift).toBe(2);
    expect(() => parsePretrainArgs(['--augment-shift', '5', '--out', 'x'])).toThrow(/--augment-shift/);
    expect(() => parsePretrainArgs(['--augment-shift', '1.5', '--out', 'x'])).toThrow(/--augment-shift/);
  });

  it('takes --dataset fashion and the sizes', () => {
    const o = parsePretrainArgs(['--dataset', 'fashion', '--model', 'convnet', '--train-size', '9000', '--test-size', '500', '--out', 'm']);
    expect(o).toMatchObject({ dataset: 'fashion', model: 'convnet', trainSize: 9000, testSize: 500 });
  });

  it('refuses an unknown dataset or model, a missing --out and a bad size, in one line', () => {
    expect(() => parsePretrainArgs(['--dataset', 'cifar', '--out', 'x'])).toThrow('--dataset must be one of mnist, fashion (got "cifar")');
    expect(() => parsePretrainArgs(['--model', 'vgg', '--out', 'x'])).toThrow(/--model must be lenet5, convnet or mlp/);
    expect(() => parsePretrainArgs(['--dataset', 'fashion'])).toThrow('--out DIR is required');
    expect(() => parsePretrainArgs(['--train-size', '0', '--out', 'x'])).toThrow(/--train-size must be at least 1/);
  });
});

describe('pretrainMetadata', () => {
  it('records the dataset, its split, the subset, the full-split accuracy and the exact command', () => {
    const argv = ['--dataset', 'fashion', '--train-size', '9000', '--test-size', '500', '--out', 'm'];
    const m = pretrainMetadata(parsePretrainArgs(argv), argv, {
      trainSize: 9000,
      trainSplitSize: 60000,
      testSize: 10000,
      backend: 'webgpu',
      result: { accuracy: 0.875, loss: 0.35 },
      seconds: 1234.4,
    }).inq;
    expect(m).toMatchObject({ model: 'lenet5', dataset: 'fashion', datasetTitle: 'Fashion-MNIST', testSize: 10000, testAccuracy: 0.875, trainSeconds: 1234 });
    expect(m.split).toMatch(/stratified.*seed 20170825.*1\/7/);
    expect(m.trainSubset).toBe('a random 9000 of the 60000 training images (seed 1)');
    expect(m.command).toBe('npm run -s inq -- pretrain --dataset fashion --train-size 9000 --test-size 500 --out m');
    expect(m.continuedFrom).toBeUndefined();
  });

  it('names no subset when training on the whole split, and keeps what a continued model came from', () => {
    const m = pretrainMetadata(parsePretrainArgs(['--out', 'm']), ['--out', 'm'], {
      trainSize: 60000,
      trainSplitSize: 60000,
      testSize: 10000,
      backend: 'cpu',
      result: { accuracy: 0.99, loss: 0.03 },
      seconds: 1,
      previous: { epochs: 5 },
    }).inq;
    expect(m.trainSubset).toBeUndefined();
    expect(m.continuedFrom).toEqual({ epochs: 5 });
    expect(m.dataset).toBe('mnist');
  });
});
