/**
 * `inq infer`: runs a quantized model's packed codes through the shift kernels (Dawn WebGPU) over
 * MNIST test images, and the same power-of-two weights through tfjs (DIR/model.json), and reports
 * both accuracies and how often their predictions agree.
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { headSubset, pixels } from '../data/dataset.ts';
import { loadMnistNode } from '../data/nodeMnist.ts';
import { unpackLevels } from '../inq/codec.ts';
import type { PackedModel } from '../inq/packedModel.ts';
import type { ShiftMode } from '../inq/shiftRef.ts';
import { readPackedModelDir } from '../kernels/nodePacked.ts';
import { loadWgslFromDisk } from '../kernels/nodeWgsl.ts';
import { shiftProgramFromPacked } from '../kernels/packedLoader.ts';
import type { ShiftProgram } from '../kernels/packedLoader.ts';
import { ShiftKernels } from '../kernels/programs.ts';
import { ShiftNetwork } from '../kernels/shiftNetwork.ts';
import { loadModelDir } from '../model/nodeIo.ts';
import { UsageError, choiceOption, numberOption, progressReporter } from './args.ts';
import { requireNodeWebGpu, setupNodeBackend } from './nodeBackend.ts';

/** The shift kernels' arithmetic, as named on the command line. */
export const INFER_MODES = ['float-exp', 'fixed-shift'] as const;
/** One of INFER_MODES. */
export type InferMode = (typeof INFER_MODES)[number];

const MODE_OF: Readonly<Record<InferMode, ShiftMode>> = { 'float-exp': 'float', 'fixed-shift': 'fixed' };

const HELP = `usage: npm run -s inq -- infer --model DIR [--test-size N] [--mode float-exp|fixed-shift] [--batch-size N] [--data-dir DIR] [--json]
  runs DIR/packed.json + its codes on the WGSL shift kernels (Dawn WebGPU) over the first N MNIST test
  images (default all 10000), and DIR/model.json (the same power-of-two weights) on tfjs, and reports
  both accuracies and the fraction of identical predictions (agreement). In float-exp mode the
  fixed-shift kernels run too. Fixed-shift picks each layer's fractional bits from the batch's
  max |x|, so its results can depend on --batch-size (default 1000).
  output: one JSON line with --json, else a short table; progress on stderr.`;

/** What `infer --json` prints (one line). */
export interface InferSummary {
  floatAccuracy: number;
  shiftAccuracy: number;
  agreement: number;
  mode: InferMode;
  testSize: number;
  fixedShiftAccuracy?: number;
  fixedShiftAgreement?: number;
  seconds: number;
}

/** Index of the first largest value of row `row` (tf.argMax's tie rule). */
export function argmaxRow(a: Float32Array, row: number, n: number): number {
  let best = 0;
  for (let j = 1; j < n; j++) if (a[row * n + j] > a[row * n + best]) best = j;
  return best;
}

/** Throws unless the tfjs model holds exactly the packed model's weights (else agreement means nothing). */
export async function checkSameWeights(model: tf.LayersModel, packed: PackedModel): Promise<void> {
  const { manifest } = packed;
  const inShape = model.inputs[0].shape.slice(1);
  if (inShape.join(',') !== manifest.inputShape.join(',')) {
    throw new UsageError(`model.json takes inputs [${inShape.join(', ')}] but packed.json [${manifest.inputShape.join(', ')}]: they are not the same model`);
  }
  for (const [i, entry] of manifest.layers.entries()) {
    let layer: tf.layers.Layer;
    try {
      layer = model.getLayer(entry.name);
    } catch {
      throw new UsageError(`model.json has no layer "${entry.name}" that packed.json quantizes: they are not the same model`);
    }
    const [kernel, bias] = layer.getWeights();
    const levels = unpackLevels(packed.codes[i], entry.count, entry.bits, entry.n1);
    const k = kernel ? await kernel.data() : new Float32Array(0);
    const b = bias ? await bias.data() : new Float32Array(entry.bias.length);
    const differs = (a: ArrayLike<number>, ref: ArrayLike<number>): number => {
      if (a.length !== ref.length) return 0;
      for (let j = 0; j < a.length; j++) if (a[j] !== ref[j]) return j;
      return -1;
    };
    const dk = differs(k, levels);
    if (dk >= 0) {
      throw new UsageError(
        `layer ${entry.name}: model.json's kernel ${k.length === levels.length ? `weight ${dk} is ${k[dk]}, packed.json's is ${levels[dk]}` : `has ${k.length} weights, packed.json ${levels.length}`}: not the same quantized model`,
      );
    }
    const db = differs(b, Float32Array.from(entry.bias));
    if (db >= 0) throw new UsageError(`layer ${entry.name}: model.json's bias differs from packed.json's: not the same quantized model`);
  }
}

/** Opens a device: tfjs's own when it runs on WebGPU (one device, one queue), else a fresh one from the same adapter. */
async function shiftDevice(): Promise<{ device: GPUDevice; owned: boolean }> {
  if (tf.getBackend() === 'webgpu') return { device: (tf.backend() as WebGPUBackend).device, owned: false };
  const adapter = await navigator.gpu.requestAdapter();
  if (!adapter) throw new UsageError('infer needs WebGPU for the shift kernels: requestAdapter() returned null');
  return { device: await adapter.requestDevice(), owned: true };
}

/** infer --model DIR …: prints the summary (JSON line or table); throws a one-line error on any problem. */
export async function inferCommand(argv: string[]): Promise<void> {
  const t0 = performance.now();
  const { values } = parseArgs({
    args: argv,
    options: {
      model: { type: 'string' },
      'test-size': { type: 'string' },
      mode: { type: 'string' },
      'batch-size': { type: 'string' },
      'data-dir': { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return;
  }
  const dir = values.model;
  if (dir === undefined || dir === '') throw new UsageError('infer needs --model DIR (a folder written by: npm run -s inq -- run … --out DIR)');
  const mode = choiceOption(values.mode, 'mode', INFER_MODES, 'float-exp');
  const batchSize = numberOption(values['batch-size'], 'batch-size', 1000, { integer: true, min: 1, max: 10_000 });
  const testSizeWanted = numberOption(values['test-size'], 'test-size', 10_000, { integer: true, min: 1 });

  // Everything that can be wrong with the folder is reported before the GPU and tfjs start.
  const packed = readPackedModelDir(dir);
  const program: ShiftProgram = shiftProgramFromPacked(packed, 'packed.json');
  if (!existsSync(join(dir, 'model.json')) || !statSync(join(dir, 'model.json')).isFile()) {
    throw new UsageError(`no model.json in ${dir}: infer compares the packed codes with the tfjs model saved beside them (inq run --out DIR writes both)`);
  }
  const mnist = loadMnistNode(values['data-dir']);
  const test = headSubset(mnist.test, testSizeWanted);
  if (test.shape.join(',') !== program.inputShape.join(',') || test.numClasses !== program.numClasses) {
    throw new UsageError(`the model takes [${program.inputShape.join(', ')}] inputs and ${program.numClasses} classes; MNIST has [${test.shape.join(', ')}] and ${test.numClasses}`);
  }

  await requireNodeWebGpu('infer (the shift kernels)', true);
  await setupNodeBackend('auto');
  loadWgslFromDisk();
  const model = await loadModelDir(dir);
  const { device, owned } = await shiftDevice();
  const uncaptured: string[] = [];
  const onError = (e: Event): void => void uncaptured.push((e as GPUUncapturedErrorEvent).error.message);
  device.addEventListener('uncapturederror', onError);
  const nets: ShiftNetwork[] = [];
  try {
    await checkSameWeights(model, packed);
    const kernels = await ShiftKernels.create(device);
    // The chosen mode first; in float-exp mode fixed-shift runs beside it.
    const modes: ShiftMode[] = mode === 'float-exp' ? [MODE_OF[mode], 'fixed'] : [MODE_OF[mode]];
    for (const m of modes) nets.push(await ShiftNetwork.create(device, program.layers, program.inputShape, { mode: m, kernels }));

    const classes = program.numClasses;
    const size = pixels(test);
    const correct = { tfjs: 0, shift: [0, 0] };
    const agree = [0, 0];
    const progress = progressReporter();
    for (let s = 0; s < test.count; s += batchSize) {
      const n = Math.min(batchSize, test.count - s);
      const x = test.images.subarray(s * size, (s + n) * size);
      const logitsT = tf.tidy(() => model.predict(tf.tensor(x, [n, ...test.shape], 'float32')) as tf.Tensor);
      const ref = new Float32Array(await logitsT.data());
      logitsT.dispose();
      const outs: Float32Array[] = [];
      for (const net of nets) outs.push((await net.forward(x, n)).logits);
      if (uncaptured.length) throw new Error(`WebGPU error in the shift kernels: ${uncaptured[0]}`);
      for (let i = 0; i < n; i++) {
        const label = test.labels[s + i];
        const pt = argmaxRow(ref, i, classes);
        if (pt === label) correct.tfjs++;
        outs.forEach((o, k) => {
          const ps = argmaxRow(o, i, classes);
          if (ps === label) correct.shift[k]++;
          if (ps === pt) agree[k]++;
        });
      }
      // Progress only once the run has taken more than a second.
      if (performance.now() - t0 > 1000) progress.update(`infer: ${s + n}/${test.count} images`);
    }
    progress.done();

    const count = test.count;
    const summary: InferSummary = {
      floatAccuracy: correct.tfjs / count,
      shiftAccuracy: correct.shift[0] / count,
      agreement: agree[0] / count,
      mode,
      testSize: count,
      ...(mode === 'float-exp' ? { fixedShiftAccuracy: correct.shift[1] / count, fixedShiftAgreement: agree[1] / count } : {}),
      seconds: Math.round(performance.now() - t0) / 1000,
    };
    printSummary(summary, values.json ?? false, dir);
  } finally {
    for (const net of nets) net.destroy();
    device.removeEventListener('uncapturederror', onError);
    model.dispose();
    if (owned) device.destroy();
  }
}

function printSummary(s: InferSummary, json: boolean, dir: string): void {
  const out = (line: string): void => void process.stdout.write(`${line}\n`);
  if (json) {
    out(JSON.stringify(s));
    return;
  }
  const pct = (v: number): string => `${(v * 100).toFixed(2)} %`;
  const rows: [string, string, string][] = [
    ['tfjs, power-of-two weights (float)', pct(s.floatAccuracy), '—'],
    [`shift kernels, ${s.mode}`, pct(s.shiftAccuracy), pct(s.agreement)],
  ];
  if (s.fixedShiftAccuracy !== undefined && s.fixedShiftAgreement !== undefined) rows.push(['shift kernels, fixed-shift', pct(s.fixedShiftAccuracy), pct(s.fixedShiftAgreement)]);
  const w = Math.max(...rows.map((r) => r[0].length));
  out(`inq infer: ${dir}, first ${s.testSize} MNIST test images`);
  out(`${'runs on'.padEnd(w)}  ${'accuracy'.padStart(9)}  ${'same as tfjs'.padStart(12)}`);
  for (const [a, b, c] of rows) out(`${a.padEnd(w)}  ${b.padStart(9)}  ${c.padStart(12)}`);
  out(`${s.seconds.toFixed(1)} s`);
}
