import { describe, expect, it } from 'vitest';
import { argmaxAccuracy, ensembleCurve, parseEnsembleSpec } from './ensemble.ts';
import { forCases } from '../testing/propertyCases.ts';

describe('ensembles', () => {
  it('argmax accuracy counts rows whose largest probability is the label', () => {
    const p = Float32Array.of(0.1, 0.9, 0.8, 0.2, 0.5, 0.5);
    expect(argmaxAccuracy(p, Uint8Array.of(1, 0, 1), 2)).toBeCloseTo(2 / 3, 12);
    expect(() => argmaxAccuracy(p, Uint8Array.of(1), 2)).toThrow(RangeError);
  });

  it('averaging can fix what every member gets wrong on its own, and one member is itself', () => {
    // Two classes, one image of class 0: member A says 0.4/0.6, member B 0.9/0.1 → average 0.65 for class 0.
    const a = Float32Array.of(0.4, 0.6);
    const b = Float32Array.of(0.9, 0.1);
    const curve = ensembleCurve([a, b], Uint8Array.of(0), 2);
    expect(curve.map((c) => c.accuracy)).toEqual([0, 1]);
    expect(curve[1].meanMemberAccuracy).toBe(0.5);
  });

  it('the ensemble of identical members equals the member (property)', () => {
    forCases(50, (rng) => {
      const n = 1 + rng.int(50);
      const c = 2 + rng.int(9);
      const p = Float32Array.from({ length: n * c }, () => rng.next());
      const labels = Uint8Array.from({ length: n }, () => rng.int(c));
      const curve = ensembleCurve([p, p, p], labels, c);
      for (const pt of curve) expect(pt.accuracy).toBe(argmaxAccuracy(p, labels, c));
    });
  });

  it('parses ensemble specs and refuses bad ones', () => {
    expect(parseEnsembleSpec('1..7')).toEqual({ max: 7, sizes: [1, 2, 3, 4, 5, 6, 7] });
    expect(parseEnsembleSpec('3')).toEqual({ max: 3, sizes: [1, 2, 3] });
    expect(parseEnsembleSpec('5,1,3')).toEqual({ max: 5, sizes: [1, 3, 5] });
    for (const bad of ['', '0', '7..1', 'x', '1..99', '1,,2']) expect(() => parseEnsembleSpec(bad)).toThrow(RangeError);
  });
});
