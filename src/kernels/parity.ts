/**
 * GPU-against-CPU-twin parity checks on random layers, shared by the Vitest suites and the
 * `kernel-check` command: random shapes, bit-widths and inputs from one seed, so a failure replays.
 */
import { maxAbs, levelSet } from '../inq/levels.ts';
import { packLevels } from '../inq/codec.ts';
import { quantizeAll } from '../inq/quantize.ts';
import type { Rng } from '../inq/rng.ts';
import {
  biasRelu,
  conv2dFixedLayer,
  conv2dShiftFloat,
  convGeometry,
  denseFixedLayer,
  denseShiftFloat,
} from '../inq/shiftRef.ts';
import type { FixedLayerTrace, PackedKernel, Padding, ShiftLayer } from '../inq/shiftRef.ts';
import type { LayerRun } from './gpuLayer.ts';
import type { ShiftKernels } from './programs.ts';
import { runShiftConv2d } from './shiftConv.ts';
import type { ConvLayerSpec } from './shiftConv.ts';
import { runShiftDense } from './shiftDense.ts';
import type { DenseLayerSpec } from './shiftDense.ts';

/** Float-exponent tolerance: max |gpu − ref| / max |ref| of one output. */
export const FLOAT_REL_TOL = 1e-5;

/** Random quantized kernel of `shape`: quantized normal weights (random scale unless given), some zeros, packed. */
export function randomKernel(rng: Rng, shape: readonly number[], bits: number, weightScale?: number): PackedKernel {
  const count = shape.reduce((a, b) => a * b, 1);
  const scale = weightScale ?? 2 ** (rng.next() * 11 - 8);
  const zeroFrac = rng.next() * 0.3;
  const w = new Float32Array(count);
  for (let i = 0; i < count; i++) w[i] = rng.next() < zeroFrac ? 0 : rng.normal() * scale;
  // A kernel drawn all zeros has no level set; give it one weight.
  if (maxAbs(w) === 0) w[rng.int(count)] = scale;
  const set = levelSet(bits, maxAbs(w));
  return { words: packLevels(quantizeAll(w, set), set), bits, n1: set.n1, shape: [...shape] };
}

/** Random activations (normal, random scale, some exact zeros); never all zeros. */
export function randomInput(rng: Rng, count: number): Float32Array {
  const scale = 2 ** (rng.next() * 8 - 4);
  const x = new Float32Array(count);
  for (let i = 0; i < count; i++) x[i] = rng.next() < 0.05 ? 0 : rng.normal() * scale;
  if (maxAbs(x) === 0) x[rng.int(count)] = scale;
  return x;
}

function randomBias(rng: Rng, n: number): Float32Array {
  const on = rng.next() < 0.7;
  return Float32Array.from({ length: n }, () => (on ? rng.normal() * 0.1 : 0));
}

/** A random conv case: kernel 1–5, stride 1/2, same/valid, channels 1–20, batch 1–3, bits 2–8. */
export interface ConvCase {
  kind: 'conv2d';
  inShape: [number, number, number, number];
  spec: ConvLayerSpec;
  x: Float32Array;
}

/** A random dense case: in 1–400, out 1–130, batch 1–3, bits 2–8. */
export interface DenseCase {
  kind: 'dense';
  batch: number;
  spec: DenseLayerSpec;
  x: Float32Array;
}

/** Draws a conv case. */
export function randomConvCase(rng: Rng): ConvCase {
  const kh = 1 + rng.int(5);
  const kw = rng.next() < 0.7 ? kh : 1 + rng.int(5);
  const stride = 1 + rng.int(2);
  const padding: Padding = rng.next() < 0.5 ? 'same' : 'valid';
  const inC = 1 + rng.int(20);
  const outC = 1 + rng.int(20);
  const batch = 1 + rng.int(3);
  const h = (padding === 'valid' ? kh : 1) + rng.int(12);
  const w = (padding === 'valid' ? kw : 1) + rng.int(12);
  const bits = 2 + rng.int(7);
  const inShape: [number, number, number, number] = [batch, h, w, inC];
  return {
    kind: 'conv2d',
    inShape,
    spec: { kernel: randomKernel(rng, [kh, kw, inC, outC], bits), bias: randomBias(rng, outC), stride, padding, relu: rng.next() < 0.5 },
    x: randomInput(rng, batch * h * w * inC),
  };
}

/** Draws a dense case. */
export function randomDenseCase(rng: Rng): DenseCase {
  const inN = 1 + rng.int(400);
  const outN = 1 + rng.int(130);
  const batch = 1 + rng.int(3);
  const bits = 2 + rng.int(7);
  return {
    kind: 'dense',
    batch,
    spec: { kernel: randomKernel(rng, [inN, outN], bits), bias: randomBias(rng, outN), relu: rng.next() < 0.5 },
    x: randomInput(rng, batch * inN),
  };
}

/** max |a − ref| / max |ref| (absolute when ref is all zeros); NaN anywhere in `a` gives Infinity. */
export function maxRelErr(a: Float32Array, ref: Float32Array): number {
  if (a.length !== ref.length) return Infinity;
  let diff = 0;
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    if (!Number.isFinite(a[i])) return Infinity;
    diff = Math.max(diff, Math.abs(a[i] - ref[i]));
    m = Math.max(m, Math.abs(ref[i]));
  }
  return m > 0 ? diff / m : diff;
}

/** Index of the first element that differs between two Int32Arrays, or −1. */
export function firstMismatch(a: Int32Array, b: Int32Array): number {
  if (a.length !== b.length) return 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return i;
  return -1;
}

/** Outcome of one case in both modes. */
export interface ParityResult {
  description: string;
  /** Float-exponent mode against its twin. */
  floatRelErr: number;
  /** Elements of the float-mode output left unwritten (still NaN poison) or non-finite. */
  unwritten: number;
  /** Fixed-shift mode: F, quantized input and i32 sums all bit-identical to the twin. */
  fixedExact: boolean;
  /** Where fixed mode first differed, for the failure message. */
  fixedDetail: string;
  /** Fixed-shift output (after bias/ReLU) against its twin's float output. */
  fixedOutRelErr: number;
  /** Accuracy cost of fixed point: fixed-shift output against the float-exponent twin. */
  fixedVsFloatRelErr: number;
}

function countNonFinite(a: Float32Array): number {
  let n = 0;
  for (const v of a) if (!Number.isFinite(v)) n++;
  return n;
}

function compareFixed(gpu: LayerRun, ref: FixedLayerTrace): { exact: boolean; detail: string } {
  const f = gpu.fixed;
  if (!f) return { exact: false, detail: 'no fixed-point read-back' };
  if (f.F !== ref.F) return { exact: false, detail: `F ${f.F} ≠ ${ref.F}` };
  const iq = firstMismatch(f.q, ref.q);
  if (iq >= 0) return { exact: false, detail: `q[${iq}] ${f.q[iq]} ≠ ${ref.q[iq]}` };
  const is = firstMismatch(f.sums, ref.sums);
  if (is >= 0) return { exact: false, detail: `sums[${is}] ${f.sums[is]} ≠ ${ref.sums[is]}` };
  return { exact: true, detail: '' };
}

/** Runs one case on the GPU in both modes and compares every output with the CPU twins. */
export async function checkCase(kernels: ShiftKernels, c: ConvCase | DenseCase): Promise<ParityResult> {
  let floatGpu: LayerRun;
  let fixedGpu: LayerRun;
  let floatRef: Float32Array;
  let fixedRef: FixedLayerTrace;
  let description: string;
  const k = c.spec.kernel;
  if (c.kind === 'conv2d') {
    const g = convGeometry(c.inShape, k.shape, c.spec.stride, c.spec.padding);
    description = `conv2d in [${c.inShape.join(',')}] kernel [${k.shape.join(',')}] stride ${c.spec.stride} ${c.spec.padding} ${k.bits}-bit n1=${k.n1} relu=${c.spec.relu}`;
    floatGpu = await runShiftConv2d(kernels, c.x, c.inShape, c.spec, 'float');
    fixedGpu = await runShiftConv2d(kernels, c.x, c.inShape, c.spec, 'fixed');
    floatRef = biasRelu(conv2dShiftFloat(c.x, g, k), c.spec.bias, c.spec.relu);
    fixedRef = conv2dFixedLayer(c.x, g, k, c.spec.bias, c.spec.relu);
  } else {
    description = `dense batch ${c.batch} kernel [${k.shape.join(',')}] ${k.bits}-bit n1=${k.n1} relu=${c.spec.relu}`;
    floatGpu = await runShiftDense(kernels, c.x, c.batch, c.spec, 'float');
    fixedGpu = await runShiftDense(kernels, c.x, c.batch, c.spec, 'fixed');
    floatRef = biasRelu(denseShiftFloat(c.x, c.batch, k), c.spec.bias, c.spec.relu);
    fixedRef = denseFixedLayer(c.x, c.batch, k, c.spec.bias, c.spec.relu);
  }
  const fx = compareFixed(fixedGpu, fixedRef);
  return {
    description,
    floatRelErr: maxRelErr(floatGpu.y, floatRef),
    unwritten: countNonFinite(floatGpu.y) + countNonFinite(fixedGpu.y),
    fixedExact: fx.exact,
    fixedDetail: fx.detail,
    fixedOutRelErr: maxRelErr(fixedGpu.y, fixedRef.y),
    fixedVsFloatRelErr: maxRelErr(fixedRef.y, floatRef),
  };
}

/** A LeNet-5 (architectures.ts) with random quantized weights, as shift layers, for inputs [28, 28, 1]. */
export function randomLenet5(rng: Rng, bits: number): ShiftLayer[] {
  // Glorot-like scales so activations stay O(1) through the net, as in a trained model.
  const conv = (name: string, shape: number[], padding: Padding): ShiftLayer => ({
    kind: 'conv2d',
    name,
    kernel: randomKernel(rng, shape, bits, Math.sqrt(2 / (shape[0] * shape[1] * shape[2]))),
    bias: Float32Array.from({ length: shape[3] }, () => rng.normal() * 0.05),
    stride: 1,
    padding,
    relu: true,
  });
  const dense = (name: string, inN: number, outN: number, relu: boolean): ShiftLayer => ({
    kind: 'dense',
    name,
    kernel: randomKernel(rng, [inN, outN], bits, Math.sqrt(2 / inN)),
    bias: Float32Array.from({ length: outN }, () => rng.normal() * 0.05),
    relu,
  });
  return [
    conv('conv1', [5, 5, 1, 6], 'same'),
    { kind: 'maxPool2d', name: 'pool1' },
    conv('conv2', [5, 5, 6, 16], 'valid'),
    { kind: 'maxPool2d', name: 'pool2' },
    { kind: 'flatten', name: 'flatten' },
    dense('fc1', 400, 120, true),
    dense('fc2', 120, 84, true),
    dense('fc3', 84, 10, false),
  ];
}
