import { describe, expect, it } from 'vitest';
import type { Rng } from './rng.ts';
import { createRng, permutation, shuffleInPlace } from './rng.ts';
import { BASE_SEED, forCases } from '../testing/propertyCases.ts';


/** A mixed stream of every draw kind, so that all of them are covered by the determinism check. */
function draws(rng: Rng, count: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    switch (i % 4) {
      case 0:
        out.push(rng.nextUint32());
        break;
      case 1:
        out.push(rng.next());
        break;
      case 2:
        out.push(rng.int(1 + (i % 1000)));
        break;
      default:
        out.push(rng.normal());
    }
  }
  return out;
}

describe('createRng', () => {
  it('gives the same sequence for the same seed', () => {
    forCases(50, (_rng, seed) => {
      expect(draws(createRng(seed), 2000)).toEqual(draws(createRng(seed), 2000));
    });
    // Including seed 0 and seeds that are not 32-bit integers.
    for (const seed of [0, -1, 2 ** 31, 1.75, -123456789]) expect(draws(createRng(seed), 100)).toEqual(draws(createRng(seed), 100));
  });

  it('gives different sequences for different seeds', () => {
    forCases(200, (rng, seed) => {
      const other = (seed + 1 + rng.int(1_000_000)) | 0;
      const a = draws(createRng(seed), 16);
      const b = draws(createRng(other), 16);
      expect(a, `seeds ${seed} and ${other}`).not.toEqual(b);
    });
    // Neighbouring small seeds give unrelated first outputs.
    const firsts = new Set<number>();
    for (let s = 0; s < 1000; s++) firsts.add(createRng(s).nextUint32());
    expect(firsts.size).toBe(1000);
  });

  it('next() is in [0, 1), nextUint32() in [0, 2^32), both roughly uniform', () => {
    forCases(20, (rng) => {
      let sum = 0;
      const buckets = new Uint32Array(10);
      const count = 5000;
      for (let i = 0; i < count; i++) {
        const x = rng.next();
        if (!(x >= 0 && x < 1)) expect.fail(`next() = ${x}`);
        sum += x;
        buckets[Math.floor(x * 10)]++;
        const u = rng.nextUint32();
        if (!(Number.isInteger(u) && u >= 0 && u < 2 ** 32)) expect.fail(`nextUint32() = ${u}`);
      }
      expect(Math.abs(sum / count - 0.5)).toBeLessThan(0.03); // sd ≈ 0.004
      for (const b of buckets) expect(Math.abs(b - count / 10)).toBeLessThan(150); // sd ≈ 21
    });
  });

  it('int(n) is a whole number in [0, n) and covers the range', () => {
    forCases(200, (rng) => {
      const n = rng.next() < 0.5 ? 1 + rng.int(20) : 1 + rng.int(100_000_000);
      const seen = new Set<number>();
      for (let i = 0; i < 500; i++) {
        const k = rng.int(n);
        if (!(Number.isInteger(k) && k >= 0 && k < n)) expect.fail(`int(${n}) = ${k}`);
        seen.add(k);
      }
      if (n <= 20) expect(seen.size).toBe(n); // 500 draws hit every value of a small range
    });
    const r = createRng(BASE_SEED);
    for (let i = 0; i < 100; i++) expect(r.int(1)).toBe(0);
  });

  it('normal() has mean ≈ 0 and variance ≈ 1 over 20k draws', () => {
    forCases(5, (rng) => {
      const count = 20_000;
      let s = 0;
      let s2 = 0;
      for (let i = 0; i < count; i++) {
        const z = rng.normal();
        if (!Number.isFinite(z)) expect.fail(`normal() = ${z}`);
        s += z;
        s2 += z * z;
      }
      const mean = s / count;
      const variance = s2 / count - mean * mean;
      expect(Math.abs(mean)).toBeLessThan(0.05); // sd of the mean ≈ 0.007
      expect(Math.abs(variance - 1)).toBeLessThan(0.1); // sd of the variance ≈ 0.01
    });
  });
});

describe('permutation / shuffleInPlace', () => {
  it('produces a seeded permutation of 0..n-1', () => {
    forCases(100, (rng, seed) => {
      const n = rng.int(2000);
      const p = permutation(n, createRng(seed));
      expect(p.length).toBe(n);
      expect(Array.from(p).sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i));
      expect(Array.from(permutation(n, createRng(seed)))).toEqual(Array.from(p));
    });
  });

  it('keeps the multiset of values', () => {
    forCases(100, (rng) => {
      const n = rng.int(500);
      const a = Array.from({ length: n }, () => rng.int(10));
      const b = shuffleInPlace([...a], rng);
      expect([...b].sort()).toEqual([...a].sort());
    });
  });
});
