/**
 * CPU twins of the shift-only WGSL kernels (src/kernels/*.wgsl): the same arithmetic, in the same
 * order, read from the same packed codes (codec.ts), so a GPU result can be checked term for term.
 *
 * Two modes (INQ.md, "Packed size and shift-only arithmetic"):
 * - float-exponent: each term is ±ldexp(x, p) on float32 activations, summed in float32;
 * - fixed-shift: activations become i32 fixed point with F fractional bits, each term is an
 *   arithmetic shift (x << p or x >> −p), summed in i32, and the sum is converted back.
 *
 * Activations are NHWC; conv kernels are HWIO [kh, kw, in, out], dense kernels [in, out] (tfjs).
 */
import { readCode } from './codec.ts';
import { MAX_N1, MIN_N2, validateBits } from './levels.ts';

/** TF's padding modes. */
export type Padding = 'same' | 'valid';

/** Which arithmetic a shift layer uses. */
export type ShiftMode = 'float' | 'fixed';

/** One quantized kernel as stored: packed b-bit codes, the layer's n1 and the kernel's shape. */
export interface PackedKernel {
  words: Uint32Array;
  bits: number;
  n1: number;
  /** [kh, kw, in, out] for conv, [in, out] for dense. */
  shape: readonly number[];
}

/** A layer of a shift network; conv and dense carry packed codes and a float bias. */
export type ShiftLayer =
  | { kind: 'conv2d'; name: string; kernel: PackedKernel; bias: Float32Array; stride: number; padding: Padding; relu: boolean }
  | { kind: 'dense'; name: string; kernel: PackedKernel; bias: Float32Array; relu: boolean }
  | { kind: 'maxPool2d'; name: string }
  | { kind: 'flatten'; name: string };

/** Everything a conv kernel needs to index its input and output. */
export interface ConvGeometry {
  batch: number;
  inH: number;
  inW: number;
  inC: number;
  outH: number;
  outW: number;
  outC: number;
  kh: number;
  kw: number;
  stride: number;
  padTop: number;
  padLeft: number;
}

/** Output size and leading padding along one axis, by TF's rule. */
export function convAxis(inSize: number, k: number, stride: number, padding: Padding): { out: number; padBefore: number } {
  if (padding === 'same') {
    const out = Math.ceil(inSize / stride);
    const padTotal = Math.max((out - 1) * stride + k - inSize, 0);
    return { out, padBefore: Math.floor(padTotal / 2) };
  }
  return { out: Math.ceil((inSize - k + 1) / stride), padBefore: 0 };
}

/** The geometry of a conv on an NHWC input of `inShape` with an HWIO kernel of `kernelShape`. */
export function convGeometry(
  inShape: readonly [number, number, number, number],
  kernelShape: readonly number[],
  stride: number,
  padding: Padding,
): ConvGeometry {
  const [batch, inH, inW, inC] = inShape;
  if (kernelShape.length !== 4) throw new RangeError(`a conv kernel has shape [kh, kw, in, out] (got [${kernelShape.join(', ')}])`);
  const [kh, kw, kin, outC] = kernelShape;
  if (kin !== inC) throw new RangeError(`the kernel expects ${kin} input channels, the input has ${inC}`);
  if (stride !== 1 && stride !== 2) throw new RangeError(`stride must be 1 or 2 (got ${stride})`);
  const y = convAxis(inH, kh, stride, padding);
  const x = convAxis(inW, kw, stride, padding);
  if (y.out < 1 || x.out < 1) {
    throw new RangeError(`a ${kh}×${kw} '${padding}' conv needs an input of at least ${kh}×${kw} (got ${inH}×${inW})`);
  }
  return { batch, inH, inW, inC, outH: y.out, outW: x.out, outC, kh, kw, stride, padTop: y.padBefore, padLeft: x.padBefore };
}

/** Throws unless the kernel's codes, bit-width and exponent range fit the shift kernels. */
export function validatePackedKernel(k: PackedKernel, rank: 2 | 4): void {
  validateBits(k.bits);
  if (k.shape.length !== rank || k.shape.some((d) => !Number.isInteger(d) || d < 1)) {
    throw new RangeError(`expected a rank-${rank} kernel shape of positive whole numbers (got [${k.shape.join(', ')}])`);
  }
  if (!Number.isInteger(k.n1)) throw new RangeError(`n1 must be a whole number (got ${k.n1})`);
  const n2 = k.n1 + 1 - 2 ** (k.bits - 2);
  // ldexp(x, p) is exact only while 2^p is a normal float32; WGSL leaves larger exponents undefined.
  if (k.n1 > MAX_N1 || n2 < MIN_N2) throw new RangeError(`levels 2^${n2}…2^${k.n1} leave the float32 range`);
  const count = k.shape.reduce((a, b) => a * b, 1);
  const need = Math.ceil((count * k.bits) / 32);
  if (k.words.length < need) throw new RangeError(`${k.words.length} words cannot hold ${count} ${k.bits}-bit codes (need ${need})`);
}

/** Number of weights that feed one output (kh·kw·in for conv, in for dense). */
export function fanIn(k: PackedKernel): number {
  return k.shape.length === 4 ? k.shape[0] * k.shape[1] * k.shape[2] : k.shape[0];
}

// ---- float-exponent mode ------------------------------------------------------------------------

const f32 = Math.fround;

/** 2^(n1 − offset) for every exponent offset a code can hold. */
function magnitudes(bits: number, n1: number): Float64Array {
  const m = new Float64Array(1 << (bits - 2));
  for (let o = 0; o < m.length; o++) m[o] = 2 ** (n1 - o);
  return m;
}

/** Conv sums (no bias), float-exponent mode: Σ ±ldexp(x, p) in float32, order ky, kx, ic. */
export function conv2dShiftFloat(x: Float32Array, g: ConvGeometry, k: PackedKernel): Float32Array {
  const { bits, words } = k;
  const mag = magnitudes(bits, k.n1);
  const offMask = (1 << (bits - 2)) - 1;
  const signBit = 1 << (bits - 2);
  const y = new Float32Array(g.batch * g.outH * g.outW * g.outC);
  let idx = 0;
  for (let n = 0; n < g.batch; n++) {
    for (let oy = 0; oy < g.outH; oy++) {
      for (let ox = 0; ox < g.outW; ox++) {
        for (let oc = 0; oc < g.outC; oc++) {
          let acc = 0;
          for (let ky = 0; ky < g.kh; ky++) {
            const iy = oy * g.stride + ky - g.padTop;
            if (iy < 0 || iy >= g.inH) continue;
            for (let kx = 0; kx < g.kw; kx++) {
              const ix = ox * g.stride + kx - g.padLeft;
              if (ix < 0 || ix >= g.inW) continue;
              const xBase = ((n * g.inH + iy) * g.inW + ix) * g.inC;
              let wi = (ky * g.kw + kx) * g.inC * g.outC + oc;
              for (let ic = 0; ic < g.inC; ic++, wi += g.outC) {
                const code = readCode(words, wi, bits);
                if (code === 0) continue;
                // x·2^p is exact in float64 and rounds like WGSL's ldexp when it leaves float32's range.
                const t = f32(x[xBase + ic] * mag[code & offMask]);
                acc = f32(acc + (code & signBit ? -t : t));
              }
            }
          }
          y[idx++] = acc;
        }
      }
    }
  }
  return y;
}

/** Dense sums (no bias), float-exponent mode, order i = 0…in−1. */
export function denseShiftFloat(x: Float32Array, batch: number, k: PackedKernel): Float32Array {
  const [inN, outN] = k.shape;
  const { bits, words } = k;
  const mag = magnitudes(bits, k.n1);
  const offMask = (1 << (bits - 2)) - 1;
  const signBit = 1 << (bits - 2);
  const y = new Float32Array(batch * outN);
  for (let b = 0; b < batch; b++) {
    for (let o = 0; o < outN; o++) {
      let acc = 0;
      for (let i = 0, wi = o; i < inN; i++, wi += outN) {
        const code = readCode(words, wi, bits);
        if (code === 0) continue;
        const t = f32(x[b * inN + i] * mag[code & offMask]);
        acc = f32(acc + (code & signBit ? -t : t));
      }
      y[b * outN + o] = acc;
    }
  }
  return y;
}

/** Adds the per-channel bias (last axis) in float32 and applies ReLU if asked; returns a new array. */
export function biasRelu(sums: Float32Array, bias: Float32Array, relu: boolean): Float32Array {
  const c = bias.length;
  const y = new Float32Array(sums.length);
  for (let i = 0; i < sums.length; i++) {
    const v = f32(sums[i] + bias[i % c]);
    y[i] = relu && v < 0 ? 0 : v;
  }
  return y;
}

/** Max-pool 2×2, stride 2, 'valid' (odd trailing rows and columns are dropped, as in tfjs). */
export function maxPool2x2(x: Float32Array, shape: readonly [number, number, number, number]): { y: Float32Array; shape: [number, number, number, number] } {
  const [n, h, w, c] = shape;
  const oh = Math.floor(h / 2);
  const ow = Math.floor(w / 2);
  const y = new Float32Array(n * oh * ow * c);
  let idx = 0;
  for (let b = 0; b < n; b++) {
    for (let oy = 0; oy < oh; oy++) {
      for (let ox = 0; ox < ow; ox++) {
        const base = ((b * h + 2 * oy) * w + 2 * ox) * c;
        for (let ch = 0; ch < c; ch++) {
          const i = base + ch;
          y[idx++] = Math.max(x[i], x[i + c], x[i + w * c], x[i + w * c + c]);
        }
      }
    }
  }
  return { y, shape: [n, oh, ow, c] };
}

// ---- fixed-shift mode ---------------------------------------------------------------------------

/**
 * Headroom rule for the fixed-point format. With e_x the smallest integer such that max|x| < 2^e_x,
 * e_k = ceil(log2(fanIn)) and n1 the layer's largest exponent:
 *
 *   F = clamp(30 − e_x − max(0, e_k + n1), −126, 126)
 *
 * Then |round(x·2^F)| ≤ 2^30, every left-shifted term is ≤ 2^(30 − e_k), right-shifted terms are at
 * most 1 larger than exact (floor), so |sum| ≤ 2^30 + fanIn < 2^31: the i32 sum never overflows.
 * The clamp keeps ldexp's exponent where WGSL defines it; clamping from above only loses precision,
 * and the lower clamp binds only when max|x|·2^n1·fanIn would exceed about 2^156.
 */
export const FIXED_HEADROOM_BITS = 30;

/** ceil(log2(n)) for a whole n ≥ 1 (0 for n = 1). */
export function ceilLog2(n: number): number {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`ceilLog2 needs a whole number ≥ 1 (got ${n})`);
  return n === 1 ? 0 : 32 - Math.clz32(n - 1);
}

const scratchF = new Float32Array(1);
const scratchU = new Uint32Array(scratchF.buffer);

/** Float32 bit pattern of max |x| (what the GPU's atomicMax over bitcast<u32>(abs(x)) finds). */
export function maxAbsBits(x: Float32Array): number {
  const u = new Uint32Array(x.buffer, x.byteOffset, x.length);
  let m = 0;
  for (let i = 0; i < u.length; i++) {
    const a = u[i] & 0x7fffffff;
    if (a > m) m = a;
  }
  return m;
}

/** Fractional bits F of a layer's fixed-point input, from max|x| as float32 bits (the rule above). */
export function fracBitsFromMax(maxBits: number, fanInCount: number, n1: number): number {
  // Biased exponent E: max|x| < 2^(E−126); zero and subnormals give −126, a safe upper bound.
  const ex = (maxBits >>> 23) - 126;
  const f = FIXED_HEADROOM_BITS - ex - Math.max(0, ceilLog2(fanInCount) + n1);
  return Math.min(126, Math.max(-126, f));
}

/** Fractional bits F for a float max |x| (convenience over fracBitsFromMax). */
export function fracBits(maxAbs: number, fanInCount: number, n1: number): number {
  scratchF[0] = Math.abs(maxAbs);
  return fracBitsFromMax(scratchU[0], fanInCount, n1);
}

/** Round half to even, like WGSL's round(). */
export function roundHalfEven(v: number): number {
  const r = Math.round(v);
  return r - v === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** Activations to i32 fixed point: round_half_even(x·2^F). */
export function quantizeFixed(x: Float32Array, F: number): Int32Array {
  const s = 2 ** F;
  const q = new Int32Array(x.length);
  // x·2^F is exact in float64 (|F| ≤ 126); below float32's normal range the GPU may flush it to 0,
  // which rounds to the same 0.
  for (let i = 0; i < x.length; i++) q[i] = roundHalfEven(x[i] * s);
  return q;
}

/**
 * One fixed-point term before its sign: x << p for p ≥ 0, x >> −p (arithmetic, i.e. floor) for p < 0.
 * JS and WGSL both take a shift amount mod 32, so amounts ≥ 32 are handled explicitly: a left shift
 * by ≥ 32 is 0 (the rule above keeps such terms' x at 0 anyway), a right shift saturates at 31.
 */
export function shiftTerm(x: number, p: number): number {
  if (p >= 0) return p >= 32 ? 0 : x << p;
  return x >> Math.min(-p, 31);
}

/** Conv sums in i32, fixed-shift mode: Σ ±shift(x, p), wrapping like WGSL's i32 add. */
export function conv2dShiftFixed(xq: Int32Array, g: ConvGeometry, k: PackedKernel): Int32Array {
  const { bits, words, n1 } = k;
  const offMask = (1 << (bits - 2)) - 1;
  const signBit = 1 << (bits - 2);
  const y = new Int32Array(g.batch * g.outH * g.outW * g.outC);
  let idx = 0;
  for (let n = 0; n < g.batch; n++) {
    for (let oy = 0; oy < g.outH; oy++) {
      for (let ox = 0; ox < g.outW; ox++) {
        for (let oc = 0; oc < g.outC; oc++) {
          let acc = 0;
          for (let ky = 0; ky < g.kh; ky++) {
            const iy = oy * g.stride + ky - g.padTop;
            if (iy < 0 || iy >= g.inH) continue;
            for (let kx = 0; kx < g.kw; kx++) {
              const ix = ox * g.stride + kx - g.padLeft;
              if (ix < 0 || ix >= g.inW) continue;
              const xBase = ((n * g.inH + iy) * g.inW + ix) * g.inC;
              let wi = (ky * g.kw + kx) * g.inC * g.outC + oc;
              for (let ic = 0; ic < g.inC; ic++, wi += g.outC) {
                const code = readCode(words, wi, bits);
                if (code === 0) continue;
                const t = shiftTerm(xq[xBase + ic], n1 - (code & offMask));
                acc = (acc + (code & signBit ? -t : t)) | 0;
              }
            }
          }
          y[idx++] = acc;
        }
      }
    }
  }
  return y;
}

/** Dense sums in i32, fixed-shift mode. */
export function denseShiftFixed(xq: Int32Array, batch: number, k: PackedKernel): Int32Array {
  const [inN, outN] = k.shape;
  const { bits, words, n1 } = k;
  const offMask = (1 << (bits - 2)) - 1;
  const signBit = 1 << (bits - 2);
  const y = new Int32Array(batch * outN);
  for (let b = 0; b < batch; b++) {
    for (let o = 0; o < outN; o++) {
      let acc = 0;
      for (let i = 0, wi = o; i < inN; i++, wi += outN) {
        const code = readCode(words, wi, bits);
        if (code === 0) continue;
        const t = shiftTerm(xq[b * inN + i], n1 - (code & offMask));
        acc = (acc + (code & signBit ? -t : t)) | 0;
      }
      y[b * outN + o] = acc;
    }
  }
  return y;
}

/** i32 sums back to float32 (f32(sum)·2^−F), plus bias, plus ReLU if asked. */
export function dequantizeBiasRelu(sums: Int32Array, F: number, bias: Float32Array, relu: boolean): Float32Array {
  const s = 2 ** -F;
  const c = bias.length;
  const y = new Float32Array(sums.length);
  for (let i = 0; i < sums.length; i++) {
    const v = f32(f32(f32(sums[i]) * s) + bias[i % c]);
    y[i] = relu && v < 0 ? 0 : v;
  }
  return y;
}

/** One conv or dense layer in fixed-shift mode, with every intermediate (for bit-exact checks). */
export interface FixedLayerTrace {
  F: number;
  q: Int32Array;
  sums: Int32Array;
  y: Float32Array;
}

/** Conv layer (sums, bias, ReLU) in fixed-shift mode, F chosen from this input's max |x|. */
export function conv2dFixedLayer(x: Float32Array, g: ConvGeometry, k: PackedKernel, bias: Float32Array, relu: boolean): FixedLayerTrace {
  const F = fracBitsFromMax(maxAbsBits(x), fanIn(k), k.n1);
  const q = quantizeFixed(x, F);
  const sums = conv2dShiftFixed(q, g, k);
  return { F, q, sums, y: dequantizeBiasRelu(sums, F, bias, relu) };
}

/** Dense layer (sums, bias, ReLU) in fixed-shift mode. */
export function denseFixedLayer(x: Float32Array, batch: number, k: PackedKernel, bias: Float32Array, relu: boolean): FixedLayerTrace {
  const F = fracBitsFromMax(maxAbsBits(x), fanIn(k), k.n1);
  const q = quantizeFixed(x, F);
  const sums = denseShiftFixed(q, batch, k);
  return { F, q, sums, y: dequantizeBiasRelu(sums, F, bias, relu) };
}

// ---- whole network ------------------------------------------------------------------------------

/** Shape after each layer for one sample of shape [h, w, c]; throws on a mismatch. */
export function shiftLayerShapes(layers: readonly ShiftLayer[], inShape: readonly number[]): number[][] {
  let shape = [...inShape];
  const out: number[][] = [];
  for (const l of layers) {
    switch (l.kind) {
      case 'conv2d': {
        if (shape.length !== 3) throw new RangeError(`${l.name}: a conv needs an [h, w, c] input (got [${shape.join(', ')}])`);
        validatePackedKernel(l.kernel, 4);
        if (l.bias.length !== l.kernel.shape[3]) throw new RangeError(`${l.name}: bias has ${l.bias.length} values for ${l.kernel.shape[3]} channels`);
        const g = convGeometry([1, shape[0], shape[1], shape[2]], l.kernel.shape, l.stride, l.padding);
        shape = [g.outH, g.outW, g.outC];
        break;
      }
      case 'dense': {
        validatePackedKernel(l.kernel, 2);
        if (shape.length !== 1 || shape[0] !== l.kernel.shape[0]) {
          throw new RangeError(`${l.name}: a dense layer needs a flat input of ${l.kernel.shape[0]} (got [${shape.join(', ')}]; add a flatten layer)`);
        }
        if (l.bias.length !== l.kernel.shape[1]) throw new RangeError(`${l.name}: bias has ${l.bias.length} values for ${l.kernel.shape[1]} units`);
        shape = [l.kernel.shape[1]];
        break;
      }
      case 'maxPool2d':
        if (shape.length !== 3 || shape[0] < 2 || shape[1] < 2) throw new RangeError(`${l.name}: a 2×2 pool needs an [h ≥ 2, w ≥ 2, c] input`);
        shape = [Math.floor(shape[0] / 2), Math.floor(shape[1] / 2), shape[2]];
        break;
      case 'flatten':
        shape = [shape.reduce((a, b) => a * b, 1)];
        break;
      default: {
        const never: never = l;
        throw new RangeError(`unknown layer ${JSON.stringify(never)}`);
      }
    }
    out.push(shape);
  }
  return out;
}

/** Forward pass on the CPU twins; returns the last layer's output (logits) and F per conv/dense layer. */
export function shiftForwardRef(
  layers: readonly ShiftLayer[],
  input: Float32Array,
  inShape: readonly [number, number, number],
  batch: number,
  mode: ShiftMode,
): { output: Float32Array; fracBits: number[] } {
  shiftLayerShapes(layers, inShape);
  let x = input;
  let shape = [batch, ...inShape];
  const fracs: number[] = [];
  for (const l of layers) {
    if (l.kind === 'conv2d') {
      const g = convGeometry([shape[0], shape[1], shape[2], shape[3]], l.kernel.shape, l.stride, l.padding);
      if (mode === 'float') x = biasRelu(conv2dShiftFloat(x, g, l.kernel), l.bias, l.relu);
      else {
        const t = conv2dFixedLayer(x, g, l.kernel, l.bias, l.relu);
        fracs.push(t.F);
        x = t.y;
      }
      shape = [batch, g.outH, g.outW, g.outC];
    } else if (l.kind === 'dense') {
      if (mode === 'float') x = biasRelu(denseShiftFloat(x, batch, l.kernel), l.bias, l.relu);
      else {
        const t = denseFixedLayer(x, batch, l.kernel, l.bias, l.relu);
        fracs.push(t.F);
        x = t.y;
      }
      shape = [batch, l.kernel.shape[1]];
    } else if (l.kind === 'maxPool2d') {
      const p = maxPool2x2(x, [shape[0], shape[1], shape[2], shape[3]]);
      x = p.y;
      shape = p.shape;
    } else {
      shape = [batch, shape.slice(1).reduce((a, b) => a * b, 1)];
    }
  }
  return { output: x, fracBits: fracs };
}
