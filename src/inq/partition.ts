/** Cumulative weight partition (INQ.md, "Partition"): which free weights join the frozen group. */
import type { LevelSet } from './levels.ts';
import { levelBits, quantizeBits, quantizeInto } from './quantize.ts';
import { createRng } from './rng.ts';

/** How newly frozen weights are chosen. */
export type PartitionStrategy = 'magnitude' | 'random';

/** The strategies the engine and the command line accept. */
export const PARTITION_STRATEGIES: readonly PartitionStrategy[] = ['magnitude', 'random'];

/** Number of weights frozen after a round with cumulative portion σ: round(σ·N). */
export function frozenTarget(portion: number, n: number): number {
  if (!(portion >= 0 && portion <= 1)) throw new RangeError(`portion must be in [0, 1] (got ${portion})`);
  return Math.round(portion * n);
}

/** Counts the set entries of a 0/1 mask. */
export function countFrozen(frozen: Uint8Array): number {
  let c = 0;
  for (let i = 0; i < frozen.length; i++) c += frozen[i] ? 1 : 0;
  return c;
}

/** Options for one partition step (masks hold 0 = free, 1 = frozen, nothing else). */
export interface PartitionOptions {
  strategy: PartitionStrategy;
  /** Seed for `random` (ignored by `magnitude`). */
  seed?: number;
}

/**
 * Grows `frozen` (1 = frozen) in place so that exactly round(portion·N) weights are frozen,
 * never unfreezing any. Returns the indices newly frozen, ascending. O(N): no sort.
 */
export function partitionInPlace(
  weights: Float32Array,
  frozen: Uint8Array,
  portion: number,
  options: PartitionOptions,
): Uint32Array {
  const n = weights.length;
  if (frozen.length !== n) throw new RangeError(`frozen mask has ${frozen.length} entries for ${n} weights`);
  const target = frozenTarget(portion, n);
  if (options.strategy !== 'random') {
    const bits = new Uint32Array(weights.buffer, weights.byteOffset, n);
    const sel = sampledSelection(bits, frozen, target);
    if (sel) {
      magnitudePathCounts.sampled++;
      return takeSelection(frozen, sel);
    }
    magnitudePathCounts.histogram++;
  }
  const chosen =
    options.strategy === 'random'
      ? chooseRandom(frozen, target - countFrozen(frozen), options.seed ?? 0)
      : chooseLargest(weights, frozen, target);
  for (let k = 0; k < chosen.length; k++) frozen[chosen[k]] = 1;
  return chosen;
}

/**
 * One round's bookkeeping for one layer, fused: grows `frozen` exactly like `partitionInPlace`,
 * snaps the newly frozen weights to `set`'s levels in place (like `quantizeInto` on the returned
 * indices) and sets their `frozenRound` entries to `round`. Returns how many were newly frozen.
 * Unlike that sequence it throws (RangeError) before changing anything when a weight it would
 * freeze is ±Infinity. The magnitude path touches each weight once plus the newly frozen once more.
 */
export function partitionQuantizeInPlace(
  weights: Float32Array,
  frozen: Uint8Array,
  frozenRound: Uint8Array,
  round: number,
  portion: number,
  set: LevelSet,
  options: PartitionOptions,
): number {
  const n = weights.length;
  if (frozen.length !== n) throw new RangeError(`frozen mask has ${frozen.length} entries for ${n} weights`);
  if (frozenRound.length !== n) throw new RangeError(`frozenRound has ${frozenRound.length} entries for ${n} weights`);
  if (!Number.isInteger(round) || round < 1 || round > 255) throw new RangeError(`round must be a whole number from 1 to 255 (got ${round})`);
  const target = frozenTarget(portion, n);
  const bits = new Uint32Array(weights.buffer, weights.byteOffset, n);
  if (options.strategy !== 'random') {
    const sel = sampledSelection(bits, frozen, target);
    if (sel) {
      magnitudePathCounts.sampled++;
      return takeSelectionQuantized(bits, frozen, frozenRound, round, set, sel);
    }
    magnitudePathCounts.histogram++;
  }
  const chosen =
    options.strategy === 'random'
      ? chooseRandom(frozen, target - countFrozen(frozen), options.seed ?? 0)
      : chooseLargest(weights, frozen, target);
  for (let k = 0; k < chosen.length; k++) {
    if ((bits[chosen[k]] & 0x7fffffff) >= 0x7f800000) throw new RangeError(`cannot quantize a non-finite weight at index ${chosen[k]}`);
  }
  quantizeInto(weights, set, weights, chosen);
  for (let k = 0; k < chosen.length; k++) {
    frozen[chosen[k]] = 1;
    frozenRound[chosen[k]] = round;
  }
  return chosen.length;
}

/** Pure form of `partitionInPlace`: returns a new mask. */
export function partition(
  weights: Float32Array,
  frozen: Uint8Array | undefined,
  portion: number,
  options: PartitionOptions,
): Uint8Array {
  const next = frozen ? Uint8Array.from(frozen) : new Uint8Array(weights.length);
  partitionInPlace(weights, next, portion, options);
  return next;
}

// ---- magnitude selection -------------------------------------------------------------------------
//
// Keys: |w|'s float32 bits read as an unsigned integer. They order like |w| (+0 and −0 alike,
// ±Infinity above every finite weight). The newly frozen set is every free weight with key > T,
// plus the first `ties` free weights (by index) with key = T, for the T and ties that make the count
// exact. Two ways find them. The sampled path (large layers) guesses a narrow key band [lo, hi]
// around T from a sample, then makes one branch-free pass that lists the free weights above the band
// and keeps the free weights inside it (few) with their keys; T is then resolved within the band.
// When the guess misses, nothing has been changed and the histogram path (chooseLargest) answers
// instead. Both give the same set.

/** Below this many weights the histogram path alone is used (the sample would cost more than it saves). */
const SAMPLED_MIN_WEIGHTS = 1 << 16;
/** Weights read per sampled block: one 64-byte cache line of float32. */
const SAMPLE_BLOCK = 16;

/** How often each magnitude path answered in this thread (for tests and the benchmark's notes). */
export const magnitudePathCounts = { sampled: 0, histogram: 0 };

/**
 * A sampled selection: every index in above[0..aboveCount) is chosen; of the band entries (ascending
 * indices with their keys, and how many above-entries precede each) those with key > threshold and
 * the first `ties` with key = threshold are chosen too.
 */
interface Selection {
  above: Uint32Array;
  aboveCount: number;
  bandIndex: Uint32Array;
  bandKey: Uint32Array;
  bandAt: Uint32Array;
  bandCount: number;
  threshold: number;
  ties: number;
  need: number;
}

// Scratch reused across calls (each thread runs one call at a time), so a round allocates only its result.
let aboveScratch: Uint32Array = new Uint32Array(0);
let bandIndexScratch: Uint32Array = new Uint32Array(0);
let bandKeyScratch: Uint32Array = new Uint32Array(0);
let bandAtScratch: Uint32Array = new Uint32Array(0);
let sampleScratch: Uint32Array = new Uint32Array(0);
let hiCounts: Uint32Array | null = null;
let loCounts: Uint32Array | null = null;

function grow(a: Uint32Array, n: number): Uint32Array {
  return a.length >= n ? a : new Uint32Array(Math.max(n, Math.ceil(a.length * 1.25)));
}

/** The key band [lo, hi] in which a sample of the free weights places the threshold, or null when it cannot tell. */
function sampleBand(bits: Uint32Array, frozen: Uint8Array, target: number): { lo: number; hi: number; bandCap: number } | null {
  const n = bits.length;
  // ~n/256 keys (2K…16K), read in cache-line blocks at jittered, evenly spaced positions.
  const blocks = Math.min(1024, Math.max(128, n >>> 12));
  const stride = Math.floor(n / blocks);
  sampleScratch = grow(sampleScratch, blocks * SAMPLE_BLOCK);
  const sample = sampleScratch;
  let s = 0;
  let state = 0x2545f491;
  for (let b = 0; b < blocks; b++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    const start = b * stride + (state % (stride - SAMPLE_BLOCK + 1));
    for (let i = start; i < start + SAMPLE_BLOCK; i++) {
      if (!(frozen[i] & 1)) sample[s++] = bits[i] & 0x7fffffff;
    }
  }
  if (s < 256) return null;
  const freeShare = s / (blocks * SAMPLE_BLOCK);
  const needEstimate = target - n * (1 - freeShare);
  if (needEstimate <= 0) return null;
  const sorted = sample.subarray(0, s).sort();
  // T sits near rank q·s from the top of the sorted sample. The band spans ±3.5σ of that rank, σ
  // from the quantile's sampling error and from the free count's (the number to freeze depends on
  // it): a miss (p ≈ 5·10⁻⁴) only costs the histogram path's passes, never a wrong answer.
  const q = Math.min(1, needEstimate / (n * freeShare));
  const margin = Math.ceil(3.5 * Math.sqrt(s * (q * (1 - q) + (1 - freeShare)))) + 8;
  const at = s - q * s;
  const hiAt = Math.ceil(at + margin);
  const loAt = Math.floor(at - margin);
  const hi = hiAt >= s ? 0x7f7fffff : sorted[hiAt];
  const lo = loAt <= 0 ? 0 : sorted[loAt];
  // NaN or ±Infinity near the threshold, or zeros inside the band (a frozen weight's key reads as 0
  // in the pass): the histogram path handles those.
  if (hi > 0x7f7fffff || lo === 0) return null;
  const bandCap = Math.ceil(((Math.min(s, hiAt) - Math.max(0, loAt) + 1) / s) * n * freeShare * 2) + 4096;
  return { lo, hi, bandCap: Math.min(n, bandCap) };
}

/**
 * The sampled path: null when the layer is small, a free weight is NaN or ±Infinity, nothing is
 * to be frozen, or the sampled band missed the threshold (the caller then takes the histogram path).
 */
function sampledSelection(bits: Uint32Array, frozen: Uint8Array, target: number): Selection | null {
  const n = bits.length;
  if (n < SAMPLED_MIN_WEIGHTS) return null;
  if (target === n) return everyFree(bits, frozen);
  const guess = sampleBand(bits, frozen, target);
  if (!guess) return null;
  const { lo, hi } = guess;
  aboveScratch = grow(aboveScratch, n);
  bandIndexScratch = grow(bandIndexScratch, guess.bandCap);
  bandKeyScratch = grow(bandKeyScratch, guess.bandCap);
  bandAtScratch = grow(bandAtScratch, guess.bandCap);
  const above = aboveScratch;
  const bandIndex = bandIndexScratch;
  const bandKey = bandKeyScratch;
  const bandAt = bandAtScratch;
  scanBand(bits, frozen, lo, hi, above, bandIndex, bandKey, bandAt, guess.bandCap);
  const [k, c, free, bad] = scanResult;
  if (c > guess.bandCap || bad < 0) return null;
  const need = target - (n - free);
  if (need <= 0 || k > need || need > k + c) return null;
  // T is the (need − k)-th largest key of the band.
  const r = need - k;
  const { threshold, ties } = r === 0 ? { threshold: hi, ties: 0 } : largestKeys(bandKey, c, r);
  return { above, aboveCount: k, bandIndex, bandKey, bandAt, bandCount: c, threshold, ties, need };
}

/**
 * Small results of the loop functions (so that returning them allocates nothing). scanBand: how many
 * it listed above the band, how many it kept in the band, the free count, and a negative number when
 * a free weight is NaN or ±Infinity; walkDown: how many of its bin's entries are still needed.
 */
const scanResult = new Int32Array(4);

/**
 * The sampled path's one pass over every weight, kept alone in its function so that V8 optimizes it
 * as a whole (a long loop followed by code that has not run yet deoptimizes on the first call).
 * A frozen weight's key reads as 0, below the band (lo ≥ 1), so the frozen mask costs one AND.
 * Comparisons are sign bits of int32 differences (keys are below 2^31): a ternary would compile to a
 * branch on the frozen pattern, which no predictor learns; the band branch is rarely taken.
 */
function scanBand(
  bits: Uint32Array,
  frozen: Uint8Array,
  lo: number,
  hi: number,
  above: Uint32Array,
  bandIndex: Uint32Array,
  bandKey: Uint32Array,
  bandAt: Uint32Array,
  cap: number,
): void {
  const n = bits.length;
  let k = 0;
  let c = 0;
  let free = 0;
  let bad = 0;
  for (let i = 0; i < n; i++) {
    const f = (frozen[i] & 1) ^ 1;
    const a = bits[i] & 0x7fffffff & (0 - f);
    const d = hi - a; // negative: above the band
    free += f;
    bad |= 0x7f7fffff - a; // negative once a free weight is NaN or ±Infinity
    above[k] = i;
    k += d >>> 31;
    if (((a - lo) | d) >= 0) {
      // lo ≤ a ≤ hi (so free)
      if (c < cap) {
        bandIndex[c] = i;
        bandKey[c] = a;
        bandAt[c] = k;
      }
      c++;
    }
  }
  scanResult[0] = k;
  scanResult[1] = c;
  scanResult[2] = free;
  scanResult[3] = bad;
}

/** Whether any listed weight is NaN or ±Infinity (they rank above every finite band, so they would be listed). */
function anyNonFinite(bits: Uint32Array, list: Uint32Array, count: number): boolean {
  let bad = 0;
  for (let j = 0; j < count; j++) bad |= 0x7f7fffff - (bits[list[j]] & 0x7fffffff);
  return bad < 0;
}

/** Portion 1 freezes every free weight: all listed "above", an empty band; null when one is NaN or ±Infinity. */
function everyFree(bits: Uint32Array, frozen: Uint8Array): Selection | null {
  const n = bits.length;
  aboveScratch = grow(aboveScratch, n);
  const above = aboveScratch;
  const k = listFree(frozen, above);
  if (k === 0 || anyNonFinite(bits, above, k)) return null;
  return { above, aboveCount: k, bandIndex: above, bandKey: above, bandAt: above, bandCount: 0, threshold: -1, ties: 0, need: k };
}

/** Lists the free indices (branch-free compaction); returns how many. */
function listFree(frozen: Uint8Array, out: Uint32Array): number {
  let k = 0;
  for (let i = 0; i < frozen.length; i++) {
    out[k] = i;
    k += (frozen[i] & 1) ^ 1;
  }
  return k;
}

/** Threshold key and tie count of the r largest of keys[0..count) (1 ≤ r ≤ count), by two 16-bit radix passes. */
function largestKeys(keys: Uint32Array, count: number, r: number): { threshold: number; ties: number } {
  const hi = (hiCounts ??= new Uint32Array(1 << 16));
  const lo = (loCounts ??= new Uint32Array(1 << 16));
  hi.fill(0);
  lo.fill(0);
  countHighHalves(keys, count, hi);
  const hiBin = walkDown(hi, r);
  countLowHalves(keys, count, hiBin, lo);
  const loBin = walkDown(lo, scanResult[0]);
  return { threshold: ((hiBin << 16) | loBin) >>> 0, ties: scanResult[0] };
}

// The loops below each sit alone in a small function so that V8 optimizes each whole (see scanBand).

function countHighHalves(keys: Uint32Array, count: number, hist: Uint32Array): void {
  for (let j = 0; j < count; j++) hist[keys[j] >>> 16]++;
}

function countLowHalves(keys: Uint32Array, count: number, bin: number, hist: Uint32Array): void {
  for (let j = 0; j < count; j++) if (keys[j] >>> 16 === bin) hist[keys[j] & 0xffff]++;
}

/**
 * From the top bin down, the bin holding the `remaining`-th largest entry (1 ≤ remaining ≤ total);
 * leaves in scanResult[0] how many of that bin's entries are still needed.
 */
function walkDown(hist: Uint32Array, remaining: number): number {
  let bin = hist.length - 1;
  while (hist[bin] < remaining) remaining -= hist[bin--];
  scanResult[0] = remaining;
  return bin;
}

/** Applies a selection: marks the chosen frozen and returns their indices, ascending (the band merged in). */
function takeSelection(frozen: Uint8Array, sel: Selection): Uint32Array {
  const out = new Uint32Array(sel.need);
  const w = mergeMarked(frozen, sel.above, sel.aboveCount, sel.bandIndex, sel.bandKey, sel.bandAt, sel.bandCount, sel.threshold, sel.ties, out);
  if (w !== sel.need) throw new Error(`partition: selected ${w} weights instead of ${sel.need} (a bug)`);
  return out;
}

/** Writes the chosen band entries merged into the above-list to `out`, ascending, marking each frozen; returns the count. */
function mergeMarked(
  frozen: Uint8Array,
  above: Uint32Array,
  aboveCount: number,
  bandIndex: Uint32Array,
  bandKey: Uint32Array,
  bandAt: Uint32Array,
  bandCount: number,
  threshold: number,
  ties: number,
  out: Uint32Array,
): number {
  let j = 0;
  let w = 0;
  for (let b = 0; b < bandCount; b++) {
    const a = bandKey[b];
    if (a > threshold || (a === threshold && ties-- > 0)) {
      w = copyMarked(frozen, above, j, bandAt[b], out, w);
      j = bandAt[b];
      out[w++] = bandIndex[b];
      frozen[bandIndex[b]] = 1;
    }
  }
  return copyMarked(frozen, above, j, aboveCount, out, w);
}

/** Copies list[from..to) to out from position w, marking each frozen; returns the next position. */
function copyMarked(frozen: Uint8Array, list: Uint32Array, from: number, to: number, out: Uint32Array, w: number): number {
  for (let j = from; j < to; j++) {
    const i = list[j];
    out[w++] = i;
    frozen[i] = 1;
  }
  return w;
}

/** Applies a selection, fused: marks the chosen frozen, quantizes them in place and records their round. */
function takeSelectionQuantized(
  bits: Uint32Array,
  frozen: Uint8Array,
  frozenRound: Uint8Array,
  round: number,
  set: LevelSet,
  sel: Selection,
): number {
  const { zeroBelow, top, bottom } = levelBits(set);
  freezeListed(bits, frozen, frozenRound, round, sel.above, sel.aboveCount, zeroBelow, top, bottom);
  const chosen = chooseInBand(sel.bandIndex, sel.bandKey, sel.bandCount, sel.threshold, sel.ties);
  freezeListed(bits, frozen, frozenRound, round, sel.bandIndex, chosen, zeroBelow, top, bottom);
  const w = sel.aboveCount + chosen;
  if (w !== sel.need) throw new Error(`partition: selected ${w} weights instead of ${sel.need} (a bug)`);
  return w;
}

/** Moves the chosen band indices to the front of bandIndex, keeping their order; returns how many. */
function chooseInBand(bandIndex: Uint32Array, bandKey: Uint32Array, bandCount: number, threshold: number, ties: number): number {
  let w = 0;
  for (let b = 0; b < bandCount; b++) {
    const a = bandKey[b];
    if (a > threshold || (a === threshold && ties-- > 0)) bandIndex[w++] = bandIndex[b];
  }
  return w;
}

/** Freezes, quantizes and stamps with `round` the weights listed in list[0..count). */
function freezeListed(
  bits: Uint32Array,
  frozen: Uint8Array,
  frozenRound: Uint8Array,
  round: number,
  list: Uint32Array,
  count: number,
  zeroBelow: number,
  top: number,
  bottom: number,
): void {
  for (let j = 0; j < count; j++) {
    const i = list[j];
    bits[i] = quantizeBits(bits[i], zeroBelow, top, bottom);
    frozen[i] = 1;
    frozenRound[i] = round;
  }
}

/**
 * The free weights of largest |w| that bring the frozen count up to `target`, by radix selection on
 * the keys: a histogram of their top 16 bits, one of the low 16 bits inside the boundary bin, then
 * the list. Ties at the threshold go to the lower index. The passes avoid branching on the frozen
 * mask, whose pattern is data-dependent and would defeat branch prediction.
 */
function chooseLargest(weights: Float32Array, frozen: Uint8Array, target: number): Uint32Array {
  const n = weights.length;
  const bits = new Uint32Array(weights.buffer, weights.byteOffset, n);
  const hi = (hiCounts ??= new Uint32Array(1 << 16));
  const lo = (loCounts ??= new Uint32Array(1 << 16));
  hi.fill(0);
  lo.fill(0);
  countFreeHighHalves(bits, frozen, hi);
  const [free, nan] = scanResult;
  if (nan >= 0) throw new RangeError(`weight ${nan} is NaN; it cannot be ranked`);
  const need = target - (n - free);
  if (need <= 0) return new Uint32Array(0);
  const hiBin = walkDown(hi, need);
  countFreeLowHalves(bits, frozen, hiBin, lo);
  const loBin = walkDown(lo, scanResult[0]);
  const out = new Uint32Array(need + 1);
  const k = listChosen(bits, frozen, ((hiBin << 16) | loBin) >>> 0, scanResult[0], out);
  if (k !== need) throw new Error(`partition: selected ${k} weights instead of ${need} (a bug)`);
  return out.subarray(0, need);
}

/** Histogram of the free keys' top 16 bits; scanResult gets the free count and the last free NaN's index (or −1). */
function countFreeHighHalves(bits: Uint32Array, frozen: Uint8Array, hist: Uint32Array): void {
  let free = 0;
  let nan = -1;
  for (let i = 0; i < bits.length; i++) {
    const a = bits[i] & 0x7fffffff;
    const isFree = (frozen[i] & 1) ^ 1;
    if (a > 0x7f800000 && isFree) nan = i;
    hist[a >>> 16] += isFree;
    free += isFree;
  }
  scanResult[0] = free;
  scanResult[1] = nan;
}

/** Inside the boundary bin, histogram of the free keys' low 16 bits (a rarely taken branch). */
function countFreeLowHalves(bits: Uint32Array, frozen: Uint8Array, bin: number, hist: Uint32Array): void {
  for (let i = 0; i < bits.length; i++) {
    const a = bits[i] & 0x7fffffff;
    if (a >>> 16 === bin && !frozen[i]) hist[a & 0xffff]++;
  }
}

/** Lists every free index with key > threshold (branch-free) plus the first `ties` free ones equal to it, until out (need + 1 long) holds need. */
function listChosen(bits: Uint32Array, frozen: Uint8Array, threshold: number, ties: number, out: Uint32Array): number {
  const need = out.length - 1;
  let k = 0;
  for (let i = 0; i < bits.length && k < need; i++) {
    const a = bits[i] & 0x7fffffff;
    const isFree = (frozen[i] & 1) ^ 1;
    out[k] = i;
    k += ((threshold - a) >>> 31) & isFree; // a > threshold (both below 2^31)
    if (a === threshold && isFree && ties > 0) {
      out[k++] = i;
      ties--;
    }
  }
  return k;
}

/** `need` free weights drawn uniformly without replacement (partial Fisher–Yates), listed by index. */
function chooseRandom(frozen: Uint8Array, need: number, seed: number): Uint32Array {
  if (need <= 0) return new Uint32Array(0);
  const n = frozen.length;
  const pool = new Uint32Array(n - countFrozen(frozen));
  for (let i = 0, k = 0; i < n; i++) if (!frozen[i]) pool[k++] = i;
  const rng = createRng(seed);
  const picked = new Uint8Array(n);
  for (let i = 0; i < need; i++) {
    const j = i + rng.int(pool.length - i);
    const t = pool[i];
    pool[i] = pool[j];
    pool[j] = t;
    picked[pool[i]] = 1;
  }
  const out = new Uint32Array(need);
  for (let i = 0, k = 0; i < n; i++) if (picked[i]) out[k++] = i;
  return out;
}
