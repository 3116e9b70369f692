/** `inq pretrain`: trains a float model on MNIST and saves it in tfjs Layers format. */
import { parseArgs } from 'node:util';
import { buildModel, isModelName } from '../model/architectures.ts';
import { MaskedTrainer } from '../model/trainer.ts';
import { evaluate } from '../model/evaluate.ts';
import { loadModelDir, readModelDir, saveModelDir } from '../model/nodeIo.ts';
import { loadMnistNode } from '../data/nodeMnist.ts';
import { randomSubset, headSubset } from '../data/dataset.ts';
import { trainEpoch } from '../engine/epoch.ts';
import { BACKEND_PREFERENCES } from '../model/backend.ts';
import { choiceOption, numberOption, progressReporter, UsageError } from './args.ts';
import { setupNodeBackend } from './nodeBackend.ts';

/** Runs the pretrain command. */
export async function pretrainCommand(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      model: { type: 'string', default: 'lenet5' },
      epochs: { type: 'string' },
      'train-size': { type: 'string' },
      'test-size': { type: 'string' },
      'batch-size': { type: 'string' },
      lr: { type: 'string' },
      'lr-decay': { type: 'string' },
      seed: { type: 'string' },
      'data-dir': { type: 'string' },
      backend: { type: 'string' },
      out: { type: 'string' },
      init: { type: 'string' },
    },
    strict: true,
  });
  const modelName = values.model ?? 'lenet5';
  if (!isModelName(modelName)) throw new UsageError(`--model must be lenet5 or convnet (got "${modelName}")`);
  if (!values.out) throw new UsageError('--out DIR is required');
  const epochs = numberOption(values.epochs, 'epochs', 4, { integer: true, min: 1, max: 100 });
  const batchSize = numberOption(values['batch-size'], 'batch-size', 64, { integer: true, min: 1, max: 4096 });
  const lr = numberOption(values.lr, 'lr', 1e-3, { min: 1e-7, max: 10 });
  const decay = numberOption(values['lr-decay'], 'lr-decay', 0.6, { min: 0.01, max: 1 });
  const seed = numberOption(values.seed, 'seed', 1, { integer: true });
  const backend = choiceOption(values.backend, 'backend', BACKEND_PREFERENCES, 'auto');
  const mnist = loadMnistNode(values['data-dir']);
  const train = randomSubset(mnist.train, numberOption(values['train-size'], 'train-size', mnist.train.count, { integer: true, min: 1 }), seed);
  const test = headSubset(mnist.test, numberOption(values['test-size'], 'test-size', mnist.test.count, { integer: true, min: 1 }));
  const choice = await setupNodeBackend(backend);
  // --init continues from a saved model (more epochs without starting over).
  const model = values.init ? await loadModelDir(values.init) : buildModel(modelName, seed, train.shape, train.numClasses);
  const trainer = new MaskedTrainer(model, { kind: 'adam', learningRate: lr });
  const progress = progressReporter();
  const t0 = performance.now();
  let result = { accuracy: 0, loss: 0 };
  for (let e = 0; e < epochs; e++) {
    // Learning rate decays per epoch; a fresh Adam each epoch keeps the schedule simple and explicit.
    trainer.resetOptimizer({ kind: 'adam', learningRate: lr * decay ** e });
    const loss = await trainEpoch(trainer, train, batchSize, seed * 1000 + e, (b, n, l) => {
      const s = ((performance.now() - t0) / 1000).toFixed(0);
      progress.update(`pretrain epoch ${e + 1}/${epochs} batch ${b}/${n} loss ${l.toFixed(4)} (${s} s)`);
    });
    result = await evaluate(model, test);
    progress.done();
    process.stderr.write(
      `epoch ${e + 1}/${epochs}: train loss ${loss.toFixed(4)}, test accuracy ${(result.accuracy * 100).toFixed(2)} % (${((performance.now() - t0) / 1000).toFixed(0)} s)\n`,
    );
  }
  trainer.dispose();
  const previous = values.init ? (readModelDir(values.init).json.userDefinedMetadata?.inq as Record<string, unknown> | undefined) : undefined;
  const metadata = {
    inq: {
      ...(previous ? { continuedFrom: previous } : {}),
      model: modelName,
      dataset: 'mnist',
      trainSize: train.count,
      testSize: test.count,
      epochs,
      batchSize,
      learningRate: lr,
      lrDecay: decay,
      seed,
      backend: choice.backend,
      testAccuracy: result.accuracy,
      testLoss: result.loss,
      command: `npm run -s inq -- pretrain ${argv.join(' ')}`,
    },
  };
  await saveModelDir(model, values.out, metadata);
  process.stdout.write(`${JSON.stringify({ out: values.out, testAccuracy: result.accuracy, testLoss: result.loss, epochs, seconds: (performance.now() - t0) / 1000 })}\n`);
}
