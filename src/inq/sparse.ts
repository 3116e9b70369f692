/**
 * Sparse packed codes for pruned + quantized kernels: a presence bitmap (1 bit per weight, set for
 * non-zero) followed by the non-zero weights' codes in b−1 bits each. A b-bit level set has 2^(b−1)
 * non-zero levels (± 2^p for p in n2…n1), so once zero is taken out by the bitmap a code needs one
 * bit less: bit b−2 = sign (1 = negative), bits 0…b−3 = n1 − p, the same fields as the dense code.
 *
 * A bitmap costs one bit per weight whatever the sparsity; for the 90 % sparse layers of pruning +
 * INQ that is ~10 bits per surviving weight, still far below float32's 32 per weight.
 */
import type { LevelSet } from './levels.ts';
import { validateBits } from './levels.ts';
import { LAYER_HEADER_BYTES } from './codec.ts';

/** A sparse-packed layer. */
export interface SparseCodes {
  count: number;
  nonZero: number;
  bits: number;
  /** Presence bitmap: bit i (little-endian in 32-bit words) is set when weight i is non-zero. */
  bitmap: Uint32Array;
  /** Non-zero codes, b−1 bits each, densely packed in weight order. */
  codes: Uint32Array;
}

/** Extra header bytes of a sparse layer beyond the dense header: the non-zero count (u32). */
export const SPARSE_EXTRA_HEADER_BYTES = 4;

/** Bytes of a sparse layer: header, bitmap, and the non-zero codes (each in whole 32-bit words). */
export function sparseLayerBytes(count: number, nonZero: number, bits: number): number {
  validateBits(bits);
  if (!(Number.isInteger(count) && count >= 0 && Number.isInteger(nonZero) && nonZero >= 0 && nonZero <= count)) {
    throw new RangeError(`bad sparse layer size: ${nonZero} non-zero of ${count}`);
  }
  return LAYER_HEADER_BYTES + SPARSE_EXTRA_HEADER_BYTES + Math.ceil(count / 32) * 4 + Math.ceil((nonZero * (bits - 1)) / 32) * 4;
}

/** Bytes of a pruned float32 layer stored the same way (bitmap + float32 values of the survivors). */
export function sparseFloatBytes(count: number, nonZero: number): number {
  return LAYER_HEADER_BYTES + SPARSE_EXTRA_HEADER_BYTES + Math.ceil(count / 32) * 4 + nonZero * 4;
}

/** Number of non-zero entries. */
export function countNonZero(values: Float32Array): number {
  let c = 0;
  for (let i = 0; i < values.length; i++) c += values[i] !== 0 ? 1 : 0;
  return c;
}

function put(words: Uint32Array, i: number, bits: number, code: number): void {
  const bit = i * bits;
  const w = bit >>> 5;
  const s = bit & 31;
  words[w] |= code << s;
  if (s + bits > 32) words[w + 1] |= code >>> (32 - s);
}

function get(words: Uint32Array, i: number, bits: number): number {
  const bit = i * bits;
  const w = bit >>> 5;
  const s = bit & 31;
  let code = words[w] >>> s;
  if (s + bits > 32) code |= words[w + 1] << (32 - s);
  return code & ((1 << bits) - 1);
}

/** Packs level values sparsely; every value must be a level of `set` (zero included). */
export function packSparse(values: Float32Array, set: LevelSet): SparseCodes {
  validateBits(set.bits);
  const b = set.bits - 1;
  const nonZero = countNonZero(values);
  const bitmap = new Uint32Array(Math.ceil(values.length / 32));
  const codes = new Uint32Array(Math.ceil((nonZero * b) / 32));
  const fbits = new Uint32Array(values.buffer, values.byteOffset, values.length);
  let k = 0;
  for (let i = 0; i < values.length; i++) {
    const u = fbits[i];
    if ((u & 0x7fffffff) === 0) continue;
    const exp = ((u >>> 23) & 0xff) - 127;
    if ((u & 0x7fffff) !== 0 || exp < set.n2 || exp > set.n1) {
      throw new RangeError(`weight ${i} (${values[i]}) is not a level of the ${set.bits}-bit set 2^${set.n2}…2^${set.n1}`);
    }
    bitmap[i >>> 5] |= 1 << (i & 31);
    put(codes, k++, b, ((u >>> 31) << (b - 1)) | (set.n1 - exp));
  }
  return { count: values.length, nonZero, bits: set.bits, bitmap, codes };
}

/** Unpacks sparse codes back into float32 values. */
export function unpackSparse(s: SparseCodes, n1: number): Float32Array {
  validateBits(s.bits);
  const b = s.bits - 1;
  if (s.bitmap.length * 32 < s.count) throw new RangeError(`a bitmap of ${s.bitmap.length} words cannot cover ${s.count} weights`);
  if (s.codes.length * 32 < s.nonZero * b) throw new RangeError(`${s.codes.length} words cannot hold ${s.nonZero} ${b}-bit codes`);
  const out = new Float32Array(s.count);
  let k = 0;
  for (let i = 0; i < s.count; i++) {
    if (!((s.bitmap[i >>> 5] >>> (i & 31)) & 1)) continue;
    if (k >= s.nonZero) throw new RangeError(`the bitmap marks more than ${s.nonZero} non-zero weights`);
    const code = get(s.codes, k++, b);
    const m = 2 ** (n1 - (code & ((1 << (b - 1)) - 1)));
    out[i] = (code >>> (b - 1)) & 1 ? -m : m;
  }
  if (k !== s.nonZero) throw new RangeError(`the bitmap marks ${k} non-zero weights, the header says ${s.nonZero}`);
  return out;
}
