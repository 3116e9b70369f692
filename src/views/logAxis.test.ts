import { describe, expect, it } from 'vitest';
import { logFloor, logHistogram, logMagnitude } from './logAxis.ts';
import { levelSet } from '../inq/levels.ts';

describe('log-magnitude axis', () => {
  it('puts the power-of-two levels ±2^n2 … ±2^n1 at ±1 … ±(n1 − n2 + 1), evenly spaced, and 0 at 0', () => {
    const ls = levelSet(5, 0.7);
    const f = logFloor(ls.levels);
    expect(f).toBe(2 ** (ls.n2 - 1));
    const us = Array.from(ls.levels).map((l) => logMagnitude(l, f)).sort((a, b) => a - b);
    const K = ls.n1 - ls.n2 + 1;
    expect(us).toEqual([...Array.from({ length: K }, (_, k) => -(K - k)), 0, ...Array.from({ length: K }, (_, k) => k + 1)]);
  });

  it('is odd and increasing above the floor, and 0 below it', () => {
    const f = 2 ** -9;
    for (let t = 0; t < 200; t++) {
      const a = Math.exp(-12 + 12 * Math.random());
      const b = a * (1 + Math.random());
      if (a >= f) expect(logMagnitude(-a, f)).toBeCloseTo(-logMagnitude(a, f), 12);
      else expect(logMagnitude(a, f)).toBe(0);
      if (a >= f) expect(logMagnitude(b, f)).toBeGreaterThan(logMagnitude(a, f));
    }
  });

  it('bins only the free weights and counts each once, out-of-range ones in the end bins', () => {
    const n = 500;
    const w = Float32Array.from({ length: n }, () => (Math.random() - 0.5) * 2);
    const frozen = Uint8Array.from({ length: n }, () => (Math.random() < 0.3 ? 2 : 0));
    const f = 2 ** -8;
    const counts = logHistogram(w, frozen, f, 4, 16);
    expect(counts.reduce((a, c) => a + c, 0)).toBe(frozen.filter((r) => r === 0).length);
    // A naive count of one bin agrees.
    const k = 12;
    let want = 0;
    for (let i = 0; i < n; i++) {
      if (frozen[i]) continue;
      const u = logMagnitude(w[i], f);
      const b = Math.min(15, Math.max(0, Math.floor(((u + 4) / 8) * 16)));
      if (b === k) want++;
    }
    expect(counts[k]).toBe(want);
  });
});
