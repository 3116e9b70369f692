import { describe, expect, it } from 'vitest';
import { comparePaired, describeComparison, logBinomialHalfCdf, mcnemarExact, meanInterval, pairedDifferenceInterval, pairedTable, studentTCentral, tQuantile, wilsonInterval } from './stats.ts';

/** Chi-square(1) upper tail with continuity correction, for the large-count check: P(χ²₁ > x) = erfc(√(x/2)). */
function chiSquareCC(b: number, c: number): number {
  const x = (Math.abs(b - c) - 1) ** 2 / (b + c);
  return 2 * normalUpper(Math.sqrt(x));
}
/** Upper normal tail by numerical integration (Simpson on [z, z + 12]): independent of the code under test. */
function normalUpper(z: number): number {
  const n = 20000;
  const h = 12 / n;
  let s = 0;
  for (let i = 0; i <= n; i++) {
    const x = z + i * h;
    const f = Math.exp(-x * x / 2) / Math.sqrt(2 * Math.PI);
    s += (i === 0 || i === n ? 1 : i % 2 ? 4 : 2) * f;
  }
  return (s * h) / 3;
}

describe('exact McNemar', () => {
  it('matches the exact binomial tails worked by hand', () => {
    // b=1, c=9: 2·(C(10,0)+C(10,1))/2^10 = 22/1024.
    expect(mcnemarExact(1, 9)).toBeCloseTo(22 / 1024, 15);
    expect(mcnemarExact(9, 1)).toBeCloseTo(22 / 1024, 15);
    // b=0, c=5: 2/32.
    expect(mcnemarExact(0, 5)).toBeCloseTo(0.0625, 15);
    // b=10, c=20: 2·Σ_{k≤10} C(30,k)/2^30 = 0.098737146705389 (exact rational, computed with Python's fractions).
    expect(mcnemarExact(10, 20)).toBeCloseTo(0.09873714670538902, 13);
    // Fagerland, Lydersen & Laake's Cavo et al. table (b=6, c=16): 0.0525.
    expect(mcnemarExact(6, 16)).toBeCloseTo(0.052478790283203125, 13);
  });
  it('is 1 with no or equal discordant counts, and refuses negative or fractional counts', () => {
    expect(mcnemarExact(0, 0)).toBe(1);
    expect(mcnemarExact(7, 7)).toBe(1);
    expect(() => mcnemarExact(-1, 3)).toThrow(/whole number/);
    expect(() => mcnemarExact(1.5, 3)).toThrow(/whole number/);
  });
  it('stays finite and accurate at 10,000 discordant images, where the chi-square approximation agrees', () => {
    // 2·P(X ≤ 4900), X ~ Bin(10000, 1/2) = 0.0465855277049 (exact rational, Python fractions).
    expect(mcnemarExact(4900, 5100)).toBeCloseTo(0.04658552770494739, 11);
    expect(Math.abs(mcnemarExact(4900, 5100) - chiSquareCC(4900, 5100))).toBeLessThan(1e-5);
    // Agresti's presidential-approval table (b=150, c=86): exact 3.7159e-5, continuity-corrected χ² 4.11e-5.
    expect(mcnemarExact(150, 86)).toBeCloseTo(3.715936139571442e-5, 17);
    expect(mcnemarExact(480, 520)).toBeCloseTo(0.21744829320414094, 12);
    expect(chiSquareCC(480, 520)).toBeCloseTo(0.21746822614353886, 6);
    // Far tail: nothing underflows to NaN.
    expect(mcnemarExact(0, 10000)).toBe(0); // 2·2^−10000 is below the smallest double
    expect(Number.isFinite(logBinomialHalfCdf(0, 10000))).toBe(true);
    expect(logBinomialHalfCdf(0, 10000)).toBeCloseTo(-10000 * Math.LN2, 8);
  });
});

describe('paired accuracy difference interval (Newcombe method 10)', () => {
  it('reproduces the published worked example', () => {
    // Fagerland, Lydersen & Laake, Statistical Analysis of Contingency Tables (2017), ch. 8: Cavo et al.
    // (2012), n11=59, n12=6, n21=16, n22=80: estimate −0.0621, Newcombe square-and-add 95 % CI −0.1186 to −0.0046.
    const [lo, hi] = pairedDifferenceInterval({ both: 59, onlyA: 6, onlyB: 16, neither: 80 });
    expect(lo).toBeCloseTo(-0.1186, 4);
    expect(hi).toBeCloseTo(-0.0046, 4);
  });
  it('agrees with the Wald interval at large counts', () => {
    // Agresti, Categorical Data Analysis, presidential approval (794, 150, 86, 570): 0.04, Wald 95 % CI (0.021, 0.059).
    const [lo, hi] = pairedDifferenceInterval({ both: 794, onlyA: 150, onlyB: 86, neither: 570 });
    expect(lo).toBeCloseTo(0.021, 3);
    expect(hi).toBeCloseTo(0.059, 3);
  });
  it('stays within [−1, 1] and contains the estimate at the extremes', () => {
    for (const t of [{ both: 0, onlyA: 10, onlyB: 0, neither: 0 }, { both: 10, onlyA: 0, onlyB: 0, neither: 0 }, { both: 0, onlyA: 0, onlyB: 0, neither: 3 }, { both: 9990, onlyA: 0, onlyB: 10, neither: 0 }]) {
      const n = t.both + t.onlyA + t.onlyB + t.neither;
      const d = (t.onlyA - t.onlyB) / n;
      const [lo, hi] = pairedDifferenceInterval(t);
      expect(lo).toBeGreaterThanOrEqual(-1);
      expect(hi).toBeLessThanOrEqual(1);
      expect(lo).toBeLessThanOrEqual(d + 1e-12);
      expect(hi).toBeGreaterThanOrEqual(d - 1e-12);
    }
  });
  it('Wilson interval of a proportion: 81/263 → (0.2553, 0.3662)', () => {
    // Newcombe (1998), independent-proportions paper, example 81/263: Wilson 0.2553 to 0.3662.
    const [lo, hi] = wilsonInterval(81, 263);
    expect(lo).toBeCloseTo(0.2553, 4);
    expect(hi).toBeCloseTo(0.3662, 4);
  });
});

describe('paired comparison of predictions', () => {
  it('counts the table per image and reports it', () => {
    const labels = [0, 1, 2, 3, 4, 5];
    const a = [0, 1, 2, 9, 9, 5]; // right on 0,1,2,5
    const b = [0, 9, 2, 3, 9, 9]; // right on 0,2,3
    expect(pairedTable(a, b, labels)).toEqual({ both: 2, onlyA: 2, onlyB: 1, neither: 1 });
    const r = comparePaired(a, b, labels);
    expect(r.testSize).toBe(6);
    expect(r.accuracyA).toBeCloseTo(4 / 6, 15);
    expect(r.accuracyB).toBeCloseTo(3 / 6, 15);
    expect(r.diff).toBeCloseTo(1 / 6, 15);
    expect(r.discordant).toEqual([2, 1]);
    expect(r.pValue).toBe(1);
    expect(describeComparison(r)).toMatch(/not distinguishable from noise on these 6 test images/);
    expect(() => pairedTable([1], [1, 2], [1, 2])).toThrow(/same images/);
  });
  it('calls a clear difference distinguishable', () => {
    const labels = new Array<number>(1000).fill(1);
    const a = labels.map((_, i) => (i < 40 ? 0 : 1)); // 40 wrong
    const b = labels.map((_, i) => (i < 10 ? 0 : 1)); // 10 wrong, all also wrong for A
    const r = comparePaired(a, b, labels);
    expect(r.discordant).toEqual([0, 30]);
    expect(r.pValue).toBeLessThan(1e-8);
    expect(describeComparison(r)).toMatch(/distinguishable from noise on these 1000/);
    expect(describeComparison(r)).not.toMatch(/not distinguishable/);
  });
});

describe('t interval for the mean of seeds', () => {
  it('t quantiles match the tables', () => {
    // Two-sided 95 % (0.975 one-sided) quantiles, to the digits printed in standard tables.
    const table: [number, number][] = [[1, 12.706204736174694], [2, 4.302652729749462], [3, 3.1824463052837078], [4, 2.7764451051977934], [9, 2.262157162798205], [29, 2.045229642132703], [100, 1.9839715185235518], [1000, 1.9623390808264083]];
    for (const [nu, t] of table) expect(tQuantile(0.95, nu)).toBeCloseTo(t, 9);
    expect(studentTCentral(1, 1)).toBeCloseTo(0.5, 14); // Cauchy: P(|T| ≤ 1) = 1/2
    expect(studentTCentral(0, 5)).toBe(0);
  });
  it('mean ± t·s/√N', () => {
    const r = meanInterval([0.981, 0.984, 0.979]);
    expect(r.mean).toBeCloseTo(0.9813333333333333, 14);
    expect(r.interval?.[0]).toBeCloseTo(0.9750817238539575, 10);
    expect(r.interval?.[1]).toBeCloseTo(0.987584942812709, 10);
    expect(meanInterval([0.5]).interval).toBeNull();
    // Two seeds at 98.4 % and 97.9 %: t(0.975, 1) = 12.7 makes the upper end 101.3 %; clipped to 1.
    expect(meanInterval([0.984, 0.979]).interval?.[1]).toBeGreaterThan(1);
    expect(meanInterval([0.984, 0.979], [0, 1]).interval?.[1]).toBe(1);
    expect(meanInterval([0.984, 0.979], [0, 1]).interval?.[0]).toBeCloseTo(meanInterval([0.984, 0.979]).interval?.[0] ?? NaN, 15);
    expect(meanInterval([0.9, 0.9]).interval).toEqual([0.9, 0.9]);
    expect(() => meanInterval([])).toThrow(/no values/);
  });
});
