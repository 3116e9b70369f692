/** Histogram binning for the views: free weights as bars, frozen ones as spikes at their levels. */

/** Counts per bin over [min, max]. */
export interface Histogram {
  min: number;
  max: number;
  counts: Uint32Array;
}

/** Bins `values` (only where `mask[i] === want`, when a mask is given) into `bins` equal bins over [min, max]. */
export function histogram(
  values: ArrayLike<number>,
  bins: number,
  range?: { min: number; max: number },
  mask?: { mask: Uint8Array; want: 0 | 1 },
): Histogram {
  if (!Number.isInteger(bins) || bins < 1) throw new RangeError(`bins must be a positive whole number (got ${bins})`);
  let min = range?.min ?? Infinity;
  let max = range?.max ?? -Infinity;
  const selected = (i: number): boolean => !mask || (mask.mask[i] ? 1 : 0) === mask.want;
  if (!range) {
    for (let i = 0; i < values.length; i++) {
      if (!selected(i)) continue;
      const v = values[i];
      if (v < min) min = v;
      if (v > max) max = v;
    }
    if (min > max) {
      min = 0;
      max = 0;
    }
  }
  const counts = new Uint32Array(bins);
  const width = max - min;
  for (let i = 0; i < values.length; i++) {
    if (!selected(i)) continue;
    const v = values[i];
    if (v < min || v > max || v !== v) continue;
    const k = width > 0 ? Math.min(bins - 1, Math.floor(((v - min) / width) * bins)) : 0;
    counts[k]++;
  }
  return { min, max, counts };
}

/** Counts of each level among the selected values (frozen weights sit exactly on levels). */
export function levelCounts(values: ArrayLike<number>, levels: Float32Array, mask?: { mask: Uint8Array; want: 0 | 1 }): Uint32Array {
  const index = new Map<number, number>();
  levels.forEach((l, k) => index.set(l, k));
  const counts = new Uint32Array(levels.length);
  for (let i = 0; i < values.length; i++) {
    if (mask && (mask.mask[i] ? 1 : 0) !== mask.want) continue;
    const k = index.get(values[i]);
    if (k !== undefined) counts[k]++;
  }
  return counts;
}
