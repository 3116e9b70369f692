/**
 * Packed b-bit codes (INQ.md, "Packed size"): per weight a zero flag, a sign and the exponent offset
 * n1 − p in b−2 bits, packed densely (little-endian bit order) into 32-bit words.
 *
 * Code layout (b bits): 0 = zero; otherwise bit b−1 = 1 (non-zero), bit b−2 = sign (1 = negative),
 * bits 0…b−3 = n1 − p. A code may straddle two words.
 */
import type { LevelSet } from './levels.ts';
import { requirePow2, validateBits } from './levels.ts';

/** Bytes of one packed layer's codes (whole 32-bit words). */
export function packedCodeBytes(count: number, bits: number): number {
  return Math.ceil((count * bits) / 32) * 4;
}

/** Per-layer header bytes in the packed format: n1 (i8), bits (u8), rank (u8), pad, 4 × u32 dims, u32 count. */
export const LAYER_HEADER_BYTES = 24;

/** The code of one level value; throws if the value is not a level of `set`. */
export function encodeValue(v: number, set: LevelSet): number {
  if (v === 0) return 0;
  const a = Math.abs(v);
  const p = Math.log2(a);
  if (!Number.isInteger(p) || p < set.n2 || p > set.n1) {
    throw new RangeError(`${v} is not a level of the ${set.bits}-bit set 2^${set.n2}…2^${set.n1}`);
  }
  return (1 << (set.bits - 1)) | ((v < 0 ? 1 : 0) << (set.bits - 2)) | (set.n1 - p);
}

/** The value of a code. */
export function decodeCode(code: number, bits: number, n1: number): number {
  if (!(code >>> (bits - 1))) return 0;
  const neg = (code >>> (bits - 2)) & 1;
  const offset = code & ((1 << (bits - 2)) - 1);
  const m = 2 ** (n1 - offset);
  return neg ? -m : m;
}

/** Packs level values into b-bit codes; every value must be a level of `set`. */
export function packLevels(values: Float32Array, set: LevelSet): Uint32Array {
  validateBits(set.bits);
  requirePow2(set, 'the packed format');
  const b = set.bits;
  const words = new Uint32Array(packedCodeBytes(values.length, b) / 4);
  const fbits = new Uint32Array(values.buffer, values.byteOffset, values.length);
  for (let i = 0; i < values.length; i++) {
    const u = fbits[i];
    let code = 0;
    if ((u & 0x7fffffff) !== 0) {
      const exp = ((u >>> 23) & 0xff) - 127;
      if ((u & 0x7fffff) !== 0 || exp < set.n2 || exp > set.n1) {
        throw new RangeError(`weight ${i} (${values[i]}) is not a level of the ${b}-bit set 2^${set.n2}…2^${set.n1}`);
      }
      code = (1 << (b - 1)) | ((u >>> 31) << (b - 2)) | (set.n1 - exp);
    }
    writeCode(words, i, b, code);
  }
  return words;
}

/** Unpacks `count` codes back into float32 values. */
export function unpackLevels(words: Uint32Array, count: number, bits: number, n1: number): Float32Array {
  validateBits(bits);
  if (words.length * 32 < count * bits) throw new RangeError(`${words.length} words cannot hold ${count} ${bits}-bit codes`);
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) out[i] = decodeCode(readCode(words, i, bits), bits, n1);
  return out;
}

/** Reads the i-th b-bit code (the same arithmetic the WGSL kernels use). */
export function readCode(words: Uint32Array, i: number, bits: number): number {
  const bit = i * bits;
  const w = bit >>> 5;
  const s = bit & 31;
  let code = words[w] >>> s;
  if (s + bits > 32) code |= words[w + 1] << (32 - s);
  return code & ((1 << bits) - 1);
}

function writeCode(words: Uint32Array, i: number, bits: number, code: number): void {
  const bit = i * bits;
  const w = bit >>> 5;
  const s = bit & 31;
  words[w] |= code << s;
  if (s + bits > 32) words[w + 1] |= code >>> (32 - s);
}

/** Size report of one layer: float32 bytes against packed bytes. */
export interface LayerSize {
  count: number;
  floatBytes: number;
  packedBytes: number;
}

/** Float32 vs packed bytes of a quantized kernel (codes plus its header). */
export function layerSize(count: number, bits: number): LayerSize {
  return { count, floatBytes: count * 4, packedBytes: packedCodeBytes(count, bits) + LAYER_HEADER_BYTES };
}
