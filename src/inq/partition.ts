/** Cumulative weight partition (INQ.md, "Partition"): which free weights join the frozen group. */
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
  const chosen =
    options.strategy === 'random'
      ? chooseRandom(frozen, target - countFrozen(frozen), options.seed ?? 0)
      : chooseLargest(weights, frozen, target);
  for (let k = 0; k < chosen.length; k++) frozen[chosen[k]] = 1;
  return chosen;
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

/**
 * The free weights of largest |w| that bring the frozen count up to `target`, by radix selection on
 * float32 bit patterns (|w|'s bits, read as an unsigned integer, order like |w|). Ties at the
 * threshold go to the lower index. The passes avoid branching on the frozen mask, whose pattern is
 * data-dependent and would defeat branch prediction.
 */
function chooseLargest(weights: Float32Array, frozen: Uint8Array, target: number): Uint32Array {
  const n = weights.length;
  const bits = new Uint32Array(weights.buffer, weights.byteOffset, n);
  // Pass 1: histogram of the top 16 bits of |w| over free weights, and the free count.
  const hi = new Uint32Array(1 << 16);
  let free = 0;
  let nan = -1;
  for (let i = 0; i < n; i++) {
    const a = bits[i] & 0x7fffffff;
    const isFree = (frozen[i] & 1) ^ 1;
    if (a > 0x7f800000 && isFree) nan = i;
    hi[a >>> 16] += isFree;
    free += isFree;
  }
  if (nan >= 0) throw new RangeError(`weight ${nan} is NaN; it cannot be ranked`);
  const need = target - (n - free);
  if (need <= 0) return new Uint32Array(0);
  let remaining = need;
  let hiBin = (1 << 16) - 1;
  while (hiBin >= 0 && hi[hiBin] < remaining) remaining -= hi[hiBin--];
  // Pass 2: inside the boundary bin, histogram of the low 16 bits (rarely taken branch).
  const lo = new Uint32Array(1 << 16);
  for (let i = 0; i < n; i++) {
    const a = bits[i] & 0x7fffffff;
    if (a >>> 16 === hiBin && !frozen[i]) lo[a & 0xffff]++;
  }
  let loBin = (1 << 16) - 1;
  while (loBin >= 0 && lo[loBin] < remaining) remaining -= lo[loBin--];
  // Pass 3: everything free strictly above the threshold key (branch-free compaction), plus
  // `remaining` of the free weights equal to it.
  const threshold = ((hiBin << 16) | loBin) >>> 0;
  const out = new Uint32Array(need + 1);
  let k = 0;
  let ties = remaining;
  for (let i = 0; i < n; i++) {
    const a = (bits[i] & 0x7fffffff) >>> 0;
    const isFree = (frozen[i] & 1) ^ 1;
    out[k] = i;
    k += (a > threshold ? 1 : 0) & isFree;
    if (a === threshold && isFree && ties > 0) {
      out[k++] = i;
      ties--;
    }
    if (k === need) break;
  }
  return out.subarray(0, need);
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
