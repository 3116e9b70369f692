/** `inq run`: a whole INQ session on MNIST from the command line, as a table or JSON lines. */
import { parseArgs } from 'node:util';
import { parseSchedule, presetFor } from '../inq/schedule.ts';
import { PARTITION_STRATEGIES } from '../inq/partition.ts';
import { MAX_BITS, MIN_BITS } from '../inq/levels.ts';
import { isModelName } from '../model/architectures.ts';
import { BACKEND_PREFERENCES } from '../model/backend.ts';
import { loadModelDir, saveModelDir } from '../model/nodeIo.ts';
import { packModel } from '../model/exportPacked.ts';
import { writeFileSync } from 'node:fs';
import type { LayersModel } from '@tensorflow/tfjs';
import { loadMnistNode } from '../data/nodeMnist.ts';
import { headSubset, randomSubset } from '../data/dataset.ts';
import { runInq, validateConfig } from '../engine/session.ts';
import { DEFAULT_CONFIG, type InqConfig, type InqEvent, type RunSummary } from '../engine/types.ts';
import { choiceOption, numberOption, progressReporter, UsageError } from './args.ts';
import { setupNodeBackend } from './nodeBackend.ts';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

/** Folder of the committed pre-trained model for a built-in model name. */
export function pretrainedDir(model: string): string {
  return join(fileURLToPath(new URL('../../public/models/', import.meta.url)), model);
}

const OPTIMIZERS = ['sgd', 'momentum', 'adam'] as const;

/** Runs the run command. */
export async function runCommand(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      model: { type: 'string', default: 'lenet5' },
      'model-dir': { type: 'string' },
      bits: { type: 'string' },
      schedule: { type: 'string' },
      strategy: { type: 'string' },
      'epochs-per-round': { type: 'string' },
      lr: { type: 'string' },
      optimizer: { type: 'string' },
      momentum: { type: 'string' },
      'weight-decay': { type: 'string' },
      'batch-size': { type: 'string' },
      'train-size': { type: 'string' },
      'test-size': { type: 'string' },
      seed: { type: 'string' },
      'data-dir': { type: 'string' },
      backend: { type: 'string' },
      json: { type: 'boolean', default: false },
      out: { type: 'string' },
    },
    strict: true,
  });
  const modelName = values.model ?? 'lenet5';
  if (!isModelName(modelName)) throw new UsageError(`--model must be lenet5 or convnet (got "${modelName}")`);
  const bits = numberOption(values.bits, 'bits', DEFAULT_CONFIG.bits, { integer: true, min: MIN_BITS, max: MAX_BITS });
  let schedule = presetFor(bits);
  if (values.schedule !== undefined) {
    const parsed = parseSchedule(values.schedule);
    if (!parsed.ok) throw new UsageError(`--schedule: ${parsed.error}`);
    schedule = parsed.portions;
  }
  const config: InqConfig = {
    bits,
    schedule,
    strategy: choiceOption(values.strategy, 'strategy', PARTITION_STRATEGIES, DEFAULT_CONFIG.strategy),
    epochsPerRound: numberOption(values['epochs-per-round'], 'epochs-per-round', DEFAULT_CONFIG.epochsPerRound, { integer: true, min: 1, max: 100 }),
    learningRate: numberOption(values.lr, 'lr', DEFAULT_CONFIG.learningRate, { min: 1e-7, max: 10 }),
    optimizer: choiceOption(values.optimizer, 'optimizer', OPTIMIZERS, DEFAULT_CONFIG.optimizer),
    momentum: numberOption(values.momentum, 'momentum', DEFAULT_CONFIG.momentum, { min: 0, max: 0.999 }),
    weightDecay: numberOption(values['weight-decay'], 'weight-decay', DEFAULT_CONFIG.weightDecay, { min: 0, max: 0.5 }),
    batchSize: numberOption(values['batch-size'], 'batch-size', DEFAULT_CONFIG.batchSize, { integer: true, min: 1, max: 4096 }),
    seed: numberOption(values.seed, 'seed', DEFAULT_CONFIG.seed, { integer: true }),
  };
  try {
    validateConfig(config);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const backendPref = choiceOption(values.backend, 'backend', BACKEND_PREFERENCES, 'auto');
  const mnist = loadMnistNode(values['data-dir']);
  const train = randomSubset(mnist.train, numberOption(values['train-size'], 'train-size', 6000, { integer: true, min: 1 }), config.seed);
  const test = headSubset(mnist.test, numberOption(values['test-size'], 'test-size', mnist.test.count, { integer: true, min: 1 }));
  const dir = values['model-dir'] ?? pretrainedDir(modelName);
  await setupNodeBackend(backendPref);
  const model = await loadModelDir(dir);

  const json = values.json ?? false;
  const out = (line: string): void => void process.stdout.write(`${line}\n`);
  const progress = progressReporter();
  const pct = (x: number): string => `${(x * 100).toFixed(2)} %`;
  let totalWeights = 0;
  const onEvent = (e: InqEvent): void => {
    switch (e.type) {
      case 'start':
        totalWeights = e.layers.reduce((a, l) => a + l.size, 0);
        if (!json) {
          out(`INQ ${config.bits} bits, schedule ${config.schedule.join(',')}, ${config.strategy}; float accuracy ${pct(e.floatAccuracy)} on ${test.count} test images`);
          out(`${'round'.padStart(5)} ${'portion'.padStart(8)} ${'frozen'.padStart(8)} ${'accuracy'.padStart(9)} ${'loss'.padStart(8)} ${'seconds'.padStart(8)}`);
        }
        break;
      case 'batch':
        progress.update(`round ${e.round} epoch ${e.epoch} batch ${e.batch}/${e.batches} loss ${e.loss.toFixed(4)}`);
        break;
      case 'roundEnd': {
        progress.done();
        const r = e.result;
        const frozen = r.layers.reduce((a, l) => a + l.frozenCount, 0) / totalWeights;
        if (json) {
          out(JSON.stringify({ round: r.round, portion: r.portion, frozenFraction: frozen, accuracy: r.accuracy, loss: r.loss, epochLosses: r.epochLosses, seconds: r.seconds }));
        } else {
          out(`${String(r.round).padStart(5)} ${r.portion.toFixed(3).padStart(8)} ${pct(frozen).padStart(8)} ${pct(r.accuracy).padStart(9)} ${r.loss.toFixed(4).padStart(8)} ${r.seconds.toFixed(1).padStart(8)}`);
        }
        break;
      }
      case 'end': {
        const s = e.summary;
        if (json) out(JSON.stringify({ summary: true, ...s }));
        else {
          out(`float ${pct(s.floatAccuracy)} → quantized ${pct(s.finalAccuracy)}; all weights are levels: ${s.allLevels ? 'yes' : 'NO'}`);
          out(`size: ${s.floatBytes} bytes float32 → ${s.packedBytes} bytes packed (${(s.floatBytes / s.packedBytes).toFixed(2)}× smaller; kernels ${(s.kernelFloatBytes / s.kernelPackedBytes).toFixed(2)}×); ${s.seconds.toFixed(1)} s`);
        }
        break;
      }
      default:
        break;
    }
  };
  let n1ByLayer = new Map<string, number>();
  const record = (e: InqEvent): void => {
    if (e.type === 'start') n1ByLayer = new Map(e.layers.map((l) => [l.name, l.n1]));
    onEvent(e);
  };
  const summary = await runInq({ model, train, test, config, onEvent: record });
  if (values.out) {
    await saveQuantized(values.out, model, config, n1ByLayer, modelName, summary);
    process.stderr.write(`inq: quantized model written to ${values.out} (model.json + weights.bin, packed.json + codes.bin)\n`);
  }
}

/** Writes the quantized Layers model and its packed codes side by side. */
async function saveQuantized(dir: string, model: LayersModel, config: InqConfig, n1ByLayer: Map<string, number>, name: string, summary: RunSummary): Promise<void> {
  const { manifest, codes } = await packModel(model, config.bits, n1ByLayer, name);
  await saveModelDir(model, dir, { inq: { model: name, quantized: true, config, summary } });
  writeFileSync(join(dir, 'packed.json'), JSON.stringify(manifest, null, 1));
  writeFileSync(join(dir, manifest.codesFile), codes);
}
