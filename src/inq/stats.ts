/**
 * Statistics for comparing runs: an exact McNemar test and an interval for a paired accuracy
 * difference (two models scored on the same test images), and a t interval for the mean of a few
 * seeds' accuracies. Pure arithmetic on numbers; no tfjs.
 */

/** z such that P(|Z| ≤ z) = 0.95 for a standard normal Z. */
export const Z_95 = 1.959963984540054;

/** log(exp(a) + exp(b)) without overflow or underflow. */
function logAddExp(a: number, b: number): number {
  if (a === -Infinity) return b;
  if (b === -Infinity) return a;
  const m = Math.max(a, b);
  return m + Math.log1p(Math.exp(-Math.abs(a - b)));
}

/**
 * log P(X ≤ k) for X ~ Binomial(n, 1/2), summed in log space: the terms C(n, i)/2^n underflow a
 * double for n past ~1,075, and a test set of 10,000 images can have thousands of discordant pairs.
 */
export function logBinomialHalfCdf(k: number, n: number): number {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`n must be a whole number ≥ 0 (got ${n})`);
  if (k < 0) return -Infinity;
  if (k >= n) return 0;
  let term = -n * Math.LN2; // log C(n,0)/2^n
  let sum = term;
  for (let i = 1; i <= k; i++) {
    term += Math.log((n - i + 1) / i); // C(n,i) = C(n,i−1)·(n−i+1)/i
    sum = logAddExp(sum, term);
  }
  return sum;
}

/**
 * Exact two-sided McNemar p-value from the discordant counts: b images only A got right, c only B.
 * Under "no difference" each discordant image is a fair coin, so p = min(1, 2·P(X ≤ min(b, c))),
 * X ~ Binomial(b + c, 1/2). No discordant image gives p = 1.
 */
export function mcnemarExact(b: number, c: number): number {
  for (const [v, name] of [[b, 'b'], [c, 'c']] as const) {
    if (!Number.isInteger(v) || v < 0) throw new RangeError(`discordant count ${name} must be a whole number ≥ 0 (got ${v})`);
  }
  const n = b + c;
  if (n === 0) return 1;
  return Math.min(1, 2 * Math.exp(logBinomialHalfCdf(Math.min(b, c), n)));
}

/** Wilson score interval for a proportion x/n. */
export function wilsonInterval(x: number, n: number, z = Z_95): [number, number] {
  if (!(n > 0)) throw new RangeError(`n must be positive (got ${n})`);
  const p = x / n;
  const z2 = z * z;
  const denom = 1 + z2 / n;
  const mid = (p + z2 / (2 * n)) / denom;
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / denom;
  return [Math.max(0, mid - half), Math.min(1, mid + half)];
}

/** The paired 2×2 table of two classifiers on the same n images. */
export interface PairedTable {
  /** Both right. */
  both: number;
  /** Only A right (b). */
  onlyA: number;
  /** Only B right (c). */
  onlyB: number;
  /** Both wrong. */
  neither: number;
}

/**
 * 95 % interval for accA − accB from paired data: Newcombe's square-and-add (hybrid score) method 10
 * (Newcombe, Stat Med 1998;17:2635–50): each accuracy's Wilson interval, combined with the
 * correlation between the two accuracies, estimated with Newcombe's continuity correction (φ set to 0
 * when 0 ≤ ad − bc ≤ n/2, reduced by n/2 above that). It stays inside [−1, 1] and behaves with few
 * discordant images, where the Wald interval does not.
 */
export function pairedDifferenceInterval(t: PairedTable, z = Z_95): [number, number] {
  const { both: a, onlyA: b, onlyB: c, neither: d } = t;
  const n = a + b + c + d;
  if (!(n > 0)) throw new RangeError('a paired comparison needs at least one image');
  const p1 = (a + b) / n;
  const p2 = (a + c) / n;
  const [l1, u1] = wilsonInterval(a + b, n, z);
  const [l2, u2] = wilsonInterval(a + c, n, z);
  const margins = (a + b) * (c + d) * (a + c) * (b + d);
  const cross = a * d - b * c;
  let phi = 0;
  if (margins > 0) {
    if (cross > n / 2) phi = (cross - n / 2) / Math.sqrt(margins);
    else if (cross < 0) phi = cross / Math.sqrt(margins);
  }
  const theta = p1 - p2;
  const lower = theta - Math.sqrt(Math.max(0, (p1 - l1) ** 2 - 2 * phi * (p1 - l1) * (u2 - p2) + (u2 - p2) ** 2));
  const upper = theta + Math.sqrt(Math.max(0, (u1 - p1) ** 2 - 2 * phi * (u1 - p1) * (p2 - l2) + (p2 - l2) ** 2));
  return [Math.max(-1, lower), Math.min(1, upper)];
}

/** Counts the paired table from two prediction lists and the true labels (same images, same order). */
export function pairedTable(predA: ArrayLike<number>, predB: ArrayLike<number>, labels: ArrayLike<number>): PairedTable {
  if (predA.length !== labels.length || predB.length !== labels.length) {
    throw new RangeError(`predictions (${predA.length} and ${predB.length}) and labels (${labels.length}) must cover the same images`);
  }
  const t: PairedTable = { both: 0, onlyA: 0, onlyB: 0, neither: 0 };
  for (let i = 0; i < labels.length; i++) {
    const ra = predA[i] === labels[i];
    const rb = predB[i] === labels[i];
    if (ra && rb) t.both++;
    else if (ra) t.onlyA++;
    else if (rb) t.onlyB++;
    else t.neither++;
  }
  return t;
}

/** What `inq compare` reports for two runs scored on the same images. */
export interface PairedComparison {
  testSize: number;
  accuracyA: number;
  accuracyB: number;
  /** accuracyA − accuracyB. */
  diff: number;
  /** 95 % interval for diff (Newcombe's method 10). */
  interval: [number, number];
  /** [b, c]: images only A got right, images only B got right. */
  discordant: [number, number];
  /** Exact two-sided McNemar p-value. */
  pValue: number;
}

/** The paired comparison of two classifiers' predictions on the same labelled images. */
export function comparePaired(predA: ArrayLike<number>, predB: ArrayLike<number>, labels: ArrayLike<number>): PairedComparison {
  const t = pairedTable(predA, predB, labels);
  const n = labels.length;
  return {
    testSize: n,
    accuracyA: (t.both + t.onlyA) / n,
    accuracyB: (t.both + t.onlyB) / n,
    diff: (t.onlyA - t.onlyB) / n,
    interval: pairedDifferenceInterval(t),
    discordant: [t.onlyA, t.onlyB],
    pValue: mcnemarExact(t.onlyA, t.onlyB),
  };
}

/** One sentence: is the difference distinguishable from the noise of this test set? (5 % level.) */
export function describeComparison(r: PairedComparison): string {
  const pts = (x: number): string => `${(x * 100).toFixed(2)} points`;
  const p = r.pValue < 1e-4 ? r.pValue.toExponential(1) : r.pValue.toPrecision(2);
  const [b, c] = r.discordant;
  const span = `95 % interval ${pts(r.interval[0])} to ${pts(r.interval[1])}`;
  if (r.pValue < 0.05) {
    return `A and B differ by ${pts(r.diff)} (${span}); with ${b} images only A got right and ${c} only B, McNemar's exact p = ${p}: the difference is distinguishable from noise on these ${r.testSize} test images.`;
  }
  return `A and B differ by ${pts(r.diff)} (${span}); with ${b} images only A got right and ${c} only B, McNemar's exact p = ${p}: not distinguishable from noise on these ${r.testSize} test images.`;
}

/**
 * P(|T| ≤ t) for Student's t with ν whole degrees of freedom, from the closed-form finite series
 * (Abramowitz & Stegun 26.7.3–4) in θ = atan(t/√ν).
 */
export function studentTCentral(t: number, nu: number): number {
  if (!Number.isInteger(nu) || nu < 1) throw new RangeError(`degrees of freedom must be a whole number ≥ 1 (got ${nu})`);
  const x = Math.abs(t);
  if (x === Infinity) return 1;
  const theta = Math.atan(x / Math.sqrt(nu));
  const s = Math.sin(theta);
  const c2 = Math.cos(theta) ** 2;
  if (nu % 2 === 0) {
    // sinθ·(1 + ½cos²θ + (1·3)/(2·4)cos⁴θ + … up to cos^(ν−2)θ)
    let term = 1;
    let sum = 1;
    for (let k = 2; k <= nu - 2; k += 2) {
      term *= ((k - 1) / k) * c2;
      sum += term;
    }
    return s * sum;
  }
  // (2/π)(θ + sinθcosθ·(1 + (2/3)cos²θ + (2·4)/(3·5)cos⁴θ + … up to cos^(ν−3)θ)), ν > 1
  if (nu === 1) return (2 * theta) / Math.PI;
  let term = 1;
  let sum = 1;
  for (let k = 2; k <= nu - 3; k += 2) {
    term *= (k / (k + 1)) * c2;
    sum += term;
  }
  return (2 / Math.PI) * (theta + s * Math.cos(theta) * sum);
}

/** The two-sided t quantile: the t with P(|T| ≤ t) = level for ν degrees of freedom (bisection, to ~1e-12). */
export function tQuantile(level: number, nu: number): number {
  if (!(level > 0 && level < 1)) throw new RangeError(`level must be in (0, 1) (got ${level})`);
  let lo = 0;
  let hi = 1;
  while (studentTCentral(hi, nu) < level) hi *= 2;
  for (let i = 0; i < 200 && hi - lo > 1e-13 * hi; i++) {
    const mid = (lo + hi) / 2;
    if (studentTCentral(mid, nu) < level) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/**
 * Mean of N values and its 95 % t interval (mean ± t(0.975, N−1)·s/√N), clipped to `bounds` when given
 * (accuracies: [0, 1], which two seeds' wide interval can overshoot); a single value has no interval.
 */
export function meanInterval(values: readonly number[], bounds?: [number, number]): { mean: number; sd: number; interval: [number, number] | null } {
  const n = values.length;
  if (n === 0) throw new RangeError('no values to average');
  for (const v of values) if (!Number.isFinite(v)) throw new RangeError(`not a finite number: ${v}`);
  const mean = values.reduce((a, v) => a + v, 0) / n;
  if (n === 1) return { mean, sd: 0, interval: null };
  const sd = Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1));
  const half = (tQuantile(0.95, n - 1) * sd) / Math.sqrt(n);
  const lo = bounds ? Math.max(bounds[0], mean - half) : mean - half;
  const hi = bounds ? Math.min(bounds[1], mean + half) : mean + half;
  return { mean, sd, interval: [lo, hi] };
}
