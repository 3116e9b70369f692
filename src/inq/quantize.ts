/** Group-wise quantization: snap weights to the nearest level (INQ.md, "Quantization rule"). */
import type { LevelSet } from './levels.ts';

/**
 * Exponent p of the power of two nearest to a float32 magnitude in the arithmetic sense:
 * 0.75·2^p ≤ a < 1.5·2^p. Read from the float32 bits: exponent field plus the top mantissa bit.
 */
function nearestExponent(absBits: number): number {
  return ((absBits >>> 22) + 1 >>> 1) - 127;
}

/** Quantizes one value to the level set (nearest level, ties away from zero, clamp at 2^n1). */
export function quantizeValue(w: number, set: LevelSet): number {
  const a = Math.abs(w);
  if (!(a <= Number.MAX_VALUE)) throw new RangeError(`cannot quantize a non-finite weight (${w})`);
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

const scratchF = new Float32Array(1);
const scratchU = new Uint32Array(scratchF.buffer);

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
  const { n1, n2 } = set;
  const bits = new Uint32Array(weights.buffer, weights.byteOffset, weights.length);
  const outBits = new Uint32Array(out.buffer, out.byteOffset, out.length);
  // Thresholds as float32 bit patterns (|w| compared as unsigned integers is monotone).
  scratchF[0] = 2 ** (n2 - 1);
  const zeroBelow = scratchU[0];
  scratchF[0] = 0.75 * 2 ** n1;
  const clampFrom = scratchU[0];
  const count = indices ? indices.length : weights.length;
  for (let k = 0; k < count; k++) {
    const i = indices ? indices[k] : k;
    const u = bits[i];
    const a = u & 0x7fffffff;
    if (a >= 0x7f800000) throw new RangeError(`cannot quantize a non-finite weight at index ${i}`);
    if (a < zeroBelow) {
      outBits[i] = 0;
      continue;
    }
    let p = a >= clampFrom ? n1 : nearestExponent(a);
    if (p < n2) p = n2;
    // A power of two as float32: sign, biased exponent, empty mantissa.
    outBits[i] = (u & 0x80000000) | ((p + 127) << 23);
  }
}

/** Returns a new array holding every weight quantized. */
export function quantizeAll(weights: Float32Array, set: LevelSet): Float32Array {
  const out = new Float32Array(weights.length);
  quantizeInto(weights, set, out);
  return out;
}
