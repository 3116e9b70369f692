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

/**
 * Ticks a nice step apart (1, 2, 2.5, 5 × 10^k) from at or below the smallest finite value to at or
 * above the largest, padded by `padFraction` of their spread, about `target` steps over at least
 * `minSpan`: an axis that
 * reads +1, 0, −1, … rather than +1.25, −4, −7. Spans signs (differences in points).
 */
export function niceTicks(values: readonly number[], target = 4, padFraction = 0.05, minSpan = 0.5): number[] {
  const v = values.filter(Number.isFinite);
  if (v.length === 0) return [-1, 0, 1];
  const pad = (Math.max(...v) - Math.min(...v)) * padFraction;
  const lo = Math.min(...v) - pad;
  const hi = Math.max(...v) + pad;
  const step = niceCeil(Math.max(hi - lo, minSpan) / target);
  const first = Math.floor(lo / step + 1e-9);
  const last = Math.max(first + 1, Math.ceil(hi / step - 1e-9));
  const ticks: number[] = [];
  // Whole multiples of the step, rounded so 0.1 × 3 prints as 0.3.
  for (let k = first; k <= last; k++) ticks.push(Number((k * step).toPrecision(12)));
  return ticks;
}

/** About `max` whole-number ticks from 1 to `last` (rounds, epochs, ensemble sizes). */
export function wholeTicks(last: number, max = 12, first = 1): number[] {
  const step = Math.max(1, Math.ceil((last - first + 1) / max));
  const t: number[] = [];
  for (let k = first; k <= last; k += step) t.push(k);
  return t;
}
