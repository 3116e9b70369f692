/** `inq pretrain`: trains a float model on MNIST or Fashion-MNIST and saves it in tfjs Layers format. */
import { parseArgs } from 'node:util';
import { buildModel, isModelName, type ModelName } from '../model/architectures.ts';
import { MaskedTrainer } from '../model/trainer.ts';
import { evaluate, type EvalResult } from '../model/evaluate.ts';
import { loadModelDir, readModelDir, saveModelDir } from '../model/nodeIo.ts';
import { loadDatasetNode } from '../data/nodeDatasets.ts';
import { randomSubset, headSubset, type DatasetSplit } from '../data/dataset.ts';
import { DATASETS, DATASET_NAMES, type DatasetName } from '../data/datasets.ts';
import { trainEpoch, type BatchTrainer } from '../engine/epoch.ts';
import { shiftBatch } from '../data/augment.ts';
import { createRng } from '../inq/rng.ts';
import { BACKEND_PREFERENCES, type BackendPreference } from '../model/backend.ts';
import { choiceOption, numberOption, progressReporter, UsageError } from './args.ts';
import { setupNodeBackend } from './nodeBackend.ts';

/** The pretrain command's options, checked. */
export interface PretrainOptions {
  model: ModelName;
  dataset: DatasetName;
  out: string;
  epochs: number;
  batchSize: number;
  lr: number;
  lrDecay: number;
  seed: number;
  backend: BackendPreference;
  /** Training examples (a seeded random subset of the training split); undefined: all of them. */
  trainSize?: number;
  /** Test examples evaluated after each epoch (the first N); undefined: all. The final accuracy always uses the full test split. */
  testSize?: number;
  dataDir?: string;
  init?: string;
  /** Random shift augmentation: each training image moves up to this many pixels each way (0: none). */
  augmentShift: number;
}

/** Parses and checks the pretrain command's arguments (no data or backend touched). */
export function parsePretrainArgs(argv: string[]): PretrainOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      model: { type: 'string', default: 'lenet5' },
      dataset: { type: 'string' },
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
      'augment-shift': { type: 'string' },
    },
    strict: true,
  });
  const model = values.model ?? 'lenet5';
  if (!isModelName(model)) throw new UsageError(`--model must be lenet5, convnet or mlp (got "${model}")`);
  if (!values.out) throw new UsageError('--out DIR is required');
  const size = (v: string | undefined, name: string): number | undefined =>
    v === undefined ? undefined : numberOption(v, name, 0, { integer: true, min: 1 });
  return {
    model,
    dataset: choiceOption(values.dataset, 'dataset', DATASET_NAMES, 'mnist'),
    out: values.out,
    epochs: numberOption(values.epochs, 'epochs', 4, { integer: true, min: 1, max: 100 }),
    batchSize: numberOption(values['batch-size'], 'batch-size', 64, { integer: true, min: 1, max: 4096 }),
    lr: numberOption(values.lr, 'lr', 1e-3, { min: 1e-7, max: 10 }),
    lrDecay: numberOption(values['lr-decay'], 'lr-decay', 0.6, { min: 0.01, max: 1 }),
    seed: numberOption(values.seed, 'seed', 1, { integer: true }),
    backend: choiceOption(values.backend, 'backend', BACKEND_PREFERENCES, 'auto'),
    trainSize: size(values['train-size'], 'train-size'),
    testSize: size(values['test-size'], 'test-size'),
    dataDir: values['data-dir'],
    init: values.init,
    augmentShift: numberOption(values['augment-shift'], 'augment-shift', 0, { integer: true, min: 0, max: 4 }),
  };
}

/** What model.json's userDefinedMetadata.inq records about a pretrain run. */
export function pretrainMetadata(
  o: PretrainOptions,
  argv: readonly string[],
  facts: { trainSize: number; trainSplitSize: number; testSize: number; backend: string; result: EvalResult; seconds: number; previous?: Record<string, unknown>; trainAccuracy?: number },
): { inq: Record<string, unknown> } {
  return {
    inq: {
      ...(facts.previous ? { continuedFrom: facts.previous } : {}),
      model: o.model,
      dataset: o.dataset,
      datasetTitle: DATASETS[o.dataset].title,
      split: DATASETS[o.dataset].split,
      trainSize: facts.trainSize,
      ...(facts.trainSize < facts.trainSplitSize ? { trainSubset: `a random ${facts.trainSize} of the ${facts.trainSplitSize} training images (seed ${o.seed})` } : {}),
      testSize: facts.testSize,
      epochs: o.epochs,
      batchSize: o.batchSize,
      learningRate: o.lr,
      lrDecay: o.lrDecay,
      ...(o.augmentShift > 0 ? { augmentShift: o.augmentShift } : {}),
      seed: o.seed,
      backend: facts.backend,
      testAccuracy: facts.result.accuracy,
      ...(facts.trainAccuracy !== undefined ? { trainAccuracy: facts.trainAccuracy } : {}),
      testLoss: facts.result.loss,
      trainSeconds: Math.round(facts.seconds),
      command: `npm run -s inq -- pretrain ${argv.join(' ')}`,
    },
  };
}

/** Loads the dataset, or says which one could not be read. */
function loadData(o: PretrainOptions): DatasetSplit {
  try {
    return loadDatasetNode(o.dataset, o.dataDir);
  } catch (e) {
    throw new UsageError(`could not load ${DATASETS[o.dataset].title}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** Runs the pretrain command. */
export async function pretrainCommand(argv: string[]): Promise<void> {
  const o = parsePretrainArgs(argv);
  const data = loadData(o);
  const train = randomSubset(data.train, o.trainSize ?? data.train.count, o.seed);
  const monitor = headSubset(data.test, o.testSize ?? data.test.count);
  const choice = await setupNodeBackend(o.backend);
  // --init continues from a saved model (more epochs without starting over).
  const model = o.init ? await loadModelDir(o.init) : buildModel(o.model, o.seed, train.shape, train.numClasses);
  const trainer = new MaskedTrainer(model, { kind: 'adam', learningRate: o.lr });
  const progress = progressReporter();
  const t0 = performance.now();
  const secs = (): string => ((performance.now() - t0) / 1000).toFixed(0);
  let result: EvalResult = { accuracy: 0, loss: 0 };
  // With --augment-shift, every batch is shifted afresh (its own seeded stream, so a run repeats).
  const shiftRng = createRng(o.seed * 7 + 13);
  const learner: BatchTrainer =
    o.augmentShift > 0 ? { trainBatch: (x, y, shape) => trainer.trainBatch(shiftBatch(x, train.shape, o.augmentShift, shiftRng), y, shape) } : trainer;
  try {
    for (let e = 0; e < o.epochs; e++) {
      // Learning rate decays per epoch; a fresh Adam each epoch keeps the schedule simple and explicit.
      trainer.resetOptimizer({ kind: 'adam', learningRate: o.lr * o.lrDecay ** e });
      const loss = await trainEpoch(learner, train, o.batchSize, o.seed * 1000 + e, (b, n, l) => {
        progress.update(`pretrain epoch ${e + 1}/${o.epochs} batch ${b}/${n} loss ${l.toFixed(4)} (${secs()} s)`);
      });
      result = await evaluate(model, monitor);
      progress.done();
      const on = monitor.count < data.test.count ? ` on the first ${monitor.count} test images` : '';
      process.stderr.write(`epoch ${e + 1}/${o.epochs}: train loss ${loss.toFixed(4)}, test accuracy${on} ${(result.accuracy * 100).toFixed(2)} % (${secs()} s)\n`);
    }
  } finally {
    trainer.dispose();
  }
  const seconds = (performance.now() - t0) / 1000;
  if (monitor.count < data.test.count) {
    result = await evaluate(model, data.test);
    process.stderr.write(`full test split (${data.test.count} images): accuracy ${(result.accuracy * 100).toFixed(2)} % (${secs()} s)\n`);
  }
  // On a subset, the accuracy on its own images too: how far the model over-fits it (train ≈ 100 %, test lower).
  let trainAccuracy: number | undefined;
  if (train.count < data.train.count) {
    trainAccuracy = (await evaluate(model, train)).accuracy;
    process.stderr.write(`its ${train.count} training images: accuracy ${(trainAccuracy * 100).toFixed(2)} % (${secs()} s)\n`);
  }
  const previous = o.init ? (readModelDir(o.init).json.userDefinedMetadata?.inq as Record<string, unknown> | undefined) : undefined;
  const metadata = pretrainMetadata(o, argv, {
    trainSize: train.count,
    trainSplitSize: data.train.count,
    testSize: data.test.count,
    backend: choice.backend,
    result,
    seconds,
    previous,
    trainAccuracy,
  });
  await saveModelDir(model, o.out, metadata);
  model.dispose();
  process.stdout.write(
    `${JSON.stringify({ out: o.out, dataset: o.dataset, testAccuracy: result.accuracy, ...(trainAccuracy !== undefined ? { trainAccuracy } : {}), testLoss: result.loss, testSize: data.test.count, epochs: o.epochs, seconds })}\n`,
  );
}
