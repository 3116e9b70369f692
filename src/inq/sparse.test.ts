import { describe, expect, it } from 'vitest';
import { MAX_BITS, MIN_BITS, levelSet } from './levels.ts';
import { quantizeAll } from './quantize.ts';
import { LAYER_HEADER_BYTES, packLevels, packedCodeBytes } from './codec.ts';
import { SPARSE_EXTRA_HEADER_BYTES, countNonZero, packSparse, sparseFloatBytes, sparseLayerBytes, unpackSparse } from './sparse.ts';
import { forCases } from '../testing/propertyCases.ts';

describe('sparse codes', () => {
  it('round-trip level values of every bit-width and sparsity, bit for bit', () => {
    forCases(300, (rng) => {
      const bits = MIN_BITS + rng.int(MAX_BITS - MIN_BITS + 1);
      const n = rng.int(3000);
      const scale = 2 ** (rng.next() * 16 - 8);
      const density = rng.next();
      const w = new Float32Array(n);
      for (let i = 0; i < n; i++) w[i] = rng.next() < density ? rng.normal() * scale : 0;
      const set = levelSet(bits, Math.max(scale, 1e-30));
      const q = quantizeAll(w, set);
      const s = packSparse(q, set);
      expect(s.nonZero).toBe(countNonZero(q));
      expect(s.bitmap.length).toBe(Math.ceil(n / 32));
      expect(s.codes.length).toBe(Math.ceil((s.nonZero * (bits - 1)) / 32));
      const back = unpackSparse(s, set.n1);
      expect(new Uint32Array(back.buffer)).toEqual(new Uint32Array(Float32Array.from(q, (v) => (v === 0 ? 0 : v)).buffer));
      expect(sparseLayerBytes(n, s.nonZero, bits)).toBe(LAYER_HEADER_BYTES + SPARSE_EXTRA_HEADER_BYTES + 4 * (s.bitmap.length + s.codes.length));
    });
  });

  it('is smaller than the dense codes at 90 % sparsity and larger when nothing is zero', () => {
    const n = 10_000;
    for (let bits = MIN_BITS; bits <= MAX_BITS; bits++) {
      const dense = packedCodeBytes(n, bits) + LAYER_HEADER_BYTES;
      expect(sparseLayerBytes(n, n / 10, bits)).toBeLessThan(dense);
      expect(sparseLayerBytes(n, n, bits)).toBeGreaterThan(dense - 8);
    }
    // 5 bits, 90 % zero: 1 bit per weight + 4 bits per survivor ≈ 0.175 bytes/weight against float32's 4.
    expect(sparseLayerBytes(n, 1000, 5) / (4 * n)).toBeLessThan(0.05);
    expect(sparseFloatBytes(n, 1000)).toBe(LAYER_HEADER_BYTES + SPARSE_EXTRA_HEADER_BYTES + 4 * Math.ceil(n / 32) + 4000);
  });

  it('refuses values that are not levels, and sizes that cannot be', () => {
    const set = levelSet(4, 1);
    expect(() => packSparse(Float32Array.of(0, 0.3), set)).toThrow(/weight 1 \(0\.3/);
    expect(() => packSparse(Float32Array.of(2 ** (set.n1 + 1)), set)).toThrow(/not a level/);
    expect(() => sparseLayerBytes(10, 11, 4)).toThrow(RangeError);
    expect(() => sparseLayerBytes(10, 1, 1)).toThrow(RangeError);
  });

  it('refuses a bitmap that disagrees with its count', () => {
    const set = levelSet(5, 1);
    const s = packSparse(Float32Array.of(0, 0.5, 0, -0.25), set);
    expect(() => unpackSparse({ ...s, nonZero: 1 }, set.n1)).toThrow(/more than 1/);
    expect(() => unpackSparse({ ...s, nonZero: 3, codes: new Uint32Array(1) }, set.n1)).toThrow(/header says 3/);
    // Dense codes of the same values agree on which are zero.
    const dense = packLevels(Float32Array.of(0, 0.5, 0, -0.25), set);
    expect(dense.length).toBe(1);
  });
});
