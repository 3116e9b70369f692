import { describe, expect, it } from 'vitest';
import { isLevel, levelSet, levelSetOf, MAX_BITS, MIN_BITS, uniformLevelSet } from './levels.ts';
import { quantizeAll, quantizeInto, quantizeValue } from './quantize.ts';
import { packLevels } from './codec.ts';

describe('uniform levels', () => {
  it('have the pow2 set’s count and top level at every bit-width, evenly spaced', () => {
    for (let b = MIN_BITS; b <= MAX_BITS; b++) {
      for (const s of [0.37, 1, 3.9e-3]) {
        const p = levelSet(b, s);
        const u = uniformLevelSet(b, s);
        expect(u.kind).toBe('uniform');
        expect(u.levels.length).toBe(p.levels.length);
        expect(u.levels.length).toBe(2 ** (b - 1) + 1);
        expect(u.levels[u.levels.length - 1]).toBe(2 ** p.n1);
        expect(u.levels[0]).toBe(-(2 ** p.n1));
        expect(u.n1).toBe(p.n1);
        const step = u.levels[1] - u.levels[0];
        expect(step).toBe(2 ** u.n2);
        for (let i = 1; i < u.levels.length; i++) expect(u.levels[i] - u.levels[i - 1]).toBe(step);
        expect(u.levels[(u.levels.length - 1) / 2]).toBe(0);
      }
    }
  });
  it('coincide with the pow2 set, levels and snapping, at 2 and 3 bits, and differ from 4 bits on', () => {
    const w = new Float32Array(4001);
    for (let i = 0; i < w.length; i++) w[i] = Math.fround(-0.8 + (1.6 * i) / (w.length - 1));
    for (const b of [2, 3]) {
      expect(Array.from(uniformLevelSet(b, 0.5).levels)).toEqual(Array.from(levelSet(b, 0.5).levels));
      expect(Array.from(quantizeAll(w, uniformLevelSet(b, 0.5)))).toEqual(Array.from(quantizeAll(w, levelSet(b, 0.5))));
    }
    for (let b = 4; b <= MAX_BITS; b++) expect(Array.from(uniformLevelSet(b, 0.5).levels)).not.toEqual(Array.from(levelSet(b, 0.5).levels));
  });
  it('snap to the nearest level: just below each midpoint down, at and above it up (away from zero), clamped at the top', () => {
    for (let b = MIN_BITS; b <= MAX_BITS; b++) {
      const u = levelSetOf('uniform', b, 0.8);
      const L = u.levels;
      for (let i = 0; i + 1 < L.length; i++) {
        const mid = (L[i] + L[i + 1]) / 2; // exact: the step is a power of two
        const below = Math.fround(mid - Math.abs(mid) * 2 ** -20 - 2 ** (u.n2 - 24));
        const above = Math.fround(mid + Math.abs(mid) * 2 ** -20 + 2 ** (u.n2 - 24));
        expect(quantizeValue(below, u)).toBe(L[i]);
        expect(quantizeValue(above, u)).toBe(L[i + 1]);
        // The midpoint itself goes away from zero (to the larger magnitude).
        const away = Math.abs(L[i]) > Math.abs(L[i + 1]) ? L[i] : L[i + 1];
        expect(quantizeValue(mid, u)).toBe(away);
      }
      const top = L[L.length - 1];
      expect(quantizeValue(top * 3, u)).toBe(top);
      expect(quantizeValue(-top * 3, u)).toBe(-top);
    }
  });
  it('quantizeInto (all, and only the listed indices) agrees with quantizeValue, and every result is a level', () => {
    const u = uniformLevelSet(4, 0.6);
    const w = new Float32Array(2001);
    for (let i = 0; i < w.length; i++) w[i] = Math.fround(-0.9 + (1.8 * i) / (w.length - 1));
    const all = quantizeAll(w, u);
    for (let i = 0; i < w.length; i++) {
      expect(all[i]).toBe(Math.fround(quantizeValue(w[i], u)));
      expect(isLevel(all[i], u)).toBe(true);
    }
    const out = Float32Array.from(w);
    quantizeInto(w, u, out, [3, 1000]);
    expect(out[3]).toBe(all[3]);
    expect(out[1000]).toBe(all[1000]);
    expect(out[4]).toBe(w[4]);
    expect(() => quantizeAll(Float32Array.of(NaN), u)).toThrow(/non-finite/);
  });
  it('isLevel knows the grid from the pow2 set', () => {
    const u = uniformLevelSet(3, 1); // n1 = 0: levels −1, −0.5, 0, 0.5, 1
    expect(Array.from(u.levels)).toEqual([-1, -0.5, 0, 0.5, 1]);
    expect(isLevel(0.5, u)).toBe(true);
    expect(isLevel(0.25, u)).toBe(false);
    const u5 = uniformLevelSet(5, 1); // step 1/8: 0.375 is a level, not a power of two
    expect(isLevel(0.375, u5)).toBe(true);
    expect(isLevel(0.375, levelSet(5, 1))).toBe(false);
  });
  it('cannot be packed: the codes are power-of-two exponents', () => {
    const u = uniformLevelSet(5, 1);
    expect(() => packLevels(Float32Array.of(0.375), u)).toThrow(/power-of-two levels/);
  });
});
