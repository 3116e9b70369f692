/** Small formatting and derivation helpers shared by the views (pure, cheap). */
import type { LayerInfo } from '../engine/types.ts';
import { levelSet, type LevelSet } from '../inq/levels.ts';

/** A fraction as a percentage with `digits` decimals, e.g. 0.9912 → "99.1 %". */
export function pct(x: number, digits = 1): string {
  return `${(100 * x).toFixed(digits)} %`;
}

/** A difference of two accuracies (fractions) in percentage points with its sign, e.g. −0.0123 → "−1.23". */
export function signedPoints(diff: number, digits = 2): string {
  return `${diff >= 0 ? '+' : '−'}${Math.abs(100 * diff).toFixed(digits)}`;
}

/** " ± h" with h half an interval of accuracies (fractions) in points, e.g. [0.94, 0.96] → " ± 1.00"; "" without one. */
export function plusMinus(interval: readonly [number, number] | null): string {
  return interval ? ` ± ${((100 * (interval[1] - interval[0])) / 2).toFixed(2)}` : '';
}

/** Bytes as kilobytes (1 kB = 1000 B). */
export function kB(bytes: number): string {
  return `${(bytes / 1000).toFixed(bytes < 10_000 ? 2 : 1)} kB`;
}

/** Whole numbers with thousands separators. */
export function int(n: number): string {
  return n.toLocaleString('en-US');
}

/** The bit-width a layer was quantized with: n1 − n2 + 1 = 2^(b−2). */
export function bitsOf(info: LayerInfo): number {
  return Math.round(Math.log2(info.n1 - info.n2 + 1)) + 2;
}

/** The layer's level set with n1 fixed from the pre-trained weights, as the engine uses it. */
export function layerLevelSet(info: LayerInfo): LevelSet {
  return levelSet(bitsOf(info), info.preMaxAbs, info.n1);
}

/** A level as a power of two, e.g. -0.125 → "−2^-3". */
export function levelText(v: number): string {
  if (v === 0) return '0';
  const p = Math.round(Math.log2(Math.abs(v)));
  return `${v < 0 ? '−' : '+'}2^${p}`;
}
