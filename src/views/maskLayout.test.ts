import { describe, expect, it } from 'vitest';
import { maskLayout } from './maskLayout.ts';
import { niceCeil, niceTicks, paddedPercentDomain, wholeTicks } from './shared/niceScale.ts';
import { createRng } from '../inq/rng.ts';

describe('maskLayout', () => {
  it.each([[[5, 5, 1, 6]], [[5, 5, 6, 16]], [[3, 3, 7, 5]], [[400, 120]], [[84, 10]], [[7]], [[2, 3, 4]]])('places every weight of %j exactly once', (shape) => {
    const n = shape.reduce((a, b) => a * b, 1);
    const l = maskLayout(shape);
    expect(l.indexAt.length).toBe(l.width * l.height);
    const seen = new Uint8Array(n);
    let outside = 0;
    let twice = 0;
    for (const i of l.indexAt) {
      if (i < 0) continue;
      if (i >= n) outside++;
      else if (seen[i]++) twice++;
    }
    expect({ outside, twice, missing: seen.filter((s) => s === 0).length }).toEqual({ outside: 0, twice: 0, missing: 0 });
  });

  it('tiles conv kernels by output channel and names a weight by its kernel position', () => {
    const [kh, kw, cin, cout] = [5, 5, 6, 16];
    const l = maskLayout([kh, kw, cin, cout]);
    const i = ((2 * kw + 3) * cin + 4) * cout + 7; // row 2, col 3, in 4, out 7
    expect(l.describe(i)).toBe('kernel row 2, col 3 · in-channel 4 → out-channel 7');
    // Weight (0, 0, in 0) of output 0 sits in the top-left pixel.
    expect(l.indexAt[0]).toBe(0);
  });

  it('names dense weights by input and output', () => {
    expect(maskLayout([400, 120]).describe(5 * 120 + 9)).toBe('input 5 → output 9');
  });
});

describe('niceTicks', () => {
  it('covers random values of either sign with evenly spaced nice ticks, about 4 steps', () => {
    const rng = createRng(12);
    for (let t = 0; t < 300; t++) {
      const n = 1 + rng.int(20);
      const values = Array.from({ length: n }, () => (rng.next() - 0.7) * 10 ** (rng.int(4) - 1));
      const ticks = niceTicks(values);
      const step = ticks[1] - ticks[0];
      expect(ticks[0]).toBeLessThanOrEqual(Math.min(...values));
      expect(ticks[ticks.length - 1]).toBeGreaterThanOrEqual(Math.max(...values));
      expect(niceCeil(step * (1 - 1e-9))).toBeCloseTo(step, 9);
      for (let k = 1; k < ticks.length; k++) expect(ticks[k] - ticks[k - 1]).toBeCloseTo(step, 9);
      expect(ticks.length).toBeGreaterThanOrEqual(2);
      expect(ticks.length).toBeLessThanOrEqual(7);
    }
    expect(niceTicks([-7.3, 0, 0.2])).toEqual([-10, -7.5, -5, -2.5, 0, 2.5]);
    expect(niceTicks([-2.35, -0.13, 0])).toEqual([-3, -2, -1, 0, 1]);
    expect(niceTicks([])).toEqual([-1, 0, 1]);
    expect(niceTicks([0, 0])).toEqual([0, 0.2]);
  });
});

describe('niceScale', () => {
  it('rounds up to 1, 2, 2.5 or 5 × 10^k', () => {
    expect([0.7, 1, 1.2, 2.2, 4, 6, 4500].map(niceCeil)).toEqual([1, 1, 2, 2.5, 5, 10, 5000]);
  });
  it('pads a percent range to whole numbers inside 0–100', () => {
    expect(paddedPercentDomain([97.2, 98.4])).toEqual([96, 99]);
    expect(paddedPercentDomain([99.9])).toEqual([99, 100]);
    expect(paddedPercentDomain([NaN])).toEqual([0, 100]);
  });
  it('gives whole-number ticks, at most about `max` of them', () => {
    expect(wholeTicks(4)).toEqual([1, 2, 3, 4]);
    expect(wholeTicks(30, 10)).toEqual([1, 4, 7, 10, 13, 16, 19, 22, 25, 28]);
    expect(wholeTicks(8, 12, 2)).toEqual([2, 3, 4, 5, 6, 7, 8]);
  });
});
