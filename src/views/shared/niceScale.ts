/** Axis helpers shared by the charts: "nice" round maxima (histogram axes) and padded percent ranges (line charts). */

/** Smallest "nice" number (1, 2, 2.5, 5 × 10^k) at or above v. */
export function niceCeil(v: number): number {
  if (!(v > 0)) return 1;
  const e = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * e >= v - 1e-12 * e) return m * e;
  return 10 * e;
}

/**
 * A y range in percent covering every finite value, padded by `padFraction` of their spread (at least
 * half a point), on whole numbers, within 0–100; 0–100 when there is nothing to show.
 */
export function paddedPercentDomain(values: readonly number[], padFraction = 0.15): [number, number] {
  const v = values.filter(Number.isFinite);
  if (v.length === 0) return [0, 100];
  const lo = Math.min(...v);
  const hi = Math.max(...v);
  const pad = Math.max(0.5, (hi - lo) * padFraction);
  return [Math.max(0, Math.floor(lo - pad)), Math.min(100, Math.ceil(hi + pad))];
}

/** About `max` whole-number ticks from 1 to `last` (rounds, epochs, ensemble sizes). */
export function wholeTicks(last: number, max = 12, first = 1): number[] {
  const step = Math.max(1, Math.ceil((last - first + 1) / max));
  const t: number[] = [];
  for (let k = first; k <= last; k += step) t.push(k);
  return t;
}
