import { describe, expect, it } from 'vitest';
import { cellImages, confusionMatrix } from './confusion.ts';
import { createRng } from '../inq/rng.ts';

describe('confusionMatrix', () => {
  it('counts a hand-worked example', () => {
    // Three classes, six images: two 0s right, a 1 taken for a 2, a 2 right, a 2 taken for a 0, a 1 right.
    const labels = [0, 0, 1, 2, 2, 1];
    const predicted = [0, 0, 2, 2, 0, 1];
    const m = confusionMatrix(labels, predicted, 3);
    // rows = true class, columns = predicted class
    expect(Array.from(m.counts)).toEqual([
      2, 0, 0,
      0, 1, 1,
      1, 0, 1,
    ]);
    expect(m.total).toBe(6);
    expect(m.correct).toBe(4);
    expect(m.classes).toBe(3);
  });

  it('agrees with a naive count on random inputs, and its cells sum to n', () => {
    const rng = createRng(42);
    for (let trial = 0; trial < 20; trial++) {
      const classes = 1 + rng.int(10);
      const n = rng.int(500);
      const labels = Uint8Array.from({ length: n }, () => rng.int(classes));
      const predicted = Uint8Array.from({ length: n }, () => rng.int(classes));
      const m = confusionMatrix(labels, predicted, classes);
      let sum = 0;
      let diagonal = 0;
      for (let t = 0; t < classes; t++) {
        for (let p = 0; p < classes; p++) {
          let naive = 0;
          for (let i = 0; i < n; i++) if (labels[i] === t && predicted[i] === p) naive++;
          expect(m.counts[t * classes + p]).toBe(naive);
          sum += m.counts[t * classes + p];
          if (t === p) diagonal += m.counts[t * classes + p];
        }
      }
      expect(sum).toBe(n);
      expect(m.total).toBe(n);
      expect(m.correct).toBe(diagonal);
    }
  });

  it('is empty for no images', () => {
    const m = confusionMatrix([], [], 10);
    expect(m.total).toBe(0);
    expect(m.counts.every((c) => c === 0)).toBe(true);
  });

  it('refuses mismatched lengths, classes out of range and a bad class count', () => {
    expect(() => confusionMatrix([0, 1], [0], 2)).toThrow(RangeError);
    expect(() => confusionMatrix([0, 2], [0, 1], 2)).toThrow(/label 1 is 2/);
    expect(() => confusionMatrix([0, 1], [0, -1], 2)).toThrow(/prediction 1/);
    expect(() => confusionMatrix([0], [0.5], 2)).toThrow(RangeError);
    expect(() => confusionMatrix([0], [0], 0)).toThrow(RangeError);
  });
});

describe('cellImages', () => {
  it('lists the images of one cell in order, up to a limit, with the full count', () => {
    const labels = [4, 4, 9, 4, 4, 4];
    const predicted = [9, 4, 9, 9, 9, 9];
    expect(cellImages(labels, predicted, 4, 9)).toEqual({ indices: [0, 3, 4, 5], total: 4 });
    expect(cellImages(labels, predicted, 4, 9, 2)).toEqual({ indices: [0, 3], total: 4 });
    expect(cellImages(labels, predicted, 1, 1)).toEqual({ indices: [], total: 0 });
  });

  it('matches the matrix cell by cell', () => {
    const rng = createRng(7);
    const labels = Uint8Array.from({ length: 300 }, () => rng.int(10));
    const predicted = Uint8Array.from({ length: 300 }, () => rng.int(10));
    const m = confusionMatrix(labels, predicted, 10);
    for (let t = 0; t < 10; t++) for (let p = 0; p < 10; p++) expect(cellImages(labels, predicted, t, p).total).toBe(m.counts[t * 10 + p]);
  });
});
