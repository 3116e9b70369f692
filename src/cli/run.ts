/** `inq run`: a whole INQ session (optionally pruned first) on MNIST from the command line, as a table or JSON lines. */
import { parseArgs } from 'node:util';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LayersModel } from '@tensorflow/tfjs';
import { DEFAULT_CONFIG, type InqConfig, type InqEvent, type RunSummary } from '../engine/types.ts';
import { runInq } from '../engine/session.ts';
import { saveModelDir } from '../model/nodeIo.ts';
import { packModel } from '../model/exportPacked.ts';
import { numberOption, progressReporter } from './args.ts';
import { loadDatasetNode } from '../data/nodeDatasets.ts';
import { headSubset } from '../data/dataset.ts';
import { predictClasses } from '../model/evaluate.ts';
import { meanInterval } from '../inq/stats.ts';
import { predictionsRecord, writePredictions, PREDICTIONS_FILE } from './predictions.ts';
import { setupNodeBackend } from './nodeBackend.ts';
import { applyRunPreset, boundedOption, COMMON_RUN_OPTIONS, configFromOptions, dataFromOptions, loadPretrained, modelFromOptions } from './runOptions.ts';

const pct = (x: number): string => `${(x * 100).toFixed(2)} %`;

/** Prints a session's events as a table (or JSON lines) and remembers each layer's n1 for packing. */
export function eventPrinter(json: boolean, config: InqConfig, testCount: number, out: (line: string) => void): { onEvent: (e: InqEvent) => void; n1ByLayer: () => Map<string, number> } {
  const progress = progressReporter();
  let totalWeights = 0;
  let n1 = new Map<string, number>();
  const onEvent = (e: InqEvent): void => {
    switch (e.type) {
      case 'pruneStart':
        if (!json) out(`pruning to ${pct(e.target)} sparsity (${e.epochs} epochs, with splicing); float accuracy ${pct(e.floatAccuracy)} on ${testCount} test images`);
        break;
      case 'pruneEnd': {
        progress.done();
        const r = e.report;
        if (json) out(JSON.stringify({ pruned: true, ...r }));
        else {
          out(`pruned: ${pct(r.sparsity)} of kernel weights are zero, accuracy ${pct(r.accuracy)}, ${r.spliced} weights spliced back, ${r.seconds.toFixed(1)} s`);
          out(`  per layer: ${r.layerSparsity.map((l) => `${l.name} ${pct(l.sparsity)}`).join(', ')}`);
        }
        break;
      }
      case 'start':
        totalWeights = e.layers.reduce((a, l) => a + l.size, 0);
        n1 = new Map(e.layers.map((l) => [l.name, l.n1]));
        if (!json) {
          out(`INQ ${config.bits} bits${config.levels === 'uniform' ? ' (uniform levels)' : ''}, schedule ${config.schedule.join(',')}, ${config.strategy}; float accuracy ${pct(e.floatAccuracy)} on ${testCount} test images`);
          if (e.oneShotAccuracy !== null) out(`one-shot (every weight snapped at once, no re-training): ${pct(e.oneShotAccuracy)}`);
          out(`${'round'.padStart(5)} ${'portion'.padStart(8)} ${'frozen'.padStart(8)} ${'accuracy'.padStart(9)} ${'loss'.padStart(8)} ${'seconds'.padStart(8)}`);
        }
        break;
      case 'batch':
        progress.update(`${e.round === 0 ? 'pruning' : `round ${e.round}`} epoch ${e.epoch} batch ${e.batch}/${e.batches} loss ${e.loss.toFixed(4)}`);
        break;
      case 'roundEnd': {
        progress.done();
        const r = e.result;
        const frozen = r.layers.reduce((a, l) => a + l.frozenCount, 0) / totalWeights;
        if (json) out(JSON.stringify({ round: r.round, portion: r.portion, frozenFraction: frozen, accuracy: r.accuracy, loss: r.loss, epochLosses: r.epochLosses, seconds: r.seconds }));
        else out(`${String(r.round).padStart(5)} ${r.portion.toFixed(3).padStart(8)} ${pct(frozen).padStart(8)} ${pct(r.accuracy).padStart(9)} ${r.loss.toFixed(4).padStart(8)} ${r.seconds.toFixed(1).padStart(8)}`);
        break;
      }
      case 'end': {
        const s = e.summary;
        if (json) {
          out(JSON.stringify({ summary: true, ...s }));
          break;
        }
        out(`float ${pct(s.floatAccuracy)} → quantized ${pct(s.finalAccuracy)}; all weights are levels: ${s.allLevels ? 'yes' : 'NO'}`);
        out(`size: ${s.floatBytes} bytes float32 → ${s.packedBytes} bytes packed (${(s.floatBytes / s.packedBytes).toFixed(2)}× smaller; kernels ${(s.kernelFloatBytes / s.kernelPackedBytes).toFixed(2)}×); ${s.seconds.toFixed(1)} s`);
        if (s.prune && s.sparsePackedBytes !== undefined && s.sparsity !== undefined) {
          const row = (name: string, sparsity: number, acc: number, bytes: number): string =>
            `${name.padEnd(16)} ${pct(sparsity).padStart(9)} ${pct(acc).padStart(9)} ${String(bytes).padStart(9)} ${`${(s.floatBytes / bytes).toFixed(1)}×`.padStart(8)}`;
          out(`${'model'.padEnd(16)} ${'sparsity'.padStart(9)} ${'accuracy'.padStart(9)} ${'bytes'.padStart(9)} ${'smaller'.padStart(8)}`);
          out(row('float32', 0, s.floatAccuracy, s.floatBytes));
          out(row('pruning alone', s.prune.sparsity, s.prune.accuracy, s.prune.sparseFloatBytes));
          out(row('pruning + INQ', s.sparsity, s.finalAccuracy, s.sparsePackedBytes));
          out('bytes: pruned models store each kernel as a presence bitmap plus its non-zero values (float32, or b−1-bit codes after INQ); biases float32');
        }
        break;
      }
      default:
        break;
    }
  };
  return { onEvent, n1ByLayer: () => n1 };
}

/** Runs the run command; results go to `out` (standard output by default). */
export async function runCommand(argv: string[], out: (line: string) => void = (line) => void process.stdout.write(`${line}\n`)): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: { ...COMMON_RUN_OPTIONS, bits: { type: 'string' }, out: { type: 'string' }, repeat: { type: 'string' }, 'final-test-size': { type: 'string' }, preset: { type: 'string' } },
    strict: true,
  });
  const bits = boundedOption(values.bits, 'bits', 'bits', DEFAULT_CONFIG.bits);
  applyRunPreset(values, bits);
  const base = configFromOptions(values, bits);
  const repeat = values.repeat === undefined ? null : boundedOption(values.repeat, 'repeat', 'repeats', 0);
  const m = modelFromOptions(values);
  const full = loadDatasetNode(m.dataset, values['data-dir']).test;
  const finalTestSize = values['final-test-size'] === undefined ? null : numberOption(values['final-test-size'], 'final-test-size', full.count, { integer: true, min: 1, max: full.count });
  const json = values.json ?? false;
  await setupNodeBackend(m.backend);
  // Seeds seed, seed+1, …: each run draws its own training subset, partition and batch order from it.
  const seeds = Array.from({ length: repeat ?? 1 }, (_, k) => base.seed + k);
  const accuracies: number[] = [];
  for (const seed of seeds) {
    const config: InqConfig = { ...base, seed };
    const { train, test } = dataFromOptions(values, config, m.dataset);
    if (repeat && !json) out(`— seed ${seed} (${accuracies.length + 1} of ${repeat}) —`);
    const model = await loadPretrained(m.dir);
    try {
      const printer = eventPrinter(json, config, test.count, out);
      const summary = await runInq({ model, train, test, config, onEvent: printer.onEvent, phaseSnapshots: false });
      // The final model scored on --final-test-size images (default: the images the rounds used).
      const finalTest = finalTestSize === null ? test : headSubset(full, finalTestSize);
      const rec = predictionsRecord(m.dataset, finalTest, await predictClasses(model, finalTest), seed);
      if (finalTestSize !== null) {
        if (json) out(JSON.stringify({ final: true, seed, testSize: rec.testSize, accuracy: rec.accuracy }));
        else out(`final model on ${rec.testSize} test images: ${pct(rec.accuracy)}`);
      }
      accuracies.push(rec.accuracy);
      if (values.out) {
        const dir = repeat ? join(values.out, `seed-${seed}`) : values.out;
        const packed = await saveQuantized(dir, model, config, printer.n1ByLayer(), m.name, summary);
        writePredictions(dir, rec);
        process.stderr.write(
          packed
            ? `inq: quantized model written to ${dir} (model.json + weights.bin, packed.json + codes.bin, ${PREDICTIONS_FILE})\n`
            : `inq: quantized model written to ${dir} (model.json + weights.bin, ${PREDICTIONS_FILE}); uniform levels are not powers of two, so no packed codes (the packed format, the shift kernels and the C export are pow2-only)\n`,
        );
      }
    } finally {
      model.dispose();
    }
  }
  if (!repeat) return;
  const stats = meanInterval(accuracies, [0, 1]);
  if (json) {
    out(JSON.stringify({ repeat: true, seeds, accuracies, meanAccuracy: stats.mean, interval: stats.interval }));
    return;
  }
  const [lo, hi] = stats.interval ?? [stats.mean, stats.mean];
  out(`${repeat} seeds (${seeds.join(', ')}): ${accuracies.map(pct).join(', ')}`);
  out(`mean ${pct(stats.mean)}, 95 % t interval [${pct(lo)}, ${pct(hi)}], spread ${pct(Math.min(...accuracies))} to ${pct(Math.max(...accuracies))}`);
}

/** Writes the quantized Layers model and its packed codes side by side. */
async function saveQuantized(dir: string, model: LayersModel, config: InqConfig, n1ByLayer: Map<string, number>, name: string, summary: RunSummary): Promise<boolean> {
  await saveModelDir(model, dir, { inq: { model: name, quantized: true, config, summary } });
  if (config.levels === 'uniform') return false;
  const { manifest, codes } = await packModel(model, config.bits, n1ByLayer, name);
  writeFileSync(join(dir, 'packed.json'), JSON.stringify(manifest, null, 1));
  writeFileSync(join(dir, manifest.codesFile), codes);
  return true;
}
