/**
 * The log-magnitude axis of the weight histograms: u = sign(w) · log2(|w| / f), with f half the
 * smallest non-zero level, and u = 0 below f (the weights that snap to zero). On it the power-of-two
 * levels ±2^n2 … ±2^n1 sit at ±1 … ±(n1 − n2 + 1), evenly spaced, where a linear axis bunches the
 * small ones around zero (pure, cheap).
 */

/** Half the smallest non-zero |level|: the floor of the log axis. */
export function logFloor(levels: ArrayLike<number>): number {
  let min = Infinity;
  for (let i = 0; i < levels.length; i++) {
    const a = Math.abs(levels[i]);
    if (a > 0 && a < min) min = a;
  }
  return Number.isFinite(min) ? min / 2 : 1;
}

/** A weight's place on the log-magnitude axis. */
export function logMagnitude(w: number, floor: number): number {
  const a = Math.abs(w);
  if (!(a >= floor)) return 0;
  return Math.sign(w) * Math.log2(a / floor);
}

/**
 * The free weights (frozenRound 0) binned on the log axis over [−m, m], `bins` equal bins; the
 * weights below the floor fall in the bin holding 0.
 */
export function logHistogram(weights: Float32Array, frozenRound: Uint8Array, floor: number, m: number, bins: number): Uint32Array {
  const counts = new Uint32Array(bins);
  for (let i = 0; i < weights.length; i++) {
    if (frozenRound[i]) continue;
    const u = logMagnitude(weights[i], floor);
    const k = Math.floor(((u + m) / (2 * m)) * bins);
    counts[Math.min(bins - 1, Math.max(0, k))]++;
  }
  return counts;
}
