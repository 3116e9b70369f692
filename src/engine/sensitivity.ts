/**
 * Per-layer sensitivity: snap one layer's kernel alone to its levels (every other weight float),
 * evaluate, restore it; one row per layer, after the float row. Shows which layers are fragile at a
 * bit-width before any schedule is tuned. The model is left as it came in.
 */
import * as tf from '@tensorflow/tfjs';
import { levelSetOf, maxAbs, type LevelKind, type LevelSet } from '../inq/levels.ts';
import { quantizeAll } from '../inq/quantize.ts';
import type { Dataset } from '../data/dataset.ts';
import { kernelsOf, type KernelRef } from '../model/quantLayers.ts';
import { evaluate, type EvalResult } from '../model/evaluate.ts';

/** One layer snapped alone. */
export interface SensitivityRow {
  layer: string;
  accuracy: number;
  loss: number;
  /** Float accuracy minus this accuracy (positive: the layer costs accuracy when snapped). */
  drop: number;
}

/** The float model's figures and one row per quantizable layer. */
export interface SensitivityResult {
  bits: number;
  levels: LevelKind;
  testSize: number;
  floatAccuracy: number;
  floatLoss: number;
  layers: SensitivityRow[];
}

/**
 * INQ's foil: every weight of every layer snapped to its levels at once, no re-training, evaluated on
 * `test`; the weights are put back after. What the network would lose without the incremental rounds.
 */
export async function oneShotAccuracy(refs: readonly KernelRef[], sets: readonly LevelSet[], model: tf.LayersModel, test: Dataset): Promise<EvalResult> {
  const originals: Float32Array[] = [];
  try {
    for (let i = 0; i < refs.length; i++) {
      const original = new Float32Array(await refs[i].variable.data());
      originals.push(original);
      const snapped = quantizeAll(original, sets[i]);
      tf.tidy(() => refs[i].variable.assign(tf.tensor(snapped, refs[i].shape, 'float32')));
    }
    return await evaluate(model, test);
  } finally {
    originals.forEach((w, i) => tf.tidy(() => refs[i].variable.assign(tf.tensor(w, refs[i].shape, 'float32'))));
  }
}

/** Inputs of layerSensitivity. */
export interface SensitivityInput {
  model: tf.LayersModel;
  test: Dataset;
  bits: number;
  levels?: LevelKind;
  /** Called after each row (for progress). */
  onLayer?: (row: SensitivityRow, index: number, count: number) => void;
  /** Called while layer `index` is snapped, before it is restored (tests look at the weights here). */
  onSnapped?: (index: number, refs: KernelRef[]) => Promise<void> | void;
}

/** Evaluates the model with each layer alone snapped to its levels (n1 from that layer's own max |w|). */
export async function layerSensitivity(input: SensitivityInput): Promise<SensitivityResult> {
  const { model, test, bits } = input;
  const levels = input.levels ?? 'pow2';
  const refs = kernelsOf(model);
  if (refs.length === 0) throw new RangeError('the model has no conv or dense kernel to quantize');
  const base = await evaluate(model, test);
  const rows: SensitivityRow[] = [];
  for (let i = 0; i < refs.length; i++) {
    const ref = refs[i];
    const original = new Float32Array(await ref.variable.data());
    let snapped: Float32Array;
    try {
      snapped = quantizeAll(original, levelSetOf(levels, bits, maxAbs(original)));
    } catch (e) {
      throw new RangeError(`layer ${ref.layer}: ${(e as Error).message}`, { cause: e });
    }
    tf.tidy(() => ref.variable.assign(tf.tensor(snapped, ref.shape, 'float32')));
    let ev;
    try {
      ev = await evaluate(model, test);
      await input.onSnapped?.(i, refs);
    } finally {
      tf.tidy(() => ref.variable.assign(tf.tensor(original, ref.shape, 'float32')));
    }
    const row: SensitivityRow = { layer: ref.layer, accuracy: ev.accuracy, loss: ev.loss, drop: base.accuracy - ev.accuracy };
    rows.push(row);
    input.onLayer?.(row, i, refs.length);
  }
  return { bits, levels, testSize: test.count, floatAccuracy: base.accuracy, floatLoss: base.loss, layers: rows };
}
