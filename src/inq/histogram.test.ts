import { describe, expect, it } from 'vitest';
import type { Rng } from './rng.ts';
import { histogram, levelCounts } from './histogram.ts';
import { MAX_BITS, MIN_BITS, levelSet, maxAbs } from './levels.ts';
import { quantizeAll } from './quantize.ts';
import { forCases } from '../testing/propertyCases.ts';


function sum(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i];
  return s;
}

function randomValues(rng: Rng, n: number): Float32Array {
  const v = new Float32Array(n);
  const scale = 2 ** (rng.next() * 20 - 10);
  const shift = rng.next() < 0.3 ? (rng.next() - 0.5) * 10 * scale : 0;
  for (let i = 0; i < n; i++) v[i] = rng.normal() * scale + shift;
  return v;
}

function randomMask(rng: Rng, n: number): Uint8Array {
  const m = new Uint8Array(n);
  const p = rng.next();
  for (let i = 0; i < n; i++) m[i] = rng.next() < p ? 1 : 0;
  return m;
}

describe('histogram', () => {
  it('counts sum to the number of selected values; the range is their min and max', () => {
    forCases(300, (rng) => {
      const n = rng.int(3000);
      const bins = 1 + rng.int(80);
      const v = randomValues(rng, n);
      const h = histogram(v, bins);
      expect(h.counts.length).toBe(bins);
      expect(sum(h.counts)).toBe(n);
      if (n > 0) {
        expect(h.min).toBe(Math.min(...v));
        expect(h.max).toBe(Math.max(...v));
      }
      // With a mask: each side counts only its own values, and the two sides add up to all.
      const mask = randomMask(rng, n);
      const frozenCount = sum(mask);
      const h1 = histogram(v, bins, undefined, { mask, want: 1 });
      const h0 = histogram(v, bins, undefined, { mask, want: 0 });
      expect(sum(h1.counts)).toBe(frozenCount);
      expect(sum(h0.counts)).toBe(n - frozenCount);
      const sel1 = Array.from(v).filter((_, i) => mask[i]);
      if (sel1.length > 0) {
        expect(h1.min).toBe(Math.min(...sel1));
        expect(h1.max).toBe(Math.max(...sel1));
      }
      // Mask entries other than 0/1 count as set.
      const mask2 = mask.map((m) => m * (1 + rng.int(200)));
      expect(Array.from(histogram(v, bins, undefined, { mask: mask2, want: 1 }).counts)).toEqual(Array.from(h1.counts));
    });
  });

  it('puts each value in the bin whose interval holds it (values at bin centres, and the ends)', () => {
    forCases(300, (rng) => {
      const bins = 1 + rng.int(50);
      const min = (rng.next() - 0.5) * 100;
      const max = min + 0.5 + rng.next() * 100;
      const width = (max - min) / bins;
      const want = new Uint32Array(bins);
      const values: number[] = [];
      for (let k = 0; k < 400; k++) {
        const b = rng.int(bins);
        values.push(min + (b + 0.5) * width);
        want[b]++;
      }
      values.push(min, max);
      want[0]++;
      want[bins - 1]++;
      // Outside the given range: ignored.
      values.push(min - 1, max + 1, Number.NaN);
      const h = histogram(values, bins, { min, max });
      expect(h.min).toBe(min);
      expect(h.max).toBe(max);
      expect(Array.from(h.counts)).toEqual(Array.from(want));
    });
  });

  it('with an explicit range, counts exactly the selected values inside it', () => {
    forCases(200, (rng) => {
      const n = rng.int(2000);
      const v = randomValues(rng, n);
      const lo = rng.normal();
      const hi = lo + Math.abs(rng.normal()) * 3;
      const mask = randomMask(rng, n);
      const want = rng.next() < 0.5 ? 0 : 1;
      const h = histogram(v, 1 + rng.int(40), { min: lo, max: hi }, { mask, want });
      let inside = 0;
      for (let i = 0; i < n; i++) if (mask[i] === want && v[i] >= lo && v[i] <= hi) inside++;
      expect(sum(h.counts)).toBe(inside);
    });
  });

  it('puts a constant input into one bin', () => {
    forCases(100, (rng) => {
      const n = 1 + rng.int(1000);
      const c = rng.normal() * 10;
      const h = histogram(new Float32Array(n).fill(c), 1 + rng.int(60));
      expect(h.min).toBe(h.max);
      expect(h.counts.filter((x) => x > 0).length).toBe(1);
      expect(sum(h.counts)).toBe(n);
    });
  });

  it('handles an empty selection and rejects a bad bin count', () => {
    const h = histogram([], 5);
    expect(h.min).toBe(0);
    expect(h.max).toBe(0);
    expect(sum(h.counts)).toBe(0);
    const none = histogram([1, 2, 3], 4, undefined, { mask: new Uint8Array(3), want: 1 });
    expect(sum(none.counts)).toBe(0);
    for (const bad of [0, -1, 2.5, Number.NaN]) expect(() => histogram([1], bad)).toThrow(RangeError);
  });
});

describe('levelCounts', () => {
  it('counts only exact levels among the selected values', () => {
    forCases(300, (rng) => {
      const bits = MIN_BITS + rng.int(MAX_BITS - MIN_BITS + 1);
      const n = 1 + rng.int(3000);
      const w = randomValues(rng, n);
      if (!(maxAbs(w) > 0)) w[0] = 1;
      const set = levelSet(bits, maxAbs(w));
      const q = quantizeAll(w, set);
      // Frozen weights sit on levels; free ones stay float (and are almost never levels).
      const mask = randomMask(rng, n);
      const mixed = new Float32Array(n);
      for (let i = 0; i < n; i++) mixed[i] = mask[i] ? q[i] : w[i];
      for (const sel of [undefined, { mask, want: 1 as const }, { mask, want: 0 as const }]) {
        const counts = levelCounts(mixed, set.levels, sel);
        expect(counts.length).toBe(set.levels.length);
        const ref = new Uint32Array(set.levels.length);
        let onLevel = 0;
        for (let i = 0; i < n; i++) {
          if (sel && (sel.mask[i] ? 1 : 0) !== sel.want) continue;
          const k = set.levels.indexOf(mixed[i]);
          if (k >= 0) {
            ref[k]++;
            onLevel++;
          }
        }
        expect(Array.from(counts)).toEqual(Array.from(ref));
        expect(sum(counts)).toBe(onLevel);
      }
      // All frozen (quantized) values are counted.
      expect(sum(levelCounts(mixed, set.levels, { mask, want: 1 }))).toBe(sum(mask));
      expect(sum(levelCounts(q, set.levels))).toBe(n);
    });
  });

  it('ignores values one ulp off a level and counts -0 as the zero level', () => {
    const set = levelSet(4, 1);
    const f = new Float32Array(1);
    const u = new Uint32Array(f.buffer);
    const values: number[] = [];
    for (const l of set.levels) {
      if (l === 0) continue;
      f[0] = l;
      u[0] += 1;
      values.push(f[0]);
    }
    expect(sum(levelCounts(values, set.levels))).toBe(0);
    const counts = levelCounts([-0, 0, 1e-30], set.levels);
    expect(counts[set.levels.indexOf(0)]).toBe(2);
    expect(sum(counts)).toBe(2);
  });
});
