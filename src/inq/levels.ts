/** The power-of-two level set of one layer (INQ.md, "Level set"). */

/** Smallest and largest bit-width INQ supports here (b-2 exponent bits must be ≥ 0; 8 keeps codes in a byte). */
export const MIN_BITS = 2;
export const MAX_BITS = 8;

/** The kinds of level grid: INQ's powers of two, or a uniform grid with the same count and top level (a baseline). */
export const LEVEL_KINDS = ['pow2', 'uniform'] as const;
export type LevelKind = (typeof LEVEL_KINDS)[number];

/**
 * A layer's levels: P = {0} ∪ {±2^p : n2 ≤ p ≤ n1} (pow2, the default), or, with kind 'uniform',
 * {k·2^n2 : |k| ≤ 2^(b−2)}: as many levels, the same top level 2^n1, evenly spaced by 2^n2.
 */
export interface LevelSet {
  bits: number;
  n1: number;
  /** Exponent of the smallest non-zero magnitude: n1 + 1 − 2^(b−2) (pow2), or the grid step's n1 + 2 − b (uniform). */
  n2: number;
  /** Every level, ascending: -2^n1 … -2^n2, 0, 2^n2 … 2^n1. */
  levels: Float32Array;
  /** Absent means pow2: only pow2 sets can be packed, exported as C or run on the shift kernels. */
  kind?: LevelKind;
}

/** Throws a user-readable error unless `bits` is a whole number in [MIN_BITS, MAX_BITS]. */
export function validateBits(bits: number): void {
  if (!Number.isInteger(bits) || bits < MIN_BITS || bits > MAX_BITS) {
    // Callers may hand over anything parsed from outside: describe it without calling its toString.
    const got = typeof bits === 'number' ? String(bits) : typeof bits === 'string' ? JSON.stringify((bits as string).slice(0, 20)) : `a ${typeof bits}`;
    throw new RangeError(
      `bits must be a whole number from ${MIN_BITS} to ${MAX_BITS} (got ${got}): ` +
        'one bit marks zero, one is the sign, the rest index the exponent',
    );
  }
}

/** Largest |w| of an array, ignoring nothing: a NaN or ±Infinity weight is an error. */
export function maxAbs(weights: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < weights.length; i++) {
    const a = Math.abs(weights[i]);
    if (!(a <= Number.MAX_VALUE)) throw new RangeError(`weight ${i} is not a finite number (${weights[i]})`);
    if (a > m) m = a;
  }
  return m;
}

/** n1 = floor(log2(4s/3)), computed exactly: 0.75·2^n1 ≤ s < 0.75·2^(n1+1). */
export function computeN1(s: number): number {
  if (!(s > 0) || !Number.isFinite(s)) {
    throw new RangeError('the layer has no non-zero weight, so it has no power-of-two scale (max |w| must be > 0)');
  }
  let n1 = Math.floor(Math.log2((4 * s) / 3));
  // Math.log2 may be off by one ulp; the comparisons below are exact in float64.
  while (0.75 * 2 ** (n1 + 1) <= s) n1++;
  while (0.75 * 2 ** n1 > s) n1--;
  return n1;
}

/** Lowest exponent a level may have: 2^(n2-1), the zero threshold, must stay a normal float32. */
export const MIN_N2 = -125;
/** Highest exponent a level may have and still be a finite float32. */
export const MAX_N1 = 127;

/** The level set for a layer whose pre-trained max |w| is `s` (or with n1 given explicitly). */
export function levelSet(bits: number, s: number, n1Override?: number): LevelSet {
  validateBits(bits);
  const n1 = n1Override ?? computeN1(s);
  if (!Number.isInteger(n1)) throw new RangeError(`n1 must be a whole number (got ${n1})`);
  const n2 = n1 + 1 - 2 ** (bits - 2);
  if (n1 > MAX_N1) throw new RangeError(`n1 = ${n1} is too large: 2^${n1} overflows float32`);
  if (n2 < MIN_N2) {
    throw new RangeError(
      `the smallest level 2^${n2} (n1 = ${n1}, ${bits} bits) underflows float32; use fewer bits or larger weights`,
    );
  }
  const mags: number[] = [];
  for (let p = n2; p <= n1; p++) mags.push(2 ** p);
  const levels = new Float32Array(2 * mags.length + 1);
  let k = 0;
  for (let i = mags.length - 1; i >= 0; i--) levels[k++] = -mags[i];
  levels[k++] = 0;
  for (const m of mags) levels[k++] = m;
  return { bits, n1, n2, levels };
}

/**
 * The uniform grid with the pow2 set's count and top level: 2^(b−1) + 1 levels k·Δ, |k| ≤ K = 2^(b−2),
 * Δ = 2^n1 / K = 2^(n1+2−b). At 2 and 3 bits it is the pow2 set itself ({0, ±2^n1} and
 * {0, ±2^(n1−1), ±2^n1}, same midpoints); from 4 bits on the two differ.
 */
export function uniformLevelSet(bits: number, s: number, n1Override?: number): LevelSet {
  validateBits(bits);
  const n1 = n1Override ?? computeN1(s);
  if (!Number.isInteger(n1)) throw new RangeError(`n1 must be a whole number (got ${n1})`);
  if (n1 > MAX_N1) throw new RangeError(`n1 = ${n1} is too large: 2^${n1} overflows float32`);
  const n2 = n1 + 2 - bits;
  if (n2 - 1 < MIN_N2) throw new RangeError(`the grid step 2^${n2} (n1 = ${n1}, ${bits} bits) underflows float32; use larger weights`);
  const k = 2 ** (bits - 2);
  const levels = new Float32Array(2 * k + 1);
  for (let i = -k; i <= k; i++) levels[i + k] = i * 2 ** n2;
  return { bits, n1, n2, levels, kind: 'uniform' };
}

/** The level set of either kind for a layer whose pre-trained max |w| is `s`. */
export function levelSetOf(kind: LevelKind, bits: number, s: number, n1Override?: number): LevelSet {
  return kind === 'uniform' ? uniformLevelSet(bits, s, n1Override) : levelSet(bits, s, n1Override);
}

/** Throws a clear error for a uniform set where only powers of two work (packing, shift kernels, C export). */
export function requirePow2(set: LevelSet, what: string): void {
  if (set.kind === 'uniform') {
    throw new RangeError(`${what} needs power-of-two levels: a uniform-level model cannot be packed, exported as C or run on the shift kernels`);
  }
}

/** Whether `v` is exactly one of the set's levels. */
export function isLevel(v: number, set: LevelSet): boolean {
  if (v === 0) return true;
  if (set.kind === 'uniform') {
    const k = v / 2 ** set.n2;
    return Number.isInteger(k) && Math.abs(k) <= 2 ** (set.bits - 2);
  }
  const a = Math.abs(v);
  const p = Math.log2(a);
  return Number.isInteger(p) && p >= set.n2 && p <= set.n1 && 2 ** p === a;
}
