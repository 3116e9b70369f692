import { describe, it, expect } from 'vitest';
import { bytesPerExample, checkSubsetFits, isAllocationFailure, largestSubset, probeSubset, subsetBudget, MIN_TRAIN_SUBSET } from './memoryBudget.ts';

const MNIST_PIXELS = 784;

describe('training subset memory budget', () => {
  it('takes the smaller of 1/8 of the device memory and a test override; unknown without either', () => {
    expect(subsetBudget({ deviceMemoryGiB: 8, overrideBytes: null })).toBe(2 ** 30);
    expect(subsetBudget({ deviceMemoryGiB: 8, overrideBytes: 1000 })).toBe(1000);
    expect(subsetBudget({ deviceMemoryGiB: null, overrideBytes: null })).toBeNull();
    expect(subsetBudget({ deviceMemoryGiB: NaN, overrideBytes: -1 })).toBeNull();
  });

  it('lets all of MNIST train on a 2 GiB device, refuses 50,000 on a 0.5 GiB one with a size that fits', () => {
    expect(checkSubsetFits(59_999, 60_000, MNIST_PIXELS, subsetBudget({ deviceMemoryGiB: 2, overrideBytes: null }))).toBeNull();
    const budget = subsetBudget({ deviceMemoryGiB: 0.5, overrideBytes: null })!;
    const msg = checkSubsetFits(50_000, 60_000, MNIST_PIXELS, budget);
    expect(msg).toMatch(/^the training subset is too large for this device's memory: try (\d+) or fewer$/);
    const n = Number(/try (\d+)/.exec(msg!)![1]);
    expect(n % 100).toBe(0);
    expect(n * bytesPerExample(MNIST_PIXELS)).toBeLessThanOrEqual(budget);
    expect((n + 100) * bytesPerExample(MNIST_PIXELS)).toBeGreaterThan(budget);
    // The suggested size passes the same check.
    expect(checkSubsetFits(n, 60_000, MNIST_PIXELS, budget)).toBeNull();
  });

  it('the whole set is not copied, so it always fits; below the minimum it says so', () => {
    expect(checkSubsetFits(60_000, 60_000, MNIST_PIXELS, 10)).toBeNull();
    expect(checkSubsetFits(1000, 60_000, MNIST_PIXELS, 10)).toMatch(/even 64 examples do not fit/);
    expect(largestSubset(63 * bytesPerExample(MNIST_PIXELS), MNIST_PIXELS)).toBe(0);
    expect(largestSubset(64 * bytesPerExample(MNIST_PIXELS), MNIST_PIXELS)).toBe(MIN_TRAIN_SUBSET);
    expect(largestSubset(99 * bytesPerExample(MNIST_PIXELS), MNIST_PIXELS)).toBe(99);
  });

  it('recognises failed allocations and probes down to a size that can be allocated', () => {
    let caught: unknown = null;
    try {
      new ArrayBuffer(2 ** 53);
    } catch (e) {
      caught = e;
    }
    expect(isAllocationFailure(caught)).toBe(true);
    expect(isAllocationFailure(new RangeError('bits must be 2 to 8'))).toBe(false);
    expect(isAllocationFailure('out of memory')).toBe(false);
    // A device that can allocate 5,000 examples' worth: the probe halves 40,000 → 20,000 → 10,000 → 5,000, then suggests half.
    const limit = 5000 * bytesPerExample(MNIST_PIXELS);
    const n = probeSubset(40_000, MNIST_PIXELS, (b) => {
      if (b > limit) throw new RangeError('Array buffer allocation failed');
    });
    expect(n).toBe(2500);
    expect(probeSubset(100, MNIST_PIXELS, () => {
      throw new RangeError('Array buffer allocation failed');
    })).toBe(0);
  });
});
