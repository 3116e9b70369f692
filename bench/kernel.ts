/**
 * The shift kernels against tfjs's WebGPU backend, per layer, on one GPUDevice (tfjs's own, so
 * both run on the same Dawn adapter and queue): LeNet-5's layers at a batch size, and a 3×3 64→64
 * 32×32 conv at batch 32. Median GPU time per layer from timestamp queries when the device has
 * them (tfjs: tf.time's kernelMs, the same queries), else wall time to queue completion.
 *
 * `npx tsx bench/kernel.ts [--batch 32] [--reps 20] [--warmup 3] [--bits 5]` prints the table; bench/main.ts can
 * run it as a suite through benchKernel().
 */
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { unpackLevels } from '../src/inq/codec.ts';
import { createRng } from '../src/inq/rng.ts';
import type { ShiftLayer, ShiftMode } from '../src/inq/shiftRef.ts';
import { readBuffer, storageBuffer, uploadBuffer } from '../src/kernels/gpu.ts';
import { pairDurationsMs } from '../src/kernels/shiftNetwork.ts';
import type { GpuLayer } from '../src/kernels/gpuLayer.ts';
import { statsBuffer } from '../src/kernels/gpuLayer.ts';
import { MaxPool2dLayer } from '../src/kernels/maxPool.ts';
import { loadWgslFromDisk } from '../src/kernels/nodeWgsl.ts';
import { maxRelErr, randomKernel, randomLenet5 } from '../src/kernels/parity.ts';
import { ShiftKernels } from '../src/kernels/programs.ts';
import { ShiftConv2dLayer } from '../src/kernels/shiftConv.ts';
import { ShiftDenseLayer } from '../src/kernels/shiftDense.ts';
import { installNodeWebGpu } from '../src/model/nodeGpu.ts';
import { formatTable, median, type Table } from './table.ts';

/** Benchmark knobs. */
export interface KernelBenchOptions {
  /** LeNet-5 batch size. */
  batch?: number;
  bits?: number;
  /** Timed runs per layer and contender (fewer, but at least 5, once `budgetMs` of them have passed). */
  reps?: number;
  warmup?: number;
  budgetMs?: number;
}

interface Case {
  name: string;
  layer: ShiftLayer;
  /** NHWC (or [n, features]) input shape. */
  inShape: number[];
}

/** A median over the timed runs, and how many runs were dropped for an unusable GPU timestamp. */
interface Timed {
  ms: number;
  dropped: number;
}

/** Median of the usable times (NaN when none was usable), with the count of dropped ones. */
function medianOf(times: (number | null)[]): Timed {
  const ok = times.filter((t): t is number => t !== null);
  return { ms: ok.length ? median(ok) : Number.NaN, dropped: times.length - ok.length };
}

/** Run counts: `reps` timed runs after `warmup`, but a contender stops after `budgetMs` of timed runs once it has `minReps`. */
interface Runs {
  reps: number;
  warmup: number;
  minReps: number;
  budgetMs: number;
}

/**
 * Times `once` (ms, or null when its GPU timestamps were unusable) as `runs` says. On a slow adapter a
 * layer can take a minute a run: one warm-up is enough once a run takes a fifth of the budget, and
 * past four budgets the timing stops with the runs it has.
 */
async function timedRuns(runs: Runs, once: () => Promise<number | null>): Promise<Timed & { runs: number }> {
  for (let r = 0; r < runs.warmup; r++) {
    const w0 = performance.now();
    await once();
    if (performance.now() - w0 > runs.budgetMs / 5) break;
  }
  const times: (number | null)[] = [];
  const t0 = performance.now();
  const more = (): boolean => {
    const spent = performance.now() - t0;
    return times.length < runs.reps && (times.length < runs.minReps ? spent < 4 * runs.budgetMs : spent < runs.budgetMs);
  };
  do times.push(await once());
  while (more());
  return { ...medianOf(times), runs: times.length };
}

/** Our layer alone: median GPU (or wall) ms over `reps`, and its output. */
async function timeShift(device: GPUDevice, layer: GpuLayer, input: GPUBuffer, stats: GPUBuffer, runs: Runs, timestamps: boolean): Promise<Timed & { runs: number; y: Float32Array }> {
  const output = storageBuffer(device, layer.outCount * 4, 'bench out');
  const querySet = timestamps ? device.createQuerySet({ type: 'timestamp', count: 2 }) : null;
  const resolve = timestamps ? device.createBuffer({ size: 16, usage: 0x0200 | 0x0004 }) : null; // QUERY_RESOLVE | COPY_SRC
  const timed = await timedRuns(runs, async () => {
    const t0 = performance.now();
    const enc = device.createCommandEncoder();
    enc.clearBuffer(stats);
    const pass = enc.beginComputePass(querySet ? { timestampWrites: { querySet, beginningOfPassWriteIndex: 0, endOfPassWriteIndex: 1 } } : {});
    layer.encode(pass, input, output);
    pass.end();
    if (querySet && resolve) enc.resolveQuerySet(querySet, 0, 2, resolve, 0);
    device.queue.submit([enc.finish()]);
    await device.queue.onSubmittedWorkDone();
    // A pass whose end stamp is not after its begin says nothing: dropped from the median and counted.
    return resolve ? pairDurationsMs(new BigUint64Array(await readBuffer(device, resolve, 16)), 1)[0] : performance.now() - t0;
  });
  const y = new Float32Array(await readBuffer(device, output, layer.outCount * 4));
  output.destroy();
  querySet?.destroy();
  resolve?.destroy();
  return { ...timed, y };
}

/**
 * The same layer in tfjs (fused conv/matMul with bias and ReLU; weights = the decoded levels), and
 * the programs tfjs ran for it.
 */
async function timeTfjs(c: Case, x: Float32Array, runs: Runs, timestamps: boolean): Promise<Timed & { runs: number; y: Float32Array; programs: ProgramInfo[] }> {
  const l = c.layer;
  const xt = tf.tensor(x, c.inShape);
  let run: () => tf.Tensor;
  const held: tf.Tensor[] = [xt];
  if (l.kind === 'conv2d' || l.kind === 'dense') {
    const k = l.kernel;
    const count = k.shape.reduce((a, b) => a * b, 1);
    const w = tf.tensor(unpackLevels(k.words, count, k.bits, k.n1), [...k.shape]);
    const b = tf.tensor1d(l.bias);
    held.push(w, b);
    const activation = l.relu ? 'relu' : 'linear';
    run =
      l.kind === 'conv2d'
        ? () => tf.fused.conv2d({ x: xt as tf.Tensor4D, filter: w as tf.Tensor4D, strides: l.stride, pad: l.padding, bias: b, activation })
        : () => tf.fused.matMul({ a: xt as tf.Tensor2D, b: w as tf.Tensor2D, bias: b, activation });
  } else {
    run = () => tf.maxPool(xt as tf.Tensor4D, 2, 2, 'valid');
  }
  // A holder object, because TS cannot see the assignment inside tf.time's callback.
  const out: { t: tf.Tensor | null } = { t: null };
  const programs = recordPrograms(() => tf.dispose(run()));
  const timed = await timedRuns(runs, async () => {
    out.t?.dispose();
    const info = await tf.time(() => {
      out.t = run();
    });
    // With timestamp queries kernelMs is the GPU time of the layer's programs (tfjs reads each pair
    // as end − begin, so a broken one shows as ≤ 0: dropped and counted); without them, wall time.
    return timestamps ? (programTimesOk(info) ? (info.kernelMs as number) : null) : info.wallMs;
  });
  const y = out.t ? new Float32Array(await out.t.data()) : new Float32Array(0);
  out.t?.dispose();
  for (const t of held) t.dispose();
  return { ...timed, y, programs };
}

/** Whether every program tf.time timed has a positive GPU time (its per-program list reads "Name: ms, Name: ms"). */
function programTimesOk(info: tf.TimingInfo): boolean {
  if (typeof info.kernelMs !== 'number' || !(info.kernelMs > 0)) return false;
  const each = [...(info.getExtraProfileInfo?.() ?? '').matchAll(/:\s*(-?[\d.e+-]+)/g)].map((m) => Number(m[1]));
  return each.every((ms) => ms > 0);
}

/** A tfjs WebGPU program as it was built for a layer: class, vec4 variant, workgroup size and outputs per invocation. */
interface ProgramInfo {
  name: string;
  vec4?: boolean;
  workgroupSize?: number[];
  elementsPerThread?: number[];
}

/** The programs tfjs runs inside `fn`, read off each program object as the backend receives it. */
function recordPrograms(fn: () => void): ProgramInfo[] {
  // runWebGPUProgram is the backend's internal entry for every kernel; it is wrapped only for the
  // duration of `fn`, to see which program (and which variant of it) tfjs chose for the layer.
  const backend = tf.backend() as unknown as { runWebGPUProgram: (program: Record<string, unknown>, ...rest: unknown[]) => unknown };
  const own = Object.prototype.hasOwnProperty.call(backend, 'runWebGPUProgram');
  const original = backend.runWebGPUProgram;
  const seen: ProgramInfo[] = [];
  backend.runWebGPUProgram = function (this: unknown, program, ...rest) {
    const nums = (v: unknown): number[] | undefined => (Array.isArray(v) ? v.filter((x): x is number => typeof x === 'number') : undefined);
    seen.push({
      name: program.constructor.name,
      vec4: typeof program.isVec4 === 'boolean' ? program.isVec4 : undefined,
      workgroupSize: nums(program.workgroupSize),
      elementsPerThread: nums(program.elementsPerThread),
    });
    return original.call(this, program, ...rest);
  };
  try {
    fn();
  } finally {
    if (own) backend.runWebGPUProgram = original;
    else delete (backend as { runWebGPUProgram?: unknown }).runWebGPUProgram;
  }
  return seen;
}

/** "Conv2DMMProgram vec4" and the like. */
function programLabel(p: ProgramInfo): string {
  return `${p.name.replace(/Program$/, '')}${p.vec4 === undefined ? '' : p.vec4 ? ' vec4' : ' scalar'}`;
}

/** Invocations per workgroup and outputs per invocation, e.g. "16×16 invocations, 2×2 outputs each". */
function programShape(p: ProgramInfo): string {
  const wg = (p.workgroupSize ?? []).filter((v, i) => i < 2 || v > 1);
  const ept = (p.elementsPerThread ?? []).filter((v, i) => i < 2 || v > 1);
  return `${wg.join('×')} invocations a workgroup, ${ept.join('×')} outputs each`;
}

/** Multiply-accumulates of a conv or dense layer (0 for a pool). */
function macs(c: Case): number {
  const l = c.layer;
  if (l.kind === 'dense') return c.inShape[0] * l.kernel.shape[0] * l.kernel.shape[1];
  if (l.kind !== 'conv2d') return 0;
  const [n, h, w] = c.inShape;
  const [kh, kw, inC, outC] = l.kernel.shape;
  const oh = l.padding === 'same' ? Math.ceil(h / l.stride) : Math.floor((h - kh) / l.stride) + 1;
  const ow = l.padding === 'same' ? Math.ceil(w / l.stride) : Math.floor((w - kw) / l.stride) + 1;
  return n * oh * ow * kh * kw * inC * outC;
}

/** Runs the comparison and returns one table (shift ÷ tfjs < 1 means the shift kernel is faster). */
export async function benchKernel(options: KernelBenchOptions = {}): Promise<Table> {
  const batch = options.batch ?? 32;
  const bits = options.bits ?? 5;
  const reps = options.reps ?? 20;
  const runs: Runs = { reps, warmup: options.warmup ?? 3, minReps: Math.min(reps, 5), budgetMs: options.budgetMs ?? 15_000 };
  loadWgslFromDisk();
  const gpu = await installNodeWebGpu();
  if (!gpu.ok) throw new Error(`the kernel benchmark needs WebGPU: ${gpu.message}`);
  await import('@tensorflow/tfjs-backend-webgpu');
  if (!(await tf.setBackend('webgpu'))) throw new Error('tfjs could not start its webgpu backend');
  await tf.ready();
  const backend = tf.backend() as WebGPUBackend;
  const device = backend.device;
  const timestamps = device.features.has('timestamp-query');
  const kernels = await ShiftKernels.create(device);
  const rng = createRng(1234);

  const lenet = randomLenet5(rng, bits);
  const shapes: number[][] = [[batch, 28, 28, 1], [batch, 28, 28, 6], [batch, 14, 14, 6], [batch, 10, 10, 16], [batch, 400], [batch, 120], [batch, 84]];
  const cases: Case[] = lenet.filter((l) => l.kind !== 'flatten').map((layer, i) => ({ name: `LeNet-5 ${layer.name}`, layer, inShape: shapes[i] }));
  const big: ShiftLayer = {
    kind: 'conv2d',
    name: 'conv3x3',
    kernel: randomKernel(rng, [3, 3, 64, 64], bits, Math.sqrt(2 / 576)),
    bias: new Float32Array(64).fill(0.01),
    stride: 1,
    padding: 'same',
    relu: true,
  };
  cases.push({ name: '3×3 conv 64→64', layer: big, inShape: [32, 32, 32, 64] });

  const rows: (string | number)[][] = [];
  const totals = { float: 0, fixed: 0, tfjs: 0 };
  const seen: Seen[] = [];
  const dropped: string[] = [];
  let fewer = 0;
  const runCounts: string[] = [];
  const ratio = (v: number | undefined, peer: number): string => (v === undefined ? '—' : `${(v / peer).toFixed(2)}×`);
  const totalRow = (label: string, t: typeof totals): (string | number)[] => [label, `batch ${batch}`, t.float, t.fixed, t.tfjs, ratio(t.float, t.tfjs), ratio(t.fixed, t.tfjs), '', '', ''];
  for (const c of cases) {
    const count = c.inShape.reduce((a, b) => a * b, 1);
    const x = Float32Array.from({ length: count }, () => (rng.next() < 0.5 ? 0 : rng.next()));
    const input = uploadBuffer(device, x, 'bench input');
    const stats = statsBuffer(device, 1);
    const ms: Partial<Record<ShiftMode, number>> = {};
    const err: Partial<Record<ShiftMode, number>> = {};
    const ref = await timeTfjs(c, x, runs, timestamps);
    const note = (who: string, t: { dropped: number; runs: number }): void => {
      if (t.dropped) dropped.push(`${c.name} ${who} ${t.dropped} of ${t.runs}`);
      if (t.runs < reps) {
        fewer++;
        runCounts.push(`${c.name} ${who} ${t.runs}`);
      }
    };
    note('tfjs', ref);
    for (const mode of c.layer.kind === 'maxPool2d' ? (['float'] as const) : (['float', 'fixed'] as const)) {
      const l = c.layer;
      const gl: GpuLayer =
        l.kind === 'conv2d'
          ? new ShiftConv2dLayer(kernels, l, [c.inShape[0], c.inShape[1], c.inShape[2], c.inShape[3]], mode, { stats, slot: 0 })
          : l.kind === 'dense'
            ? new ShiftDenseLayer(kernels, l, c.inShape[0], mode, { stats, slot: 0 })
            : new MaxPool2dLayer(kernels, [c.inShape[0], c.inShape[1], c.inShape[2], c.inShape[3]]);
      const r = await timeShift(device, gl, input, stats, runs, timestamps);
      gl.destroy();
      note(`shift ${mode}`, r);
      ms[mode] = r.ms;
      err[mode] = maxRelErr(r.y, ref.y);
    }
    input.destroy();
    stats.destroy();
    seen.push({ name: c.name, tfjsMs: ref.ms, macs: macs(c), programs: ref.programs, shiftMs: ms.float ?? Number.NaN });
    if (c.name.startsWith('LeNet')) {
      totals.float += ms.float ?? 0;
      totals.fixed += ms.fixed ?? ms.float ?? 0;
      totals.tfjs += ref.ms;
    }
    const fmtErr = (e: number | undefined): string => (e === undefined ? '—' : e.toExponential(1));
    rows.push([c.name, `[${c.inShape.join(',')}]`, ms.float ?? NaN, ms.fixed === undefined ? '—' : ms.fixed, ref.ms, ratio(ms.float, ref.ms), ratio(ms.fixed, ref.ms), fmtErr(err.float), fmtErr(err.fixed), ref.programs.map(programLabel).join(' + ')]);
    if (c.name === 'LeNet-5 fc3') {
      rows.push(totalRow(LENET_TOTAL, totals));
      const conv1 = rows.find((r) => r[0] === 'LeNet-5 conv1');
      if (conv1) {
        const [, , f, fx, t] = conv1;
        const fixedConv1 = typeof fx === 'number' ? fx : Number(f);
        rows.push(totalRow(LENET_TOTAL_NO_CONV1, { float: totals.float - Number(f), fixed: totals.fixed - fixedConv1, tfjs: totals.tfjs - Number(t) }));
      }
    }
  }
  const info = (await navigator.gpu.requestAdapter())?.info;
  return {
    title: `Shift kernels vs tfjs webgpu conv2d/matMul/maxPool, ${bits}-bit codes, median of up to ${reps} runs (ms)`,
    columns: ['layer', 'input', 'shift float', 'shift fixed', 'tfjs', 'float ÷ tfjs', 'fixed ÷ tfjs', 'float err', 'fixed err', 'tfjs program'],
    rows,
    notes: [
      `Same GPUDevice for both (tfjs's), adapter: ${[info?.vendor, info?.architecture, info?.description].filter(Boolean).join(' ') || 'unknown'}.`,
      timestamps ? "Times: GPU timestamp queries around each layer's compute pass (tfjs: tf.time kernelMs)." : 'Times: wall time to queue completion (no timestamp-query on this device).',
      timestamps ? `Unusable GPU timestamps (end not after begin), dropped from the medians: ${dropped.length ? dropped.join('; ') : 'none'}.` : '',
      fewer ? `${fewer} of the timings stopped before ${reps} runs: after ${(runs.budgetMs / 1000).toFixed(0)} s of runs once they had ${runs.minReps}, or after ${((4 * runs.budgetMs) / 1000).toFixed(0)} s with fewer (runs per timing: ${runCounts.join(', ')}).` : '',
      conv1Note(seen),
      'err: max |shift − tfjs| / max |tfjs| of the layer output (float: summation in the same order, so usually exact).',
      'shift fixed = maxAbs + quantize + i32 shift kernel + dequantize/bias/ReLU; pools have no fixed variant (they run on floats).',
      'tfjs program: the WebGPU programs tfjs ran for the layer (and whether it took their vec4 variant), read off the program objects its backend received.',
      'shift float conv = exponent-range check + conv. Conv codes are decoded once per layer into a 16-bit-per-weight table when the layer is built (not timed, like tfjs uploading its weights).',
    ].filter(Boolean),
  };
}

/** Labels of the two LeNet-5 total rows (bench/main.ts reads them). */
export const LENET_TOTAL = 'LeNet-5 total';
export const LENET_TOTAL_NO_CONV1 = 'LeNet-5 total without conv1';

/** What this run says about tfjs's conv1 against its conv2: time per multiply-accumulate and the program each ran on. */
interface Seen {
  name: string;
  tfjsMs: number;
  macs: number;
  programs: ProgramInfo[];
  shiftMs: number;
}

function conv1Note(seen: Seen[]): string {
  const c1 = seen.find((s) => s.name === 'LeNet-5 conv1');
  const c2 = seen.find((s) => s.name === 'LeNet-5 conv2');
  if (!c1 || !c2) return '';
  const ns = (s: typeof c1): number => (s.tfjsMs * 1e6) / s.macs;
  const label = (x: Seen): string => x.programs.map((p) => `${programLabel(p)} (${programShape(p)})`).join(' + ');
  const figures =
    `tfjs conv1 against conv2 in this run: ${c1.tfjsMs.toFixed(1)} ms for ${(c1.macs / 1e6).toFixed(2)}M multiply-adds (${ns(c1).toFixed(0)} ns each) against ${c2.tfjsMs.toFixed(1)} ms for ${(c2.macs / 1e6).toFixed(2)}M (${ns(c2).toFixed(0)} ns each), ` +
    `${(ns(c1) / ns(c2)).toFixed(1)}× the cost per multiply-add; tfjs ran conv1 on ${label(c1)} and conv2 on ${label(c2)}; the shift kernels took ${c1.shiftMs.toFixed(1)} and ${c2.shiftMs.toFixed(1)} ms.`;
  const scalar1 = c1.programs.some((p) => p.vec4 === false);
  const vec2 = c2.programs.some((p) => p.vec4 === true);
  const why =
    scalar1 && vec2
      ? " tfjs's vec4 conv program needs in-channels a multiple of 3 or 4 and out-channels a multiple of 4 (tfjs-backend-webgpu 4.22, Conv2DMMProgram): conv1 has 1 and 6, conv2 6 and 16. The total without conv1 compares the shift kernels with tfjs where tfjs takes its vec4 path."
      : '';
  return figures + why;
}

// Run directly (not imported as a suite): parse the options, print the table.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({ options: { batch: { type: 'string' }, reps: { type: 'string' }, bits: { type: 'string' }, warmup: { type: 'string' } }, strict: true });
  const num = (v: string | undefined, min = 1): number | undefined => {
    if (v === undefined) return undefined;
    if (!/^\d+$/.test(v) || Number(v) < min) throw new Error(`options take whole numbers ≥ ${min} (got "${v}")`);
    return Number(v);
  };
  benchKernel({ batch: num(values.batch), reps: num(values.reps), bits: num(values.bits), warmup: num(values.warmup, 0) }).then(
    (t) => {
      process.stdout.write(`${formatTable(t)}\n`);
      process.exit(0);
    },
    (e: unknown) => {
      process.stderr.write(`bench: ${(e as Error).message}\n`);
      process.exit(1);
    },
  );
}
