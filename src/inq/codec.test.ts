import { describe, expect, it } from 'vitest';
import type { LevelSet } from './levels.ts';
import type { Rng } from './rng.ts';
import { MAX_BITS, MIN_BITS, levelSet } from './levels.ts';
import { quantizeAll } from './quantize.ts';
import {
  LAYER_HEADER_BYTES,
  decodeCode,
  encodeValue,
  layerSize,
  packLevels,
  packedCodeBytes,
  readCode,
  unpackLevels,
} from './codec.ts';
import { forCases } from '../testing/propertyCases.ts';


function bitsOf(a: Float32Array): Uint32Array {
  return new Uint32Array(a.buffer, a.byteOffset, a.length);
}

/**
 * A length around a 32-bit word boundary for b-bit codes (so the last codes straddle words),
 * or a random one; includes 0 and 1.
 */
function randomLength(rng: Rng, bits: number): number {
  const r = rng.next();
  if (r < 0.1) return rng.int(3);
  if (r < 0.5) {
    const words = 1 + rng.int(20);
    return Math.max(0, Math.floor((words * 32) / bits) + rng.int(5) - 2);
  }
  return rng.int(4000);
}

/** Level values from quantizing random weights (a mix of all levels, zeros and clamped values). */
function randomLevels(rng: Rng, n: number, bits: number): { values: Float32Array; set: LevelSet } {
  const w = new Float32Array(n);
  const scale = 2 ** (rng.next() * 20 - 10);
  for (let i = 0; i < n; i++) {
    // Log-uniform magnitudes over the whole level range so every code occurs.
    const mag = scale * 2 ** (-(2 ** (bits - 2) + 2) * rng.next());
    w[i] = (rng.next() < 0.5 ? -1 : 1) * mag * (rng.next() < 0.1 ? 0 : 1);
  }
  // The pre-trained max |w| (kept fixed even when n is tiny and every draw happens to be small).
  const set = levelSet(bits, scale);
  if (rng.next() < 0.3) for (let i = 0; i < n; i++) w[i] *= 4; // grown weights clamp to ±2^n1
  return { values: quantizeAll(w, set), set };
}

describe('packLevels / unpackLevels', () => {
  it('round-trips bit-exactly for bits 2..8, with codes straddling 32-bit words', () => {
    forCases(400, (rng, _seed, c) => {
      const bits = MIN_BITS + (c % (MAX_BITS - MIN_BITS + 1));
      const n = randomLength(rng, bits);
      const { values, set } = randomLevels(rng, n, bits);
      const words = packLevels(values, set);
      expect(words).toBeInstanceOf(Uint32Array);
      expect(words.length * 4).toBe(packedCodeBytes(n, bits));
      const back = unpackLevels(words, n, bits, set.n1);
      expect(back.length).toBe(n);
      const a = bitsOf(values);
      const b = bitsOf(back);
      for (let i = 0; i < n; i++) {
        if (a[i] !== b[i]) expect.fail(`${bits} bits, N=${n}: value ${i} ${values[i]} came back as ${back[i]}`);
      }
    });
  });

  it('stores at code i exactly encodeValue(values[i]) (readCode), and decodeCode inverts it', () => {
    forCases(300, (rng, _seed, c) => {
      const bits = MIN_BITS + (c % (MAX_BITS - MIN_BITS + 1));
      const n = randomLength(rng, bits);
      const { values, set } = randomLevels(rng, n, bits);
      const words = packLevels(values, set);
      for (let i = 0; i < n; i++) {
        const code = readCode(words, i, bits);
        const want = encodeValue(values[i], set);
        if (code !== want) expect.fail(`${bits} bits: code ${i} is ${code}, encodeValue(${values[i]}) = ${want}`);
        if (decodeCode(code, bits, set.n1) !== values[i]) expect.fail(`decodeCode(${code}) ≠ ${values[i]}`);
      }
      // Bits past the last code stay zero.
      const used = n * bits;
      if (used % 32 !== 0) expect(words[words.length - 1] >>> used % 32).toBe(0);
    });
  });

  it('gives every level its own code, with the documented layout', () => {
    for (let bits = MIN_BITS; bits <= MAX_BITS; bits++) {
      for (const n1 of [-9, 0, 5]) {
        const set = levelSet(bits, 1, n1);
        const codes = new Set<number>();
        for (const l of set.levels) {
          const code = encodeValue(l, set);
          expect(code).toBeGreaterThanOrEqual(0);
          expect(code).toBeLessThan(2 ** bits);
          codes.add(code);
          expect(decodeCode(code, bits, n1)).toBe(l);
          if (l === 0) expect(code).toBe(0);
          else {
            expect(code >>> (bits - 1)).toBe(1);
            expect((code >>> (bits - 2)) & 1).toBe(l < 0 ? 1 : 0);
            expect(code & ((1 << (bits - 2)) - 1)).toBe(n1 - Math.log2(Math.abs(l)));
          }
        }
        expect(codes.size).toBe(set.levels.length);
        // packLevels agrees with encodeValue on the full level list (and on -0).
        const words = packLevels(Float32Array.from([...set.levels, -0]), set);
        set.levels.forEach((l, i) => expect(readCode(words, i, bits)).toBe(encodeValue(l, set)));
        expect(readCode(words, set.levels.length, bits)).toBe(0);
      }
    }
  });

  it('packs subarray views (non-zero byteOffset) like copies', () => {
    forCases(50, (rng) => {
      const bits = MIN_BITS + rng.int(MAX_BITS - MIN_BITS + 1);
      const n = randomLength(rng, bits);
      const { values, set } = randomLevels(rng, n, bits);
      const big = new Float32Array(n + 6).fill(2 ** set.n1);
      big.set(values, 3);
      expect(Array.from(packLevels(big.subarray(3, 3 + n), set))).toEqual(Array.from(packLevels(values, set)));
    });
  });

  it('throws on a value that is not a level (packLevels and encodeValue)', () => {
    forCases(200, (rng) => {
      const bits = MIN_BITS + rng.int(MAX_BITS - MIN_BITS + 1);
      const n = 1 + rng.int(300);
      const { values, set } = randomLevels(rng, n, bits);
      const top = 2 ** set.n1;
      const bad = [
        top * 2,
        -top * 2,
        2 ** (set.n2 - 1),
        -(2 ** (set.n2 - 1)),
        top * 0.75,
        3 * 2 ** set.n2,
        Math.fround(top * (1 + 2 ** -20)),
        Number.NaN,
        Infinity,
        -Infinity,
        1e-45, // subnormal float32
      ][rng.int(11)];
      const v = Float32Array.from(values);
      v[rng.int(n)] = bad;
      expect(() => packLevels(v, set), `${bits} bits, bad value ${bad}`).toThrow(RangeError);
      expect(() => encodeValue(bad, set), `${bits} bits, bad value ${bad}`).toThrow(RangeError);
    });
  });

  it('refuses too few words and invalid bit-widths when unpacking', () => {
    expect(() => unpackLevels(new Uint32Array(1), 7, 5, 0)).toThrow(RangeError); // 35 bits > 32
    expect(() => unpackLevels(new Uint32Array(2), 7, 5, 0)).not.toThrow();
    expect(() => unpackLevels(new Uint32Array(2), 3, 9, 0)).toThrow(/bits/);
    expect(() => unpackLevels(new Uint32Array(2), 3, 1, 0)).toThrow(/bits/);
  });
});

describe('packed size', () => {
  it('packedCodeBytes(N, b) = ceil(N·b/32)·4', () => {
    forCases(2000, (rng) => {
      const bits = MIN_BITS + rng.int(MAX_BITS - MIN_BITS + 1);
      const n = rng.next() < 0.5 ? rng.int(100) : rng.int(50_000_000);
      expect(packedCodeBytes(n, bits)).toBe(Math.ceil((n * bits) / 32) * 4);
      expect(packedCodeBytes(n, bits) % 4).toBe(0);
      expect(packedCodeBytes(n, bits) * 8).toBeGreaterThanOrEqual(n * bits);
      expect(packedCodeBytes(n, bits) * 8 - n * bits).toBeLessThan(32);
    });
    expect(packedCodeBytes(0, 5)).toBe(0);
    expect(packedCodeBytes(1, 5)).toBe(4);
    expect(packedCodeBytes(32, 5)).toBe(20);
  });

  it('5 bits: packed bytes ≤ float32 bytes / 6 for N ≥ 1000', () => {
    forCases(2000, (rng) => {
      const n = 1000 + (rng.next() < 0.5 ? rng.int(100) : rng.int(10_000_000));
      expect(packedCodeBytes(n, 5), `N=${n}`).toBeLessThanOrEqual((n * 4) / 6);
    });
    for (let n = 1000; n < 1200; n++) expect(packedCodeBytes(n, 5)).toBeLessThanOrEqual((n * 4) / 6);
  });

  it('layerSize reports float32 bytes and codes plus header', () => {
    forCases(200, (rng) => {
      const bits = MIN_BITS + rng.int(MAX_BITS - MIN_BITS + 1);
      const n = rng.int(1_000_000);
      expect(layerSize(n, bits)).toEqual({
        count: n,
        floatBytes: 4 * n,
        packedBytes: packedCodeBytes(n, bits) + LAYER_HEADER_BYTES,
      });
    });
  });
});
