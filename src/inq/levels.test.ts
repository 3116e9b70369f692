import { describe, expect, it } from 'vitest';
import type { Rng } from './rng.ts';
import { MAX_BITS, MAX_N1, MIN_BITS, MIN_N2, computeN1, isLevel, levelSet, maxAbs, validateBits } from './levels.ts';
import { forCases } from '../testing/propertyCases.ts';
import { nextDown32, nextUp32 } from '../testing/float32.ts';


// ---- float helpers ------------------------------------------------------------------------------
const f64 = new Float64Array(1);
const u64 = new BigUint64Array(f64.buffer);
/** Next float64 above a positive finite x. */
function nextUp64(x: number): number {
  f64[0] = x;
  u64[0] += 1n;
  return f64[0];
}
/** Next float64 below a positive finite x. */
function nextDown64(x: number): number {
  f64[0] = x;
  u64[0] -= 1n;
  return f64[0];
}

/** The defining inequality of n1 = floor(log2(4s/3)), in exact float64 arithmetic. */
function n1Holds(s: number, n1: number): boolean {
  return 0.75 * 2 ** n1 <= s && s < 1.5 * 2 ** n1;
}

/** A positive scale s: random mantissa, at 0.75·2^k exactly, or one ulp (float64 or float32) either side. */
function randomScale(rng: Rng): number {
  const k = rng.int(81) - 40;
  const edge = 0.75 * 2 ** k;
  switch (rng.int(6)) {
    case 0:
      return edge;
    case 1:
      return nextDown64(edge);
    case 2:
      return nextUp64(edge);
    case 3:
      return nextDown32(edge);
    case 4:
      return nextUp32(edge);
    default:
      return 2 ** (k + rng.next());
  }
}

describe('computeN1', () => {
  it('satisfies 0.75·2^n1 ≤ s < 1.5·2^n1 exactly for random scales and at every boundary', () => {
    forCases(4000, (rng) => {
      const s = randomScale(rng);
      const n1 = computeN1(s);
      expect(Number.isInteger(n1), `n1 for s=${s}`).toBe(true);
      expect(n1Holds(s, n1), `s=${s} n1=${n1}`).toBe(true);
    });
  });

  it('puts 0.75·2^k at n1 = k and the values just below it at k − 1', () => {
    for (let k = -120; k <= 120; k++) {
      const edge = 0.75 * 2 ** k;
      expect(computeN1(edge), `s = 0.75·2^${k}`).toBe(k);
      expect(computeN1(nextUp64(edge)), `just above 0.75·2^${k}`).toBe(k);
      expect(computeN1(nextDown64(edge)), `just below 0.75·2^${k} (float64)`).toBe(k - 1);
      expect(computeN1(nextDown32(edge)), `just below 0.75·2^${k} (float32)`).toBe(k - 1);
      // 1.5·2^k − ulp still belongs to k, 1.5·2^k itself to k + 1.
      expect(computeN1(nextDown64(1.5 * 2 ** k))).toBe(k);
      expect(computeN1(2 ** k)).toBe(k);
    }
  });

  it('agrees with floor(log2(4s/3)) away from the boundaries', () => {
    forCases(2000, (rng) => {
      const s = 2 ** (rng.next() * 60 - 30);
      const ref = Math.floor(Math.log2((4 * s) / 3));
      // Only compare where floating log2 cannot be off by an ulp across an integer.
      const frac = Math.log2((4 * s) / 3) - ref;
      if (frac > 1e-9 && frac < 1 - 1e-9) expect(computeN1(s), `s=${s}`).toBe(ref);
    });
  });

  it('throws for a layer without a non-zero weight (s = 0) and for non-finite or negative s', () => {
    for (const s of [0, -0, -1, Number.NaN, Infinity, -Infinity]) {
      expect(() => computeN1(s), `s=${s}`).toThrow(RangeError);
    }
    expect(() => computeN1(0)).toThrow(/non-zero|> 0/);
  });
});

describe('levelSet', () => {
  it('has n2 = n1 + 1 − 2^(b−2) and 2^(b−1)+1 sorted, symmetric power-of-two levels including 0', () => {
    forCases(1500, (rng) => {
      const bits = MIN_BITS + rng.int(MAX_BITS - MIN_BITS + 1);
      const s = randomScale(rng);
      const set = levelSet(bits, s);
      const n1 = computeN1(s);
      expect(set.bits).toBe(bits);
      expect(set.n1).toBe(n1);
      expect(n1Holds(s, set.n1)).toBe(true);
      expect(set.n2).toBe(n1 + 1 - 2 ** (bits - 2));
      const L = set.levels;
      expect(L).toBeInstanceOf(Float32Array);
      expect(L.length).toBe(2 ** (bits - 1) + 1);
      const mid = (L.length - 1) / 2;
      expect(L[mid]).toBe(0);
      const problems: string[] = [];
      for (let i = 1; i < L.length; i++) if (!(L[i] > L[i - 1])) problems.push(`not ascending at ${i}`);
      for (let i = 0; i < L.length; i++) if (L[i] !== -L[L.length - 1 - i]) problems.push(`not symmetric at ${i}`);
      // Positive half is exactly 2^n2, 2^(n2+1), …, 2^n1.
      for (let j = 0; j < mid; j++) if (L[mid + 1 + j] !== 2 ** (set.n2 + j)) problems.push(`level ${mid + 1 + j} ≠ 2^${set.n2 + j}`);
      for (const l of L) if (!isLevel(l, set)) problems.push(`isLevel(${l}) is false`);
      expect(problems, `bits=${bits} s=${s}`).toEqual([]);
      expect(L[L.length - 1]).toBe(2 ** set.n1);
      expect(L[0]).toBe(-(2 ** set.n1));
    });
  });

  it('b=5 has 8 magnitudes 2^n1 … 2^(n1−7); b=3 has 2; b=2 is ternary {0, ±2^n1}', () => {
    forCases(500, (rng) => {
      const s = randomScale(rng);
      const n1 = computeN1(s);
      const b5 = levelSet(5, s);
      const pos5 = Array.from(b5.levels).filter((l) => l > 0);
      expect(pos5).toEqual(Array.from({ length: 8 }, (_, j) => 2 ** (n1 - 7 + j)));
      expect(b5.n2).toBe(n1 - 7);
      const b3 = levelSet(3, s);
      expect(Array.from(b3.levels)).toEqual([-(2 ** n1), -(2 ** (n1 - 1)), 0, 2 ** (n1 - 1), 2 ** n1]);
      const b2 = levelSet(2, s);
      expect(b2.n2).toBe(n1);
      expect(Array.from(b2.levels)).toEqual([-(2 ** n1), 0, 2 ** n1]);
    });
  });

  it('honours an explicit n1 (kept from the pre-trained layer) and ignores s then', () => {
    forCases(300, (rng) => {
      const bits = MIN_BITS + rng.int(MAX_BITS - MIN_BITS + 1);
      const n1 = rng.int(40) - 20;
      const set = levelSet(bits, randomScale(rng), n1);
      expect(set.n1).toBe(n1);
      expect(set.n2).toBe(n1 + 1 - 2 ** (bits - 2));
    });
    expect(() => levelSet(5, 1, 2.5)).toThrow(RangeError);
  });

  it('throws when the smallest level (n2) falls below float32 range, accepts the limit itself', () => {
    // 8 bits, n1 = -70 → n2 = -133: 2^(n2−1) is not a normal float32.
    expect(() => levelSet(8, 2 ** -70)).toThrow(RangeError);
    expect(() => levelSet(8, 2 ** -70)).toThrow(/underflow/);
    for (let bits = MIN_BITS; bits <= MAX_BITS; bits++) {
      const width = 2 ** (bits - 2) - 1; // n1 − n2
      expect(() => levelSet(bits, 1, MIN_N2 + width)).not.toThrow();
      expect(levelSet(bits, 1, MIN_N2 + width).n2).toBe(MIN_N2);
      expect(() => levelSet(bits, 1, MIN_N2 + width - 1), `bits ${bits}`).toThrow(RangeError);
    }
    expect(() => levelSet(2, 1, MAX_N1)).not.toThrow();
    expect(() => levelSet(2, 1, MAX_N1 + 1)).toThrow(/overflow/);
    // Every level of the extreme sets is an exact float32 value.
    for (const set of [levelSet(8, 1, MIN_N2 + 63), levelSet(8, 1, MAX_N1)]) {
      for (let j = set.n2; j <= set.n1; j++) expect(Array.from(set.levels)).toContain(2 ** j);
    }
  });

  it('throws for s = 0 (no scale)', () => {
    expect(() => levelSet(5, 0)).toThrow(RangeError);
  });
});

describe('validateBits', () => {
  it('accepts whole numbers 2..8', () => {
    for (let b = MIN_BITS; b <= MAX_BITS; b++) expect(() => validateBits(b)).not.toThrow();
    expect(MIN_BITS).toBe(2);
    expect(MAX_BITS).toBe(8);
  });

  it('rejects 1, 9, 2.5, NaN (and other junk) with a RangeError that mentions bits', () => {
    for (const b of [1, 9, 2.5, Number.NaN, 0, -3, Infinity, -Infinity, 4.0000001]) {
      expect(() => validateBits(b), `bits=${b}`).toThrow(RangeError);
      expect(() => validateBits(b), `bits=${b}`).toThrow(/bits/);
      expect(() => levelSet(b, 1), `levelSet bits=${b}`).toThrow(/bits/);
    }
  });
});

describe('isLevel', () => {
  it('is true exactly on the levels and false just off them or outside [2^n2, 2^n1]', () => {
    forCases(500, (rng) => {
      const bits = MIN_BITS + rng.int(MAX_BITS - MIN_BITS + 1);
      const set = levelSet(bits, randomScale(rng));
      expect(isLevel(0, set)).toBe(true);
      expect(isLevel(-0, set)).toBe(true);
      const problems: string[] = [];
      for (const l of set.levels) {
        if (!isLevel(l, set)) problems.push(`level ${l} rejected`);
        if (l === 0) continue;
        for (const off of [nextUp32(Math.abs(l)) * Math.sign(l), nextDown32(Math.abs(l)) * Math.sign(l), 3 * l, 0.75 * l]) {
          if (isLevel(off, set)) problems.push(`non-level ${off} accepted`);
        }
      }
      expect(problems, `bits=${bits}`).toEqual([]);
      for (const v of [2 ** (set.n1 + 1), -(2 ** (set.n1 + 1)), 2 ** (set.n2 - 1), -(2 ** (set.n2 - 1))]) {
        expect(isLevel(v, set), `${v}`).toBe(false);
      }
      expect(isLevel(Number.NaN, set)).toBe(false);
      expect(isLevel(Infinity, set)).toBe(false);
    });
  });
});

describe('maxAbs', () => {
  it('is the largest |w| (brute force) and rejects non-finite weights', () => {
    forCases(300, (rng) => {
      const n = 1 + rng.int(500);
      const w = new Float32Array(n);
      const scale = 2 ** (rng.int(20) - 10);
      for (let i = 0; i < n; i++) w[i] = rng.normal() * scale;
      let ref = 0;
      for (const v of w) ref = Math.max(ref, Math.abs(v));
      expect(maxAbs(w)).toBe(ref);
      const bad = Float32Array.from(w);
      bad[rng.int(n)] = [Number.NaN, Infinity, -Infinity][rng.int(3)];
      expect(() => maxAbs(bad)).toThrow(RangeError);
    });
    expect(maxAbs(new Float32Array(0))).toBe(0);
    expect(maxAbs([0, -3, 2])).toBe(3);
  });
});
