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
  if (options.strategy !== 'random' && sampledFreeze(weights, frozen, target, null)) return listSampled();
  const chosen =
    options.strategy === 'random'
      ? chooseRandom(frozen, target - countFrozen(frozen), options.seed ?? 0)
      : chooseLargest(weights, frozen, target);
  for (let k = 0; k < chosen.length; k++) frozen[chosen[k]] = 1;
  return chosen;
}

/**
 * One round's bookkeeping for one layer, fused (what the session runs): grows `frozen` exactly like
 * `partitionInPlace`, snaps the newly frozen weights to `set`'s levels in place (like `quantizeInto`
 * on the returned indices) and sets their `frozenRound` entries to `round`. Returns how many were
 * newly frozen. Unlike that sequence it throws (RangeError) before changing anything when a weight it
 * would freeze is ±Infinity. On large layers the magnitude path reads each weight once and freezes
 * the chosen ones block by block while they are still in cache.
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
  // The sampled path snaps with the power-of-two bit trick, so a uniform grid takes the general path.
  if (options.strategy !== 'random' && set.kind !== 'uniform') {
    const count = freezeLargestSampled(weights, frozen, target, { frozenRound, round, set });
    if (count !== null) return count;
  }
  const chosen =
    options.strategy === 'random'
      ? chooseRandom(frozen, target - countFrozen(frozen), options.seed ?? 0)
      : chooseLargest(weights, frozen, target);
  const bits = new Uint32Array(weights.buffer, weights.byteOffset, n);
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
// around T from a sample, then makes one branch-free pass, block by block, that freezes the free
// weights above the band at once (keeping what it overwrote in an undo log) and keeps the free weights
// inside it (few) with their keys; T is then resolved within the band. When the guess misses, the
// log puts everything back and the histogram path (chooseLargest) answers instead. Both give the
// same set.

/** Below this many weights the histogram path alone is used (the sample would cost more than it saves). */
const SAMPLED_MIN_WEIGHTS = 1 << 16;
/** Weights read per sampled block: one 64-byte cache line of float32. */
const SAMPLE_BLOCK = 16;
/** At most this many sampled blocks (256K weights). */
const SAMPLE_MAX_BLOCKS = 1 << 14;
/** Weights per block of the sampled pass: scanned, then their chosen weights frozen while still in L1. */
const SCAN_BLOCK = 2048;
/** The largest finite key (|w| bits of the largest finite float32). */
const MAX_FINITE_KEY = 0x7f7fffff;

/** Where the sampled path freezes into: the round's level set and round stamps (null: mark frozen only). */
interface Stamp {
  frozenRound: Uint8Array;
  round: number;
  set: LevelSet;
}

// Scratch reused across calls (each thread runs one call at a time), so a round allocates only its result.
let aboveScratch: Uint32Array = new Uint32Array(0);
let undoBits: Uint32Array = new Uint32Array(0);
let undoRound: Uint8Array = new Uint8Array(0);
let bandIndexScratch: Uint32Array = new Uint32Array(0);
let bandKeyScratch: Uint32Array = new Uint32Array(0);
let sampleScratch: Uint32Array = new Uint32Array(0);
let hiCounts: Uint32Array | null = null;
let loCounts: Uint32Array | null = null;

function grow(a: Uint32Array, n: number): Uint32Array {
  return a.length >= n ? a : new Uint32Array(Math.max(n, Math.ceil(a.length * 1.25)));
}

/**
 * The sampled path on its own: freezes the free weights of largest |w| up to `target` exactly as the
 * histogram path would, quantizing them and stamping their round when `stamp` is given, and returns
 * how many it froze; or returns null having changed nothing (the layer is small, a free weight is
 * NaN or ±Infinity, or the sample's guess missed), and then the caller takes the histogram path.
 * Exported so that the tests can check both that it answers and that a miss leaves no trace.
 */
export function freezeLargestSampled(weights: Float32Array, frozen: Uint8Array, target: number, stamp: Stamp | null): number | null {
  return sampledFreeze(weights, frozen, target, stamp) ? sampled.above + sampled.band : null;
}

/** What the last successful sampledFreeze froze: above[0..above) and bandIndex[0..band), each ascending. */
const sampled = { above: 0, band: 0 };

/**
 * Small results of the loop functions (so that returning them allocates nothing). scanFreeze: how
 * many it froze above the band, how many it kept in the band, the free count, and a negative number
 * when a free weight it froze is NaN or ±Infinity; walkDown: how many of its bin's entries are still
 * needed.
 */
const scanResult = new Int32Array(4);

function sampledFreeze(weights: Float32Array, frozen: Uint8Array, target: number, stamp: Stamp | null): boolean {
  const n = weights.length;
  if (n < SAMPLED_MIN_WEIGHTS || frozen.length !== n || !(target >= 0 && target <= n)) return false;
  const bits = new Uint32Array(weights.buffer, weights.byteOffset, n);
  if (target === n) return freezeEveryFree(bits, frozen, stamp);
  const guess = sampleBand(bits, frozen, target);
  if (!guess) return false;
  aboveScratch = grow(aboveScratch, n);
  bandIndexScratch = grow(bandIndexScratch, guess.bandCap);
  bandKeyScratch = grow(bandKeyScratch, guess.bandCap);
  if (stamp) {
    undoBits = grow(undoBits, n);
    if (undoRound.length < n) undoRound = new Uint8Array(undoBits.length);
  }
  const lb = stamp ? levelBits(stamp.set) : null;
  scanFreeze(bits, frozen, stamp, lb?.zeroBelow ?? 0, lb?.top ?? 0, lb?.bottom ?? 0, guess.lo, guess.hi, guess.bandCap);
  const [k, c, free, bad] = scanResult;
  const need = target - (n - free);
  if (c > guess.bandCap || bad < 0 || need <= 0 || k > need || need > k + c) {
    undo(bits, frozen, stamp, k);
    return false;
  }
  // T is the (need − k)-th largest key of the band.
  const r = need - k;
  let chosen = 0;
  if (r > 0) {
    const { threshold, ties } = largestKeys(bandKeyScratch, c, r);
    chosen = chooseInBand(bandIndexScratch, bandKeyScratch, c, threshold, ties);
  }
  if (stamp && lb) freezeListed(bits, frozen, stamp.frozenRound, stamp.round, bandIndexScratch, chosen, lb.zeroBelow, lb.top, lb.bottom);
  else markListed(frozen, bandIndexScratch, chosen);
  sampled.above = k;
  sampled.band = chosen;
  if (k + chosen !== need) throw new Error(`partition: selected ${k + chosen} weights instead of ${need} (a bug)`);
  return true;
}

/**
 * The key band [lo, hi] in which a sample places the threshold, or null when it cannot tell. The
 * weights still free after the round are exactly the n − target smallest free ones, whatever is
 * frozen now, so T sits at rank (n − target)/n of the sampled positions in the sorted free sample.
 */
function sampleBand(bits: Uint32Array, frozen: Uint8Array, target: number): { lo: number; hi: number; bandCap: number } | null {
  const n = bits.length;
  // ~n/64 positions (2K…256K), read in cache-line blocks at jittered, evenly spaced positions: the
  // band, and with it the weights the pass keeps aside and the scattered writes that freeze the
  // chosen ones at the end, narrows with the square root of the sample.
  const blocks = Math.min(SAMPLE_MAX_BLOCKS, Math.max(128, n >>> 10));
  const stride = Math.floor(n / blocks);
  const m = blocks * SAMPLE_BLOCK;
  sampleScratch = grow(sampleScratch, m);
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
  /** The key at 0-based rank `at` of the sample in ascending order (by radix selection, no sort). */
  const ranked = (at: number): number => largestKeys(sample, s, s - at).threshold;
  // The count of sampled positions that stay free is binomial (m, p); the band spans ±3.5σ of it:
  // a miss (p ≈ 5·10⁻⁴) only costs the undo and the histogram path's passes, never a wrong answer.
  const p = (n - target) / n;
  const at = p * m;
  const margin = Math.ceil(3.5 * Math.sqrt(m * p * (1 - p))) + 8;
  const hiAt = Math.ceil(at + margin);
  const loAt = Math.floor(at - margin);
  if (loAt >= s) return null;
  const hi = hiAt >= s ? MAX_FINITE_KEY : ranked(hiAt);
  const lo = loAt <= 0 ? 0 : ranked(loAt);
  // NaN or ±Infinity near the threshold, or zeros inside the band (a frozen weight's key reads as 0
  // in the pass): the histogram path handles those.
  if (hi > MAX_FINITE_KEY || lo === 0) return null;
  const bandCap = Math.ceil(((Math.min(s, hiAt) - Math.max(0, loAt) + 1) / m) * n * 2) + 4096;
  return { lo, hi, bandCap: Math.min(n, bandCap) };
}

/**
 * The sampled path's one pass over every weight, a block at a time: lists the free weights above the
 * band and freezes them before moving on (they are in cache), keeps the free weights inside it with
 * their keys, counts the free weights. A frozen weight's key reads as 0, below the band (lo ≥ 1), so
 * the frozen mask costs one AND. Comparisons are sign bits of int32 differences (keys are below
 * 2^31): a ternary would compile to a branch on the frozen pattern, which no predictor learns; the
 * band branch is rarely taken. The scan loop sits alone in its function (the freezing ones are
 * called once a block) so that V8 optimizes it as a whole.
 */
function scanFreeze(bits: Uint32Array, frozen: Uint8Array, stamp: Stamp | null, zeroBelow: number, top: number, bottom: number, lo: number, hi: number, cap: number): void {
  const n = bits.length;
  const above = aboveScratch;
  const bandIndex = bandIndexScratch;
  const bandKey = bandKeyScratch;
  let k = 0;
  let c = 0;
  let free = 0;
  let bad = 0;
  for (let start = 0; start < n; start += SCAN_BLOCK) {
    const end = Math.min(n, start + SCAN_BLOCK);
    const k0 = k;
    let i = start;
    // Four weights a step: their loads and compares overlap, and one test skips the band for all four.
    for (; i + 3 < end; i += 4) {
      const f0 = (frozen[i] & 1) ^ 1;
      const f1 = (frozen[i + 1] & 1) ^ 1;
      const f2 = (frozen[i + 2] & 1) ^ 1;
      const f3 = (frozen[i + 3] & 1) ^ 1;
      const a0 = bits[i] & 0x7fffffff & (0 - f0);
      const a1 = bits[i + 1] & 0x7fffffff & (0 - f1);
      const a2 = bits[i + 2] & 0x7fffffff & (0 - f2);
      const a3 = bits[i + 3] & 0x7fffffff & (0 - f3);
      const d0 = hi - a0; // negative: above the band
      const d1 = hi - a1;
      const d2 = hi - a2;
      const d3 = hi - a3;
      free += f0 + f1 + f2 + f3;
      above[k] = i;
      k += d0 >>> 31;
      above[k] = i + 1;
      k += d1 >>> 31;
      above[k] = i + 2;
      k += d2 >>> 31;
      above[k] = i + 3;
      k += d3 >>> 31;
      // Non-negative: lo ≤ a ≤ hi (so free).
      const b0 = (a0 - lo) | d0;
      const b1 = (a1 - lo) | d1;
      const b2 = (a2 - lo) | d2;
      const b3 = (a3 - lo) | d3;
      if ((b0 & b1 & b2 & b3) < 0) continue;
      if (b0 >= 0) c = keep(bandIndex, bandKey, c, cap, i, a0);
      if (b1 >= 0) c = keep(bandIndex, bandKey, c, cap, i + 1, a1);
      if (b2 >= 0) c = keep(bandIndex, bandKey, c, cap, i + 2, a2);
      if (b3 >= 0) c = keep(bandIndex, bandKey, c, cap, i + 3, a3);
    }
    for (; i < end; i++) {
      const f = (frozen[i] & 1) ^ 1;
      const a = bits[i] & 0x7fffffff & (0 - f);
      const d = hi - a;
      free += f;
      above[k] = i;
      k += d >>> 31;
      if (((a - lo) | d) >= 0) c = keep(bandIndex, bandKey, c, cap, i, a);
    }
    bad |= stamp ? freezeLogged(bits, frozen, stamp.frozenRound, stamp.round, above, k0, k, zeroBelow, top, bottom) : markLogged(bits, frozen, above, k0, k);
  }
  scanResult[0] = k;
  scanResult[1] = c;
  scanResult[2] = free;
  scanResult[3] = bad;
}

/** Keeps band entry c (index i, key a) when there is room; returns the next count. */
function keep(bandIndex: Uint32Array, bandKey: Uint32Array, c: number, cap: number, i: number, a: number): number {
  if (c < cap) {
    bandIndex[c] = i;
    bandKey[c] = a;
  }
  return c + 1;
}

/**
 * Freezes, quantizes and stamps the weights listed in list[from..to), first logging their bits and
 * round stamps for undo(); returns a negative number when one of them is NaN or ±Infinity.
 */
function freezeLogged(
  bits: Uint32Array,
  frozen: Uint8Array,
  frozenRound: Uint8Array,
  round: number,
  list: Uint32Array,
  from: number,
  to: number,
  zeroBelow: number,
  top: number,
  bottom: number,
): number {
  const logBits = undoBits;
  const logRound = undoRound;
  let bad = 0;
  for (let j = from; j < to; j++) {
    const i = list[j];
    const u = bits[i];
    logBits[j] = u;
    logRound[j] = frozenRound[i];
    bad |= MAX_FINITE_KEY - (u & 0x7fffffff);
    bits[i] = quantizeBits(u, zeroBelow, top, bottom);
    frozen[i] = 1;
    frozenRound[i] = round;
  }
  return bad;
}

/** Marks the weights listed in list[from..to) frozen; returns a negative number when one of them is NaN or ±Infinity. */
function markLogged(bits: Uint32Array, frozen: Uint8Array, list: Uint32Array, from: number, to: number): number {
  let bad = 0;
  for (let j = from; j < to; j++) {
    const i = list[j];
    bad |= MAX_FINITE_KEY - (bits[i] & 0x7fffffff);
    frozen[i] = 1;
  }
  return bad;
}

/** Puts back what scanFreeze froze above the band (the first `count` listed): bits, mask and round stamps. */
function undo(bits: Uint32Array, frozen: Uint8Array, stamp: Stamp | null, count: number): void {
  const list = aboveScratch;
  for (let j = 0; j < count; j++) {
    const i = list[j];
    frozen[i] = 0;
    if (stamp) {
      bits[i] = undoBits[j];
      stamp.frozenRound[i] = undoRound[j];
    }
  }
}

/** Portion 1 freezes every free weight; false (nothing changed) when one is NaN or ±Infinity. */
function freezeEveryFree(bits: Uint32Array, frozen: Uint8Array, stamp: Stamp | null): boolean {
  const n = bits.length;
  aboveScratch = grow(aboveScratch, n);
  const above = aboveScratch;
  const k = listFree(frozen, above);
  if (k === 0 || anyNonFinite(bits, above, k)) return false;
  if (stamp) {
    const { zeroBelow, top, bottom } = levelBits(stamp.set);
    freezeListed(bits, frozen, stamp.frozenRound, stamp.round, above, k, zeroBelow, top, bottom);
  } else markListed(frozen, above, k);
  sampled.above = k;
  sampled.band = 0;
  return true;
}

/** Whether any listed weight is NaN or ±Infinity. */
function anyNonFinite(bits: Uint32Array, list: Uint32Array, count: number): boolean {
  let bad = 0;
  for (let j = 0; j < count; j++) bad |= MAX_FINITE_KEY - (bits[list[j]] & 0x7fffffff);
  return bad < 0;
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

// The loops below each sit alone in a small function so that V8 optimizes each whole (see scanFreeze).

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

/** Marks the weights listed in list[0..count) frozen. */
function markListed(frozen: Uint8Array, list: Uint32Array, count: number): void {
  for (let j = 0; j < count; j++) frozen[list[j]] = 1;
}

/** The indices the last successful sampledFreeze froze, ascending: its two ascending lists merged. */
function listSampled(): Uint32Array {
  const above = aboveScratch;
  const band = bandIndexScratch;
  const k = sampled.above;
  const c = sampled.band;
  const out = new Uint32Array(k + c);
  let i = 0;
  let j = 0;
  let w = 0;
  while (i < k && j < c) out[w++] = above[i] < band[j] ? above[i++] : band[j++];
  out.set(above.subarray(i, k), w);
  out.set(band.subarray(j, c), w + k - i);
  return out;
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
