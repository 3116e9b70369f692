/**
 * The INQ session: rounds of partition → quantize the newly frozen → re-train the free → evaluate,
 * emitted as typed events. The same code runs in the Node command line and in the browser worker.
 */
import * as tf from '@tensorflow/tfjs';
import { levelSetOf, maxAbs, type LevelSet } from '../inq/levels.ts';
import { quantizeAll } from '../inq/quantize.ts';
import { countFrozen, partitionQuantizeInPlace } from '../inq/partition.ts';
import { histogram, levelCounts } from '../inq/histogram.ts';
import { layerSize } from '../inq/codec.ts';
import type { Dataset } from '../data/dataset.ts';
import { kernelsOf, floatBytesOf, type KernelRef } from '../model/quantLayers.ts';
import { MaskedTrainer, type OptimizerOptions } from '../model/trainer.ts';
import { evaluateWithClasses, predictClasses } from '../model/evaluate.ts';
import { trainEpoch } from './epoch.ts';
import { RunControl } from './control.ts';
import { prune } from './prune.ts';
import { countNonZero, sparseFloatBytes, sparseLayerBytes } from '../inq/sparse.ts';
import { PRUNE_EPOCHS, PRUNED_ROUND, RETRAIN_SNAPSHOTS_PER_EPOCH } from './types.ts';
import { validateConfig } from './config.ts';
import type { InqConfig, InqEvent, LayerInfo, LayerSnapshot, PruneReport, ResumeState, RoundIntegrity, RoundResult, RunSummary } from './types.ts';
import { oneShotAccuracy } from './sensitivity.ts';

/** Bins of the free-weight histograms. */
export const HISTOGRAM_BINS = 64;

/** The configuration check lives with the bounds table (src/engine/config.ts); re-exported for the engine's callers. */
export { validateConfig };

/** A private copy of a variable's values (the cpu backend hands out its own storage from data()). */
async function readKernel(v: tf.Variable): Promise<Float32Array> {
  return new Float32Array(await v.data());
}

interface LayerState {
  ref: KernelRef;
  set: LevelSet;
  preMaxAbs: number;
  frozen: Uint8Array;
  frozenRound: Uint8Array;
  /** Weights pruned before INQ (frozen at zero; INQ's portions apply to the rest). */
  prunedCount: number;
  /** Each weight's value when it froze (read where frozen is 1): the integrity check compares against it. */
  frozenAt: Float32Array;
}

/** Inputs of a session. */
export interface SessionInput {
  /** A pre-trained float model; the session quantizes it in place. */
  model: tf.LayersModel;
  train: Dataset;
  test: Dataset;
  config: InqConfig;
  onEvent: (e: InqEvent) => void;
  control?: RunControl;
  /** Continue a run after its last completed round (e.g. on another backend after a device loss). */
  resume?: ResumeState;
  /**
   * Send the weights at each phase ('phase' events: after partition, after quantize, and four
   * times a re-training epoch), for the page's Teach view and weight trail. Default true; the
   * command line, which reads none of them, turns it off and skips their kernel reads and
   * histograms. Phase boundaries (pausing, phase steps) are kept either way.
   */
  phaseSnapshots?: boolean;
}

/** Runs INQ to the end (or until cancelled: then CancelledError propagates, state consistent). */
export async function runInq(input: SessionInput): Promise<RunSummary> {
  const { model, train, test, config, onEvent } = input;
  const phases = input.phaseSnapshots ?? true;
  validateConfig(config);
  const control = input.control ?? new RunControl();
  const t0 = performance.now();
  const layers: LayerState[] = [];
  const resume = input.resume;
  const refs = kernelsOf(model);
  if (refs.length === 0) throw new RangeError('the model has no conv or dense kernel to quantize');
  if (resume && (resume.layers.length !== refs.length || resume.layers.some((l, i) => l.size !== refs[i].size))) {
    throw new RangeError('the saved run does not match this model\'s layers');
  }
  // The float model's figures and its class for each test image (before pruning or resuming change the weights);
  // a resumed run keeps its figures and predicts again only when its answers are missing or for other images.
  let base: { accuracy: number; loss: number };
  let floatPredictions: Uint8Array;
  if (resume) {
    base = { accuracy: resume.floatAccuracy, loss: resume.floatLoss };
    floatPredictions =
      resume.floatPredictions && resume.floatPredictions.length === test.count ? Uint8Array.from(resume.floatPredictions) : Uint8Array.from(await predictClasses(model, test));
  } else {
    const ev = await evaluateWithClasses(model, test);
    base = { accuracy: ev.accuracy, loss: ev.loss };
    floatPredictions = ev.classes;
  }
  // 0. Optional pruning with splicing; the pruned weights then stay frozen at zero.
  let pruned: Uint8Array[] | null = null;
  let pruneReport: PruneReport | undefined;
  if (!resume && config.prune) {
    const epochs = config.pruneEpochs ?? PRUNE_EPOCHS;
    onEvent({ type: 'pruneStart', target: config.prune, epochs, floatAccuracy: base.accuracy, floatLoss: base.loss });
    const r = await prune({
      model,
      train,
      test,
      sparsity: config.prune,
      epochs,
      optimizer: { kind: config.optimizer, learningRate: config.learningRate, momentum: config.momentum, weightDecay: config.weightDecay },
      batchSize: config.batchSize,
      seed: config.seed,
      onBatch: async (epoch, batch, batches, loss) => {
        onEvent({ type: 'batch', round: 0, epoch, batch, batches, loss });
        await control.boundary('batch');
      },
      onEpoch: async (epoch, trainLoss) => {
        onEvent({ type: 'epochEnd', round: 0, epoch, trainLoss });
        await control.boundary('epoch');
      },
    });
    pruned = r.pruned;
    const kernelBytes = refs.reduce((a, ref, l) => a + sparseFloatBytes(ref.size, ref.size - countFrozen(r.pruned[l])), 0);
    const kernelFloat = refs.reduce((a, ref) => a + ref.size * 4, 0);
    pruneReport = {
      target: config.prune,
      sparsity: r.sparsity,
      layerSparsity: r.layerSparsity,
      accuracy: r.accuracy,
      loss: r.loss,
      spliced: r.spliced,
      sparseFloatBytes: floatBytesOf(model) - kernelFloat + kernelBytes,
      seconds: r.seconds,
    };
    onEvent({ type: 'pruneEnd', report: pruneReport });
  }
  for (let li = 0; li < refs.length; li++) {
    const ref = refs[li];
    // The layer's weights as the rounds start (a resumed run's are its saved ones): n1 comes from them, and the integrity check starts from them.
    const startWeights = resume ? Float32Array.from(resume.weights[li]) : await readKernel(ref.variable);
    const preMaxAbs = resume ? resume.layers[li].preMaxAbs : maxAbs(startWeights);
    let set: LevelSet;
    try {
      set = levelSetOf(config.levels ?? 'pow2', config.bits, preMaxAbs);
    } catch (e) {
      throw new RangeError(`layer ${ref.layer}: ${(e as Error).message}`, { cause: e });
    }
    const frozenRound = resume ? Uint8Array.from(resume.frozenRound[li]) : new Uint8Array(ref.size);
    if (pruned) for (let i = 0; i < ref.size; i++) if (pruned[li][i]) frozenRound[i] = PRUNED_ROUND;
    const frozen = frozenRound.map((r) => (r > 0 ? 1 : 0));
    let prunedCount = 0;
    for (let i = 0; i < frozenRound.length; i++) prunedCount += frozenRound[i] === PRUNED_ROUND ? 1 : 0;
    if (resume) tf.tidy(() => ref.variable.assign(tf.tensor(resume.weights[li], ref.shape, 'float32')));
    layers.push({ ref, set, preMaxAbs, frozen, frozenRound, prunedCount, frozenAt: startWeights });
  }
  // The one-shot baseline INQ is measured against (a continued run had it measured at its start).
  const oneShot = resume ? null : await oneShotAccuracy(refs, layers.map((l) => l.set), model, test);
  const first = resume?.completedRounds ?? 0;
  const info: LayerInfo[] = layers.map((l) => ({
    name: l.ref.layer,
    kind: l.ref.kind,
    shape: l.ref.shape,
    size: l.ref.size,
    n1: l.set.n1,
    n2: l.set.n2,
    preMaxAbs: l.preMaxAbs,
    levels: l.set.levels,
  }));
  onEvent({
    type: 'start',
    layers: info,
    rounds: config.schedule.length,
    floatAccuracy: base.accuracy,
    floatLoss: base.loss,
    oneShotAccuracy: oneShot ? oneShot.accuracy : null,
    config,
    resumedAfter: first,
    floatPredictions,
    testLabels: Uint8Array.from(test.labels),
  });
  // A phase step from a fresh start stops here: the float and one-shot figures shown, nothing frozen yet.
  await control.boundary('phase');

  const opt: OptimizerOptions = { kind: config.optimizer, learningRate: config.learningRate, momentum: config.momentum, weightDecay: config.weightDecay };
  const trainer = new MaskedTrainer(model, opt);
  let last: RoundResult | null = resume?.lastRound ?? null;
  try {
    for (let k = first; k < config.schedule.length; k++) {
      const round = k + 1;
      const portion = config.schedule[k];
      const tr0 = performance.now();
      onEvent({ type: 'roundStart', round, portion });
      // 1–2. Partition on the re-trained values and snap the newly frozen to levels (one fused step);
      // the chosen weights' values before the snap are kept for the partition phase's snapshot.
      const chosen: Float32Array[] = [];
      for (let li = 0; li < layers.length; li++) {
        const l = layers[li];
        const w = await readKernel(l.ref.variable);
        const before = w.slice();
        // With pruning, the portion applies to the surviving weights: P + round(σ·(N − P)) frozen.
        const n = l.ref.size;
        const layerPortion = l.prunedCount ? (l.prunedCount + Math.round(portion * (n - l.prunedCount))) / n : portion;
        partitionQuantizeInPlace(w, l.frozen, l.frozenRound, round, layerPortion, l.set, { strategy: config.strategy, seed: config.seed * 7919 + round * 104729 + li });
        tf.tidy(() => l.ref.variable.assign(tf.tensor(w, l.ref.shape, 'float32')));
        trainer.setFrozen(l.ref.variable, l.frozen, w);
        for (let i = 0; i < w.length; i++) if (l.frozenRound[i] === round) l.frozenAt[i] = w[i];
        chosen.push(before);
      }
      // The two stages are reported apart (the model already holds the snapped weights, so a cancel between them leaves it consistent).
      if (phases) onEvent({ type: 'phase', round, phase: 'partition', epoch: 0, fraction: 0, layers: layers.map((l, li) => snapshotOf(l, chosen[li])) });
      await control.boundary('phase');
      if (phases) onEvent({ type: 'phase', round, phase: 'quantize', epoch: 0, fraction: 0, layers: await snapshotLayers(layers) });
      await control.boundary('phase');
      // 3. Re-train the free weights (not after the last round: nothing is free).
      const epochLosses: number[] = [];
      let trainSeconds = 0;
      if (round < config.schedule.length) {
        trainer.resetOptimizer(opt);
        for (let e = 0; e < config.epochsPerRound; e++) {
          const te = performance.now();
          const epoch = e + 1;
          let snapshots = 0;
          const loss = await trainEpoch(trainer, train, config.batchSize, config.seed * 1_000_003 + round * 1009 + e, async (batch, batches, l) => {
            onEvent({ type: 'batch', round, epoch, batch, batches, loss: l });
            // The weights a few times an epoch, so the free weights are seen moving (and one weight followed inside a round).
            if (phases && batch >= Math.ceil(((snapshots + 1) * batches) / RETRAIN_SNAPSHOTS_PER_EPOCH)) {
              snapshots++;
              onEvent({ type: 'phase', round, phase: 'retrain', epoch, fraction: batch / batches, layers: await snapshotLayers(layers) });
            }
            await control.boundary('batch');
          });
          trainSeconds += (performance.now() - te) / 1000;
          epochLosses.push(loss);
          onEvent({ type: 'epochEnd', round, epoch, trainLoss: loss });
          await control.boundary('epoch');
        }
        await control.boundary('phase');
      }
      // 4. Evaluate.
      const ev = await evaluateWithClasses(model, test);
      last = { round, portion, accuracy: ev.accuracy, loss: ev.loss, epochLosses, seconds: 0, trainSeconds, layers: [], predictions: ev.classes, integrity: { moved: 0, offLevel: 0 } };
      last.layers = await snapshotLayers(layers);
      last.integrity = checkIntegrity(layers, last.layers);
      if (last.integrity.moved || last.integrity.offLevel) {
        throw new Error(`integrity check failed after round ${round}: ${last.integrity.moved} frozen weights moved since they froze, ${last.integrity.offLevel} frozen weights are not levels`);
      }
      last.seconds = (performance.now() - tr0) / 1000;
      onEvent({ type: 'roundEnd', result: last });
      await control.boundary('round');
    }
  } finally {
    trainer.dispose();
  }
  const summary = await summarize(model, layers, base, last, config, (performance.now() - t0) / 1000);
  if (pruneReport) summary.prune = pruneReport;
  onEvent({ type: 'end', summary });
  return summary;
}

/** Counts frozen weights that differ from their value at freezing, and frozen weights off their layer's levels. */
export function checkIntegrity(layers: readonly Pick<LayerState, 'frozen' | 'frozenAt' | 'set'>[], snaps: readonly Pick<LayerSnapshot, 'weights'>[]): RoundIntegrity {
  let moved = 0;
  let offLevel = 0;
  layers.forEach((l, li) => {
    const w = snaps[li].weights;
    const levels = new Set(Array.from(l.set.levels));
    for (let i = 0; i < w.length; i++) {
      if (!l.frozen[i]) continue;
      if (w[i] !== l.frozenAt[i]) moved++;
      if (!levels.has(w[i])) offLevel++;
    }
  });
  return { moved, offLevel };
}

async function snapshotLayers(layers: LayerState[]): Promise<LayerSnapshot[]> {
  const out: LayerSnapshot[] = [];
  for (const l of layers) out.push(snapshotOf(l, await readKernel(l.ref.variable)));
  return out;
}

/** One layer's snapshot from its weights (owned by the snapshot): the free ones binned, the frozen ones counted per level. */
function snapshotOf(l: LayerState, weights: Float32Array): LayerSnapshot {
  let free = 0;
  for (let i = 0; i < weights.length; i++) if (!l.frozen[i]) free = Math.max(free, Math.abs(weights[i]));
  const edge = Math.max(free, 2 ** l.set.n1) * 1.05;
  const h = histogram(weights, HISTOGRAM_BINS, { min: -edge, max: edge }, { mask: l.frozen, want: 0 });
  const frozenCount = weights.length - h.counts.reduce((a, b) => a + b, 0);
  return {
    name: l.ref.layer,
    weights,
    frozenRound: Uint8Array.from(l.frozenRound),
    frozenCount,
    freeHistogram: h.counts,
    histMin: h.min,
    histMax: h.max,
    levelCounts: levelCounts(weights, l.set.levels, { mask: l.frozen, want: 1 }),
  };
}

async function summarize(
  model: tf.LayersModel,
  layers: LayerState[],
  base: { accuracy: number; loss: number },
  last: RoundResult | null,
  config: InqConfig,
  seconds: number,
): Promise<RunSummary> {
  let allLevels = true;
  let kernelFloatBytes = 0;
  let kernelPackedBytes = 0;
  let sparseKernelBytes = 0;
  let zeros = 0;
  for (const l of layers) {
    const w = await readKernel(l.ref.variable);
    const q = quantizeAll(w, l.set);
    for (let i = 0; i < w.length && allLevels; i++) if (q[i] !== w[i] || !l.frozen[i]) allLevels = false;
    const size = layerSize(w.length, config.bits);
    kernelFloatBytes += size.floatBytes;
    kernelPackedBytes += size.packedBytes;
    const nonZero = countNonZero(w);
    zeros += w.length - nonZero;
    sparseKernelBytes += sparseLayerBytes(w.length, nonZero, config.bits);
  }
  const floatBytes = floatBytesOf(model);
  return {
    floatAccuracy: base.accuracy,
    floatLoss: base.loss,
    finalAccuracy: last?.accuracy ?? base.accuracy,
    finalLoss: last?.loss ?? base.loss,
    floatBytes,
    packedBytes: floatBytes - kernelFloatBytes + kernelPackedBytes,
    kernelFloatBytes,
    kernelPackedBytes,
    allLevels,
    rounds: config.schedule.length,
    seconds,
    sparsity: kernelFloatBytes ? zeros / (kernelFloatBytes / 4) : 0,
    sparseKernelBytes,
    sparsePackedBytes: floatBytes - kernelFloatBytes + sparseKernelBytes,
  };
}
