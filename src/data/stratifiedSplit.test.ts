import { describe, expect, it } from 'vitest';
import { isValidImage, stratifiedSplit } from './stratifiedSplit.ts';

const PIXELS = 4;

/** Image `id` of a class: its id in the first two pixels (base 256), its class in the third. */
function image(label: number, id: number): number[] {
  return [id >> 8, id & 255, label, 7];
}

/** Classes of the given sizes, numbered across classes, with the listed junk entries mixed in. */
function classes(sizes: number[], junk: Record<number, unknown[]> = {}): unknown[][] {
  let id = 0;
  return sizes.map((n, label) => {
    const list: unknown[] = [];
    for (let i = 0; i < n; i++) list.push(image(label, id++));
    for (const [k, j] of (junk[label] ?? []).entries()) list.splice(Math.min(list.length, 3 * k + 1), 0, j);
    return list;
  });
}

const ids = (images: Uint8Array, count: number): number[] => Array.from({ length: count }, (_, i) => images[i * PIXELS] * 256 + images[i * PIXELS + 1]);

describe('stratifiedSplit', () => {
  const sizes = [70, 7, 13, 0, 100, 1];
  const split = stratifiedSplit(classes(sizes), { seed: 5, testShare: 1 / 7, pixels: PIXELS });

  it('puts round(share × n) of every class in test and the rest in train', () => {
    expect(split.perClass.map((c) => c.test)).toEqual([10, 1, 2, 0, 14, 0]);
    split.perClass.forEach((c, label) => {
      expect(c.train + c.test).toBe(sizes[label]);
      expect(Math.abs(c.test - sizes[label] / 7)).toBeLessThanOrEqual(1);
      const count = (labels: Uint8Array): number => labels.filter((l) => l === label).length;
      expect(count(split.test.labels)).toBe(c.test);
      expect(count(split.train.labels)).toBe(c.train);
    });
    expect(split.train.count + split.test.count).toBe(191);
  });

  it('keeps train and test disjoint and loses no image', () => {
    const train = ids(split.train.images, split.train.count);
    const test = ids(split.test.images, split.test.count);
    expect(new Set([...train, ...test]).size).toBe(191);
    expect(train.filter((i) => test.includes(i))).toEqual([]);
  });

  it('labels every image with the class it came from, pixels intact', () => {
    for (const set of [split.train, split.test]) {
      for (let i = 0; i < set.count; i++) {
        expect(set.images[i * PIXELS + 2]).toBe(set.labels[i]);
        expect(set.images[i * PIXELS + 3]).toBe(7);
      }
    }
  });

  it('is deterministic for a seed and differs between seeds', () => {
    const again = stratifiedSplit(classes(sizes), { seed: 5, testShare: 1 / 7, pixels: PIXELS });
    expect(again.test.images).toEqual(split.test.images);
    expect(again.train.labels).toEqual(split.train.labels);
    const other = stratifiedSplit(classes(sizes), { seed: 6, testShare: 1 / 7, pixels: PIXELS });
    expect(ids(other.test.images, other.test.count).sort()).not.toEqual(ids(split.test.images, split.test.count).sort());
  });

  it('mixes the classes in each set (a prefix is not one class)', () => {
    expect(new Set(split.train.labels.subarray(0, 20)).size).toBeGreaterThan(1);
    expect(new Set(split.test.labels.subarray(0, 10)).size).toBeGreaterThan(1);
  });

  it('drops and counts empty or malformed entries, and the rest splits as if they were never there', () => {
    const junk = { 0: [[], [1, 2, 3], [1, 2, 3, 300], [0, 0, 0.5, 0], null, 'x'], 4: [[], [-1, 0, 0, 0]] };
    const dirty = stratifiedSplit(classes(sizes, junk), { seed: 5, testShare: 1 / 7, pixels: PIXELS });
    expect(dirty.dropped).toBe(8);
    expect(dirty.perClass.map((c) => c.dropped)).toEqual([6, 0, 0, 0, 2, 0]);
    expect(dirty.test.images).toEqual(split.test.images);
    expect(dirty.train.labels).toEqual(split.train.labels);
  });

  it('refuses a share outside (0, 1)', () => {
    expect(() => stratifiedSplit(classes([3]), { seed: 1, testShare: 1, pixels: PIXELS })).toThrow(/between 0 and 1/);
    expect(() => stratifiedSplit(classes([3]), { seed: 1, testShare: 0, pixels: PIXELS })).toThrow(/between 0 and 1/);
  });
});

describe('isValidImage', () => {
  it('accepts only arrays of the right length of whole numbers 0–255', () => {
    expect(isValidImage([0, 255, 3, 4], 4)).toBe(true);
    expect(isValidImage([], 4)).toBe(false);
    expect(isValidImage([0, 255, 3], 4)).toBe(false);
    expect(isValidImage([0, 256, 3, 4], 4)).toBe(false);
    expect(isValidImage([0, NaN, 3, 4], 4)).toBe(false);
    expect(isValidImage(new Uint8Array(4), 4)).toBe(false);
  });
});
