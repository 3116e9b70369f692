/**
 * The shift kernels against tfjs's WebGPU backend, per layer, on one GPUDevice (tfjs's own, so
 * both run on the same Dawn adapter and queue): LeNet-5's layers at a batch size, and a 3×3 64→64
 * 32×32 conv at batch 32. Median GPU time per layer from timestamp queries when the device has
 * them (tfjs: tf.time's kernelMs, the same queries), else wall time to queue completion.
 *
 * `npx tsx bench/kernel.ts [--batch 32] [--reps 20] [--bits 5]` prints the table; bench/main.ts can
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
  reps?: number;
  warmup?: number;
}

interface Case {
  name: string;
  layer: ShiftLayer;
  /** NHWC (or [n, features]) input shape. */
  inShape: number[];
}

/** Our layer alone: median GPU (or wall) ms over `reps`, and its output. */
async function timeShift(device: GPUDevice, layer: GpuLayer, input: GPUBuffer, stats: GPUBuffer, reps: number, warmup: number, timestamps: boolean): Promise<{ ms: number; y: Float32Array }> {
  const output = storageBuffer(device, layer.outCount * 4, 'bench out');
  const querySet = timestamps ? device.createQuerySet({ type: 'timestamp', count: 2 }) : null;
  const resolve = timestamps ? device.createBuffer({ size: 16, usage: 0x0200 | 0x0004 }) : null; // QUERY_RESOLVE | COPY_SRC
  const times: number[] = [];
  for (let r = 0; r < warmup + reps; r++) {
    const t0 = performance.now();
    const enc = device.createCommandEncoder();
    enc.clearBuffer(stats);
    const pass = enc.beginComputePass(querySet ? { timestampWrites: { querySet, beginningOfPassWriteIndex: 0, endOfPassWriteIndex: 1 } } : {});
    layer.encode(pass, input, output);
    pass.end();
    if (querySet && resolve) enc.resolveQuerySet(querySet, 0, 2, resolve, 0);
    device.queue.submit([enc.finish()]);
    await device.queue.onSubmittedWorkDone();
    let ms = performance.now() - t0;
    if (resolve) {
      const t = new BigUint64Array(await readBuffer(device, resolve, 16));
      ms = t[1] > t[0] ? Number(t[1] - t[0]) / 1e6 : 0;
    }
    if (r >= warmup) times.push(ms);
  }
  const y = new Float32Array(await readBuffer(device, output, layer.outCount * 4));
  output.destroy();
  querySet?.destroy();
  resolve?.destroy();
  return { ms: median(times), y };
}

/** The same layer in tfjs (fused conv/matMul with bias and ReLU; weights = the decoded levels). */
async function timeTfjs(c: Case, x: Float32Array, reps: number, warmup: number): Promise<{ ms: number; y: Float32Array }> {
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
  const times: number[] = [];
  // A holder object, because TS cannot see the assignment inside tf.time's callback.
  const out: { t: tf.Tensor | null } = { t: null };
  for (let r = 0; r < warmup + reps; r++) {
    out.t?.dispose();
    const info = await tf.time(() => {
      out.t = run();
    });
    // kernelMs is GPU time from timestamp queries; without them tfjs reports 0, so fall back to wall.
    const k = typeof info.kernelMs === 'number' && info.kernelMs > 0 ? info.kernelMs : info.wallMs;
    if (r >= warmup) times.push(k);
  }
  const y = out.t ? new Float32Array(await out.t.data()) : new Float32Array(0);
  out.t?.dispose();
  for (const t of held) t.dispose();
  return { ms: median(times), y };
}

/** Runs the comparison and returns one table (shift ÷ tfjs < 1 means the shift kernel is faster). */
export async function benchKernel(options: KernelBenchOptions = {}): Promise<Table> {
  const batch = options.batch ?? 32;
  const bits = options.bits ?? 5;
  const reps = options.reps ?? 20;
  const warmup = options.warmup ?? 3;
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
  for (const c of cases) {
    const count = c.inShape.reduce((a, b) => a * b, 1);
    const x = Float32Array.from({ length: count }, () => (rng.next() < 0.5 ? 0 : rng.next()));
    const input = uploadBuffer(device, x, 'bench input');
    const stats = statsBuffer(device, 1);
    const ms: Partial<Record<ShiftMode, number>> = {};
    const err: Partial<Record<ShiftMode, number>> = {};
    const ref = await timeTfjs(c, x, reps, warmup);
    for (const mode of c.layer.kind === 'maxPool2d' ? (['float'] as const) : (['float', 'fixed'] as const)) {
      const l = c.layer;
      const gl: GpuLayer =
        l.kind === 'conv2d'
          ? new ShiftConv2dLayer(kernels, l, [c.inShape[0], c.inShape[1], c.inShape[2], c.inShape[3]], mode, { stats, slot: 0 })
          : l.kind === 'dense'
            ? new ShiftDenseLayer(kernels, l, c.inShape[0], mode, { stats, slot: 0 })
            : new MaxPool2dLayer(kernels, [c.inShape[0], c.inShape[1], c.inShape[2], c.inShape[3]]);
      const r = await timeShift(device, gl, input, stats, reps, warmup, timestamps);
      gl.destroy();
      ms[mode] = r.ms;
      err[mode] = maxRelErr(r.y, ref.y);
    }
    input.destroy();
    stats.destroy();
    if (c.name.startsWith('LeNet')) {
      totals.float += ms.float ?? 0;
      totals.fixed += ms.fixed ?? ms.float ?? 0;
      totals.tfjs += ref.ms;
    }
    const fmtErr = (e: number | undefined): string => (e === undefined ? '—' : e.toExponential(1));
    const ratio = (v: number | undefined, peer = ref.ms): string => (v === undefined ? '—' : `${(v / peer).toFixed(2)}×`);
    rows.push([c.name, `[${c.inShape.join(',')}]`, ms.float ?? NaN, ms.fixed === undefined ? '—' : ms.fixed, ref.ms, ratio(ms.float), ratio(ms.fixed), fmtErr(err.float), fmtErr(err.fixed)]);
    if (c.name === 'LeNet-5 fc3') {
      rows.push(['LeNet-5 total', `batch ${batch}`, totals.float, totals.fixed, totals.tfjs, ratio(totals.float, totals.tfjs), ratio(totals.fixed, totals.tfjs), '', '']);
    }
  }
  const info = (await navigator.gpu.requestAdapter())?.info;
  return {
    title: `Shift kernels vs tfjs webgpu conv2d/matMul/maxPool, ${bits}-bit codes, median of ${reps} (ms)`,
    columns: ['layer', 'input', 'shift float', 'shift fixed', 'tfjs', 'float ÷ tfjs', 'fixed ÷ tfjs', 'float err', 'fixed err'],
    rows,
    notes: [
      `Same GPUDevice for both (tfjs's), adapter: ${[info?.vendor, info?.architecture, info?.description].filter(Boolean).join(' ') || 'unknown'}.`,
      timestamps ? 'Times: GPU timestamp queries around each layer\'s compute pass (tfjs: tf.time kernelMs).' : 'Times: wall time to queue completion (no timestamp-query on this device).',
      'err: max |shift − tfjs| / max |tfjs| of the layer output (float: summation in the same order, so usually exact).',
      'shift fixed = maxAbs + quantize + i32 shift kernel + dequantize/bias/ReLU; pools have no fixed variant (they run on floats).',
      'The peer is also the fastest tfjs backend here: in Node tfjs has webgpu (this Dawn adapter) and pure-JS cpu, which trains LeNet-5 ~11× slower (PLATFORM.md); webgl exists only in a browser.',
      'shift float conv = exponent-range check + conv. Conv codes are decoded once per layer into a 16-bit-per-weight table when the layer is built (not timed, like tfjs uploading its weights).',
    ],
  };
}

// Run directly (not imported as a suite): parse the options, print the table.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({ options: { batch: { type: 'string' }, reps: { type: 'string' }, bits: { type: 'string' } }, strict: true });
  const num = (v: string | undefined): number | undefined => {
    if (v === undefined) return undefined;
    if (!/^\d+$/.test(v) || Number(v) < 1) throw new Error(`options take whole numbers ≥ 1 (got "${v}")`);
    return Number(v);
  };
  benchKernel({ batch: num(values.batch), reps: num(values.reps), bits: num(values.bits) }).then(
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
