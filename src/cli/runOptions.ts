/** Options shared by `inq run` and `inq sweep`: the INQ configuration, the data and the model. */
import { formatSchedule, parseSchedule, presetFor } from '../inq/schedule.ts';
import { LENET5_PRESETS, lenet5Preset } from '../engine/presets.ts';
import { PARTITION_STRATEGIES } from '../inq/partition.ts';
import { LEVEL_KINDS } from '../inq/levels.ts';
import type { ModelName } from '../model/architectures.ts';
import { PRETRAINED, pretrainedById } from '../model/pretrained.ts';
import { DATASET_NAMES, isDatasetName, type DatasetName } from '../data/datasets.ts';
import { BACKEND_PREFERENCES, type BackendPreference } from '../model/backend.ts';
import { loadModelDir } from '../model/nodeIo.ts';
import type { LayersModel } from '@tensorflow/tfjs';
import { loadDatasetNode } from '../data/nodeDatasets.ts';
import { headSubset, randomSubset, type Dataset } from '../data/dataset.ts';
import { boundError, boundText, CONFIG_BOUNDS, subsetSeed, validateConfig, type BoundedSetting } from '../engine/config.ts';
import { DEFAULT_CONFIG, PRUNE_EPOCHS, type InqConfig } from '../engine/types.ts';
import { choiceOption, UsageError } from './args.ts';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

/** Folder of the committed pre-trained model for a built-in model name. */
export function pretrainedDir(model: string): string {
  return join(fileURLToPath(new URL('../../public/models/', import.meta.url)), model);
}

const OPTIMIZERS = ['sgd', 'momentum', 'adam'] as const;

/** parseArgs option specs of the model and its data: what modelFromOptions reads (run, sweep, sensitivity, evaluate). */
export const MODEL_OPTIONS = {
  model: { type: 'string', default: 'lenet5' },
  'model-dir': { type: 'string' },
  dataset: { type: 'string' },
  'data-dir': { type: 'string' },
  backend: { type: 'string' },
} as const;

/** parseArgs option specs common to run and sweep. */
export const COMMON_RUN_OPTIONS = {
  ...MODEL_OPTIONS,
  schedule: { type: 'string' },
  strategy: { type: 'string' },
  'epochs-per-round': { type: 'string' },
  lr: { type: 'string' },
  optimizer: { type: 'string' },
  momentum: { type: 'string' },
  'weight-decay': { type: 'string' },
  'batch-size': { type: 'string' },
  'train-size': { type: 'string' },
  'train-seed': { type: 'string' },
  'test-size': { type: 'string' },
  seed: { type: 'string' },
  prune: { type: 'string' },
  'prune-epochs': { type: 'string' },
  json: { type: 'boolean', default: false },
  levels: { type: 'string' },
} as const;

/** The values parseArgs gives for COMMON_RUN_OPTIONS. */
export interface CommonRunValues {
  model?: string;
  'model-dir'?: string;
  schedule?: string;
  strategy?: string;
  'epochs-per-round'?: string;
  lr?: string;
  optimizer?: string;
  momentum?: string;
  'weight-decay'?: string;
  'batch-size'?: string;
  'train-size'?: string;
  'train-seed'?: string;
  'test-size'?: string;
  seed?: string;
  prune?: string;
  'prune-epochs'?: string;
  'data-dir'?: string;
  dataset?: string;
  backend?: string;
  json?: boolean;
  levels?: string;
}

/**
 * Reads option `--flag` as the bounded setting `name` (src/engine/config.ts: the same bounds as the
 * engine, the URL and the page's inputs); `fallback` when it is absent.
 */
export function boundedOption(value: string | undefined, flag: string, name: BoundedSetting, fallback: number): number {
  if (value === undefined) return fallback;
  const v = value.trim() === '' ? NaN : Number(value);
  if (boundError(name, v) !== null) throw new UsageError(`--${flag} must be ${boundText(CONFIG_BOUNDS[name])} (got "${value}")`);
  return v;
}

/** Parses a bit-width list like "2,3,4" (each 2–8, no repeats). */
export function parseBitsList(text: string): number[] {
  const parts = text.split(',').map((s) => s.trim());
  const out: number[] = [];
  for (const p of parts) {
    const b = p === '' ? NaN : Number(p);
    if (boundError('bits', b) !== null) throw new UsageError(`--bits: "${p}" is not ${boundText(CONFIG_BOUNDS.bits)}`);
    if (out.includes(b)) throw new UsageError(`--bits: ${b} appears twice`);
    out.push(b);
  }
  return out;
}

/**
 * `run --preset lenet5`: LeNet-5's measured setup for the bit-width (schedule, epochs per round,
 * learning rate, training images; src/engine/presets.ts) fills the options not given. `--preset
 * paper` (and no --preset): the paper's schedule with the usual defaults.
 */
export function applyRunPreset(values: CommonRunValues & { preset?: string }, bits: number): void {
  if (values.preset === undefined || values.preset === 'paper') return;
  if (values.preset !== 'lenet5') throw new UsageError(`--preset must be lenet5 or paper (got "${values.preset}")`);
  const p = lenet5Preset(bits);
  if (!p) throw new UsageError(`--preset lenet5 has no measured setup for ${bits} bits (it has ${LENET5_PRESETS.map((x) => x.bits).join(', ') || 'none yet'}); use --preset paper`);
  values.schedule ??= formatSchedule(p.schedule);
  values['epochs-per-round'] ??= String(p.epochsPerRound);
  values.lr ??= String(p.learningRate);
  values['train-size'] ??= String(p.trainSize);
}

/** The configuration for `bits` from the shared options (the bit-width's preset schedule unless --schedule is given). */
export function configFromOptions(values: CommonRunValues, bits: number): InqConfig {
  let schedule = presetFor(bits);
  if (values.schedule !== undefined) {
    const parsed = parseSchedule(values.schedule);
    if (!parsed.ok) throw new UsageError(`--schedule: ${parsed.error}`);
    schedule = parsed.portions;
  }
  const prune = boundedOption(values.prune, 'prune', 'prune', 0);
  const config: InqConfig = {
    bits,
    schedule,
    strategy: choiceOption(values.strategy, 'strategy', PARTITION_STRATEGIES, DEFAULT_CONFIG.strategy),
    epochsPerRound: boundedOption(values['epochs-per-round'], 'epochs-per-round', 'epochsPerRound', DEFAULT_CONFIG.epochsPerRound),
    learningRate: boundedOption(values.lr, 'lr', 'learningRate', DEFAULT_CONFIG.learningRate),
    optimizer: choiceOption(values.optimizer, 'optimizer', OPTIMIZERS, DEFAULT_CONFIG.optimizer),
    momentum: boundedOption(values.momentum, 'momentum', 'momentum', DEFAULT_CONFIG.momentum),
    weightDecay: boundedOption(values['weight-decay'], 'weight-decay', 'weightDecay', DEFAULT_CONFIG.weightDecay),
    batchSize: boundedOption(values['batch-size'], 'batch-size', 'batchSize', DEFAULT_CONFIG.batchSize),
    seed: boundedOption(values.seed, 'seed', 'seed', DEFAULT_CONFIG.seed),
    ...(values['train-seed'] !== undefined ? { trainSeed: boundedOption(values['train-seed'], 'train-seed', 'seed', 0) } : {}),
    ...(prune > 0 ? { prune, pruneEpochs: boundedOption(values['prune-epochs'], 'prune-epochs', 'pruneEpochs', PRUNE_EPOCHS) } : {}),
    ...(values.levels !== undefined ? { levels: choiceOption(values.levels, 'levels', LEVEL_KINDS, 'pow2') } : {}),
  };
  try {
    validateConfig(config);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  return config;
}

/**
 * The model (a committed pre-trained model's id, e.g. lenet5, convnet, lenet5-fashion), its folder,
 * its dataset (--dataset overrides, e.g. for --model-dir) and the backend preference.
 */
export function modelFromOptions(values: CommonRunValues): { name: ModelName; dir: string; dataset: DatasetName; backend: BackendPreference } {
  const id = values.model ?? 'lenet5';
  const p = pretrainedById(id);
  if (!p) throw new UsageError(`--model must be one of ${PRETRAINED.map((x) => x.id).join(', ')} (got "${id}")`);
  const dataset = values.dataset === undefined ? p.dataset : values.dataset;
  if (!isDatasetName(dataset)) throw new UsageError(`--dataset must be one of ${DATASET_NAMES.join(', ')} (got "${dataset}")`);
  return { name: p.model, dir: values['model-dir'] ?? pretrainedDir(p.id), dataset, backend: choiceOption(values.backend, 'backend', BACKEND_PREFERENCES, 'auto') };
}

/** The subset sizes asked for (checked against the bounds table); the test size is null for the whole test split. */
export function subsetSizesFromOptions(values: CommonRunValues): { trainSize: number; testSize: number | null } {
  return {
    trainSize: boundedOption(values['train-size'], 'train-size', 'trainSize', 6000),
    testSize: values['test-size'] === undefined ? null : boundedOption(values['test-size'], 'test-size', 'testSize', CONFIG_BOUNDS.testSize.max),
  };
}

/**
 * The training subset (drawn with the config's trainSeed, from --train-seed, else with its seed) and
 * the test subset (the first N test images). A fixed --train-seed keeps the same images across a
 * repeat's seeds: the regulariser study re-trains on exactly the subset its model was pre-trained on.
 */
export function dataFromOptions(values: CommonRunValues, config: Pick<InqConfig, 'seed' | 'trainSeed'>, dataset: DatasetName = 'mnist'): { train: Dataset; test: Dataset } {
  const { trainSize, testSize } = subsetSizesFromOptions(values);
  const mnist = loadDatasetNode(dataset, values['data-dir']);
  return {
    train: randomSubset(mnist.train, trainSize, subsetSeed(config)),
    test: headSubset(mnist.test, testSize ?? mnist.test.count),
  };
}

/** Loads the pre-trained model afresh (each run quantizes its own copy in place). */
export function loadPretrained(dir: string): Promise<LayersModel> {
  return loadModelDir(dir);
}
