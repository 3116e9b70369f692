import { describe, expect, it } from 'vitest';
import type { LevelSet } from './levels.ts';
import type { Rng } from './rng.ts';
import { MAX_BITS, MIN_BITS, isLevel, levelSet, maxAbs } from './levels.ts';
import { levelBits, quantizeAll, quantizeBits, quantizeInto, quantizeValue } from './quantize.ts';
import { forCases } from '../testing/propertyCases.ts';
import { nextDown32, nextUp32 } from '../testing/float32.ts';


// ---- helpers ------------------------------------------------------------------------------------
function bitsOf(a: Float32Array): Uint32Array {
  return new Uint32Array(a.buffer, a.byteOffset, a.length);
}

/** Brute force: the level nearest to w by |w − l|; on an exact tie the larger magnitude wins. */
function nearestLevel(w: number, levels: Float32Array): number {
  let best = levels[0];
  let bestD = Math.abs(w - best);
  for (let k = 1; k < levels.length; k++) {
    const l = levels[k];
    const d = Math.abs(w - l);
    if (d < bestD || (d === bestD && Math.abs(l) > Math.abs(best))) {
      best = l;
      bestD = d;
    }
  }
  return best;
}

type Kind = 'normal' | 'uniform' | 'logUniform' | 'edges' | 'grown';
const KINDS: Kind[] = ['normal', 'uniform', 'logUniform', 'edges', 'grown'];

/**
 * A random layer and its level set. The set is built from the "pre-trained" weights; for 'grown'
 * the returned weights are then re-trained values that may exceed 2^n1 by a large factor.
 */
function randomLayer(rng: Rng, kind: Kind = KINDS[rng.int(KINDS.length)]): { w: Float32Array; set: LevelSet } {
  const bits = MIN_BITS + rng.int(MAX_BITS - MIN_BITS + 1);
  const n = 1 + rng.int(1500);
  const scale = 2 ** (rng.next() * 24 - 12); // ~2.4e-4 … 4096
  const w = new Float32Array(n);
  if (kind === 'normal' || kind === 'grown') for (let i = 0; i < n; i++) w[i] = rng.normal() * scale;
  else if (kind === 'uniform') for (let i = 0; i < n; i++) w[i] = (2 * rng.next() - 1) * scale;
  else if (kind === 'logUniform') {
    // Magnitudes spread over 40 octaves: far below the zero threshold up to the top level.
    for (let i = 0; i < n; i++) w[i] = (rng.next() < 0.5 ? -1 : 1) * scale * 2 ** (-40 * rng.next());
  }
  if (!(maxAbs(w) > 0)) w[0] = scale;
  const set = kind === 'edges' ? levelSet(bits, scale) : levelSet(bits, maxAbs(w));
  if (kind === 'edges') {
    // Every decision boundary of the set, exactly and one float32 ulp either side, both signs.
    const edges: number[] = [];
    for (let p = set.n2 - 2; p <= set.n1 + 2; p++) {
      for (const e of [0.75 * 2 ** p, 1.5 * 2 ** p, 2 ** p, 2 ** (p - 1)]) edges.push(e, nextUp32(e), nextDown32(e));
    }
    edges.push(0, 1e-38, 3 * 2 ** set.n1, 2 ** (set.n1 + 10));
    const out = new Float32Array(edges.length * 2);
    edges.forEach((e, i) => {
      out[2 * i] = e;
      out[2 * i + 1] = -e;
    });
    return { w: out, set };
  }
  if (kind === 'grown') {
    // Re-training moved weights: some grow 1×–10× (beyond 2^n1), others shrink.
    for (let i = 0; i < n; i++) w[i] *= rng.next() < 0.3 ? 1 + 9 * rng.next() : rng.next() * 1.2;
  }
  return { w, set };
}

/** Checks every output against the specification; returns a list of violations. */
function violations(w: Float32Array, q: Float32Array, set: LevelSet): string[] {
  const problems: string[] = [];
  const clampFrom = 0.75 * 2 ** set.n1;
  const zeroBelow = 2 ** (set.n2 - 1);
  for (let i = 0; i < w.length && problems.length < 10; i++) {
    const x = w[i];
    const y = q[i];
    const where = `w[${i}]=${x} → ${y} (n1=${set.n1}, n2=${set.n2})`;
    if (!isLevel(y, set)) problems.push(`not a level: ${where}`);
    const ref = nearestLevel(x, set.levels);
    if (y !== ref) problems.push(`not the nearest level (${ref}): ${where}`);
    const a = Math.abs(x);
    if (a >= clampFrom && Math.abs(y) !== 2 ** set.n1) problems.push(`did not clamp to ±2^n1: ${where}`);
    if (a >= zeroBelow && y === 0) problems.push(`zeroed a weight ≥ 2^(n2−1): ${where}`);
    if (a < zeroBelow && y !== 0) problems.push(`did not zero a weight < 2^(n2−1): ${where}`);
    if (y !== 0 && Math.sign(y) !== Math.sign(x)) problems.push(`sign flipped: ${where}`);
  }
  return problems;
}

describe('quantizeAll / quantizeInto', () => {
  it('maps every weight to the nearest level (ties → larger magnitude), with clamp, zero band and sign', () => {
    forCases(400, (rng, _seed, i) => {
      const kind = KINDS[i % KINDS.length];
      const { w, set } = randomLayer(rng, kind);
      const q = quantizeAll(w, set);
      expect(q.length).toBe(w.length);
      expect(violations(w, q, set), `${kind}, ${set.bits} bits`).toEqual([]);
    });
  });

  it('never zeroes a weight that grew beyond 2^n1 (clamps it to ±2^n1)', () => {
    forCases(200, (rng) => {
      const bits = MIN_BITS + rng.int(MAX_BITS - MIN_BITS + 1);
      const set = levelSet(bits, 2 ** (rng.next() * 20 - 10));
      const top = 2 ** set.n1;
      const w = new Float32Array(200);
      for (let i = 0; i < w.length; i++) {
        const m = i === 0 ? 0.75 * top : 0.75 * top * (1 + rng.next() * (i < 100 ? 2 : 1e6));
        w[i] = rng.next() < 0.5 ? -m : m;
      }
      const q = quantizeAll(w, set);
      for (let i = 0; i < w.length; i++) {
        if (q[i] !== Math.sign(w[i]) * top) expect.fail(`w=${w[i]} → ${q[i]}, expected ${Math.sign(w[i]) * top}`);
        if (quantizeValue(w[i], set) !== q[i]) expect.fail(`quantizeValue(${w[i]}) disagrees`);
      }
      // Just below the clamp boundary is the next level down (unless that is the only magnitude).
      const below = nextDown32(0.75 * top);
      expect(quantizeValue(below, set)).toBe(bits === 2 ? top : top / 2);
    });
  });

  it('handles every boundary exactly: 2^(n2−1) → 2^n2, 1.5·2^p → 2^(p+1), 0.75·2^n1 → 2^n1', () => {
    for (let bits = MIN_BITS; bits <= MAX_BITS; bits++) {
      for (const n1 of [-20, -3, 0, 1, 7, 30]) {
        const set = levelSet(bits, 1, n1);
        const { n2 } = set;
        expect(quantizeValue(2 ** (n2 - 1), set)).toBe(2 ** n2);
        expect(quantizeValue(-(2 ** (n2 - 1)), set)).toBe(-(2 ** n2));
        expect(quantizeValue(nextDown32(2 ** (n2 - 1)), set)).toBe(0);
        expect(quantizeValue(-nextDown32(2 ** (n2 - 1)), set)).toBe(0);
        for (let p = n2; p < n1; p++) {
          expect(quantizeValue(1.5 * 2 ** p, set)).toBe(2 ** (p + 1));
          expect(quantizeValue(nextDown32(1.5 * 2 ** p), set)).toBe(2 ** p);
          expect(quantizeValue(-1.5 * 2 ** p, set)).toBe(-(2 ** (p + 1)));
        }
        expect(quantizeValue(0.75 * 2 ** n1, set)).toBe(2 ** n1);
        const w = Float32Array.of(2 ** (n2 - 1), nextDown32(2 ** (n2 - 1)), 0.75 * 2 ** n1, 1.5 * 2 ** n1, 4 * 2 ** n1);
        expect(Array.from(quantizeAll(w, set))).toEqual([2 ** n2, 0, 2 ** n1, 2 ** n1, 2 ** n1]);
      }
    }
  });

  it('writes only the listed indices when given an `indices` list', () => {
    forCases(200, (rng) => {
      const { w, set } = randomLayer(rng);
      const full = quantizeAll(w, set);
      const sentinel = 12345.678;
      const out = new Float32Array(w.length).fill(sentinel);
      const listed = new Uint8Array(w.length);
      const indices: number[] = [];
      for (let i = 0; i < w.length; i++) {
        if (rng.next() < 0.4) {
          indices.push(i);
          listed[i] = 1;
        }
      }
      // The list need not be sorted.
      for (let i = indices.length - 1; i > 0; i--) {
        const j = rng.int(i + 1);
        [indices[i], indices[j]] = [indices[j], indices[i]];
      }
      quantizeInto(w, set, out, rng.next() < 0.5 ? indices : Uint32Array.from(indices));
      const sentinelF = Math.fround(sentinel);
      for (let i = 0; i < w.length; i++) {
        const want = listed[i] ? full[i] : sentinelF;
        if (!Object.is(out[i], want)) expect.fail(`index ${i} (listed: ${listed[i]}): ${out[i]} ≠ ${want}`);
      }
      // An empty list writes nothing.
      const untouched = new Float32Array(w.length).fill(sentinel);
      quantizeInto(w, set, untouched, []);
      expect(untouched.every((v) => v === sentinelF)).toBe(true);
    });
  });

  it('works in place and on subarray views (non-zero byteOffset)', () => {
    forCases(100, (rng) => {
      const { w, set } = randomLayer(rng);
      const expected = quantizeAll(w, set);
      const inPlace = Float32Array.from(w);
      quantizeInto(inPlace, set, inPlace);
      expect(bitsOf(inPlace)).toEqual(bitsOf(expected));
      const pad = 1 + rng.int(7);
      const big = new Float32Array(w.length + 2 * pad).fill(-7);
      big.set(w, pad);
      const view = big.subarray(pad, pad + w.length);
      const outBig = new Float32Array(w.length + 2 * pad).fill(99);
      const outView = outBig.subarray(pad, pad + w.length);
      quantizeInto(view, set, outView);
      expect(bitsOf(outView)).toEqual(bitsOf(expected));
      expect(Array.from(outBig.subarray(0, pad)).every((v) => v === 99)).toBe(true);
      expect(Array.from(outBig.subarray(pad + w.length)).every((v) => v === 99)).toBe(true);
    });
  });

  it('is idempotent, and every level quantizes to itself', () => {
    forCases(200, (rng) => {
      const { w, set } = randomLayer(rng);
      const once = quantizeAll(w, set);
      const twice = quantizeAll(once, set);
      expect(bitsOf(twice)).toEqual(bitsOf(once));
      expect(Array.from(quantizeAll(set.levels, set))).toEqual(Array.from(set.levels));
      for (const l of set.levels) if (quantizeValue(l, set) !== l) expect.fail(`level ${l} moved`);
    });
  });

  it('throws on non-finite input (also through an index list)', () => {
    const set = levelSet(5, 1);
    for (const bad of [Number.NaN, Infinity, -Infinity]) {
      const w = Float32Array.of(0.5, bad, 0.25);
      expect(() => quantizeAll(w, set)).toThrow(RangeError);
      expect(() => quantizeInto(w, set, new Float32Array(3), [1])).toThrow(RangeError);
      expect(() => quantizeValue(bad, set)).toThrow(RangeError);
      // An index list that skips the bad weight is fine.
      expect(() => quantizeInto(w, set, new Float32Array(3), [0, 2])).not.toThrow();
    }
  });
});

describe('quantizeValue', () => {
  it('agrees with quantizeInto bit for bit on float32 weights', () => {
    forCases(300, (rng) => {
      const { w, set } = randomLayer(rng);
      const q = quantizeAll(w, set);
      const v = new Float32Array(w.length);
      for (let i = 0; i < w.length; i++) v[i] = quantizeValue(w[i], set);
      const qb = bitsOf(q);
      const vb = bitsOf(v);
      for (let i = 0; i < w.length; i++) {
        if (qb[i] !== vb[i]) expect.fail(`w[${i}]=${w[i]}: quantizeInto ${q[i]} vs quantizeValue ${v[i]}`);
      }
    });
  });

  it('is the nearest level for arbitrary float64 inputs too', () => {
    forCases(100, (rng) => {
      const bits = MIN_BITS + rng.int(MAX_BITS - MIN_BITS + 1);
      const set = levelSet(bits, 2 ** (rng.next() * 20 - 10));
      for (let k = 0; k < 300; k++) {
        const x = (rng.next() < 0.5 ? -1 : 1) * 2 ** (set.n1 + 3 - rng.next() * (set.n1 - set.n2 + 8));
        const y = quantizeValue(x, set);
        const ref = nearestLevel(x, set.levels);
        if (y !== ref) expect.fail(`quantizeValue(${x}) = ${y}, nearest level ${ref} (n1=${set.n1}, n2=${set.n2})`);
      }
    });
  });
});

describe('quantizeBits', () => {
  it('is quantizeValue on raw float32 bit patterns: every exponent, subnormals, both signs, past the top level', () => {
    const f = new Float32Array(1);
    const u = new Uint32Array(f.buffer);
    forCases(100, (rng) => {
      const bits = MIN_BITS + rng.int(MAX_BITS - MIN_BITS + 1);
      const set = levelSet(bits, 2 ** (rng.next() * 40 - 20));
      const { zeroBelow, top, bottom } = levelBits(set);
      for (let k = 0; k < 500; k++) {
        // Any finite pattern: sign, exponent 0…254 (0 = zero/subnormal), random mantissa.
        u[0] = ((rng.int(2) << 31) | (rng.int(255) << 23) | rng.int(1 << 23)) >>> 0;
        const w = f[0];
        const got = quantizeBits(u[0], zeroBelow, top, bottom);
        u[0] = got >>> 0;
        if (!Object.is(f[0], quantizeValue(w, set)) && !(f[0] === 0 && quantizeValue(w, set) === 0)) {
          expect.fail(`w=${w}: quantizeBits ${f[0]}, quantizeValue ${quantizeValue(w, set)} (n1=${set.n1}, n2=${set.n2})`);
        }
      }
    });
  });
});

