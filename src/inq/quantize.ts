/** Group-wise quantization: snap weights to the nearest level (INQ.md, "Quantization rule"). */
import type { LevelSet } from './levels.ts';

/*
 * The bit-level rule: the power of two nearest to a float32 magnitude a in the arithmetic sense
 * (0.75·2^p ≤ a < 1.5·2^p) has biased exponent ((bits(a) >>> 22) + 1) >>> 1: the exponent field
 * plus the top mantissa bit.
 */

/** Quantizes one value to the level set (nearest level, ties away from zero, clamp at 2^n1). */
export function quantizeValue(w: number, set: LevelSet): number {
  const a = Math.abs(w);
  if (!(a <= Number.MAX_VALUE)) throw new RangeError(`cannot quantize a non-finite weight (${w})`);
  if (set.kind === 'uniform') return uniformValue(w, 2 ** set.n2, 2 ** (set.bits - 2));
  if (a < 2 ** (set.n2 - 1)) return 0;
  let p: number;
  if (a >= 0.75 * 2 ** set.n1) p = set.n1;
  else {
    p = Math.floor(Math.log2(a));
    // a ∈ [2^p, 2^(p+1)): it belongs to 2^(p+1) from the midpoint 1.5·2^p up.
    if (2 ** p > a) p--;
    else if (2 ** (p + 1) <= a) p++;
    if (a >= 1.5 * 2 ** p) p++;
    if (p < set.n2) p = set.n2;
  }
  return w < 0 ? -(2 ** p) : 2 ** p;
}

/**
 * Nearest point of the uniform grid k·step, |k| ≤ top: ties away from zero, clamped at the top level.
 * step is a power of two, so a/step and the midpoints (k + ½)·step are exact.
 */
function uniformValue(w: number, step: number, top: number): number {
  const k = Math.min(top, Math.floor(Math.abs(w) / step + 0.5));
  return k === 0 ? 0 : w < 0 ? -k * step : k * step;
}

const scratchF = new Float32Array(1);
const scratchU = new Uint32Array(scratchF.buffer);

/** A level set's decision points as float32 bit patterns of |w| (compared as unsigned integers, they order like |w|). */
export interface LevelBits {
  /** |w| bits below this quantize to 0: the bits of 2^(n2−1). */
  zeroBelow: number;
  /** Biased float32 exponents of the largest and smallest levels, n1 + 127 and n2 + 127. */
  top: number;
  bottom: number;
}

/** The decision points of `set` in float32 bits, for the bit-level fast paths. */
export function levelBits(set: LevelSet): LevelBits {
  scratchF[0] = 2 ** (set.n2 - 1);
  return { zeroBelow: scratchU[0], top: set.n1 + 127, bottom: set.n2 + 127 };
}

/**
 * The float32 bits of the level nearest to the finite float32 with bits `u`: zero below 2^(n2−1),
 * else sign | the nearest power's exponent clamped to [n2, n1] (a weight at or past 0.75·2^n1 rounds
 * to an exponent ≥ n1, so that clamp is the rule's clamp). Integer operations only, no branch.
 */
export function quantizeBits(u: number, zeroBelow: number, top: number, bottom: number): number {
  const a = u & 0x7fffffff;
  let e = ((a >>> 22) + 1) >>> 1;
  let d = e - top;
  e = top + (d & (d >> 31)); // min(e, top)
  d = e - bottom;
  e = bottom + (d & ~(d >> 31)); // max(e, bottom)
  // (a − zeroBelow) >> 31 is all ones exactly when a < zeroBelow (both below 2^31).
  return ((u & 0x80000000) | (e << 23)) & ~((a - zeroBelow) >> 31);
}

/**
 * Quantizes `weights[i]` into `out[i]` for every i (or only the listed indices).
 * The fast path reads float32 bit patterns: a handful of integer operations per weight.
 */
export function quantizeInto(
  weights: Float32Array,
  set: LevelSet,
  out: Float32Array,
  indices?: ArrayLike<number>,
): void {
  if (set.kind === 'uniform') {
    const step = 2 ** set.n2;
    const top = 2 ** (set.bits - 2);
    const n = indices ? indices.length : weights.length;
    for (let k = 0; k < n; k++) {
      const i = indices ? indices[k] : k;
      const w = weights[i];
      if (!Number.isFinite(w)) throw new RangeError(`cannot quantize a non-finite weight at index ${i}`);
      out[i] = uniformValue(w, step, top);
    }
    return;
  }
  const bits = new Uint32Array(weights.buffer, weights.byteOffset, weights.length);
  const outBits = new Uint32Array(out.buffer, out.byteOffset, out.length);
  const { zeroBelow, top, bottom } = levelBits(set);
  // Two loops rather than one with `indices ? indices[k] : k` inside: each stays monomorphic.
  if (indices) {
    for (let k = 0; k < indices.length; k++) {
      const i = indices[k];
      const u = bits[i];
      if ((u & 0x7fffffff) >= 0x7f800000) throw new RangeError(`cannot quantize a non-finite weight at index ${i}`);
      outBits[i] = quantizeBits(u, zeroBelow, top, bottom);
    }
  } else {
    for (let i = 0; i < bits.length; i++) {
      const u = bits[i];
      if ((u & 0x7fffffff) >= 0x7f800000) throw new RangeError(`cannot quantize a non-finite weight at index ${i}`);
      outBits[i] = quantizeBits(u, zeroBelow, top, bottom);
    }
  }
}

/** Returns a new array holding every weight quantized. */
export function quantizeAll(weights: Float32Array, set: LevelSet): Float32Array {
  const out = new Float32Array(weights.length);
  quantizeInto(weights, set, out);
  return out;
}
