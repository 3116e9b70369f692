/**
 * Whether a run's training subset fits the worker's memory, checked before the run starts. The
 * worker copies the subset's images (float32) and labels out of MNIST; on a small device that copy
 * is what fails first, so it is refused up front with a size that fits, and an allocation that
 * fails anyway is caught and answered the same way.
 */

/** Smallest training subset the playground offers (the URL's lower bound). */
export const MIN_TRAIN_SUBSET = 64;

/** Share of the device's memory one run's subset copy may take. */
export const DEVICE_MEMORY_SHARE = 1 / 8;

/** Bytes one example costs in the worker's copy: float32 pixels plus a label byte. */
export function bytesPerExample(pixels: number): number {
  return pixels * 4 + 1;
}

/** What the worker knows about its memory. */
export interface MemoryFacts {
  /** navigator.deviceMemory (GiB, rounded by the browser), or null where the browser does not say. */
  deviceMemoryGiB: number | null;
  /** A budget in bytes set by a test hook to stand in for a smaller device, or null. */
  overrideBytes: number | null;
}

/** Bytes the subset copy may take, or null when nothing is known (then only a failed allocation stops a run). */
export function subsetBudget(f: MemoryFacts): number | null {
  const limits: number[] = [];
  if (f.deviceMemoryGiB !== null && Number.isFinite(f.deviceMemoryGiB) && f.deviceMemoryGiB > 0) limits.push(f.deviceMemoryGiB * 2 ** 30 * DEVICE_MEMORY_SHARE);
  if (f.overrideBytes !== null && Number.isFinite(f.overrideBytes) && f.overrideBytes >= 0) limits.push(f.overrideBytes);
  return limits.length ? Math.min(...limits) : null;
}

/** Examples the worker copies for a training subset of `trainSize` out of `available` (none when it uses the whole set). */
export function copiedExamples(trainSize: number, available: number): number {
  return trainSize >= available ? 0 : trainSize;
}

/** The largest subset `budget` bytes hold, rounded down to a round number (hundreds above 100); 0 below the minimum. */
export function largestSubset(budget: number, pixels: number): number {
  const n = Math.floor(budget / bytesPerExample(pixels));
  if (n < MIN_TRAIN_SUBSET) return 0;
  return n >= 100 ? Math.floor(n / 100) * 100 : n;
}

/** The message for a subset that does not fit, naming a size that does. */
export function subsetTooLargeMessage(fits: number): string {
  return fits >= MIN_TRAIN_SUBSET
    ? `the training subset is too large for this device's memory: try ${fits} or fewer`
    : `the training subset is too large for this device's memory, and even ${MIN_TRAIN_SUBSET} examples do not fit: close other tabs and reload`;
}

/** Refuses a subset over the budget: the message, or null when it fits (or the budget is unknown). */
export function checkSubsetFits(trainSize: number, available: number, pixels: number, budget: number | null): string | null {
  if (budget === null) return null;
  const copied = copiedExamples(trainSize, available);
  if (copied * bytesPerExample(pixels) <= budget) return null;
  return subsetTooLargeMessage(Math.min(largestSubset(budget, pixels), available - 1));
}

/** Whether an error is a failed allocation (a typed array or buffer the engine could not make). */
export function isAllocationFailure(e: unknown): boolean {
  return e instanceof RangeError && /allocat|Invalid typed array length|Array buffer|out of memory/i.test(e.message);
}

/** After a failed allocation: the largest subset, halving from `trainSize`, whose copy can be allocated now, halved again for headroom. */
export function probeSubset(trainSize: number, pixels: number, allocate: (bytes: number) => void = (b) => void new Uint8Array(b)): number {
  for (let n = Math.floor(trainSize / 2); n >= MIN_TRAIN_SUBSET; n = Math.floor(n / 2)) {
    try {
      allocate(n * bytesPerExample(pixels));
      return largestSubset((n / 2) * bytesPerExample(pixels), pixels) || n;
    } catch {
      // Still too large: halve again.
    }
  }
  return 0;
}
