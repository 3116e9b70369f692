/**
 * Confusion matrices and the images in one cell: pure counting over arrays (no tfjs, no DOM), so the
 * engine's tests and the page's views can both use it.
 */

/** Counts of (true class, predicted class) pairs over a set of images. */
export interface ConfusionMatrix {
  classes: number;
  /** Row-major: counts[t * classes + p] images of true class t were predicted as p. */
  counts: Uint32Array;
  /** Images counted (the sum of every cell). */
  total: number;
  /** Images on the diagonal (predicted as their true class). */
  correct: number;
}

function checkClass(v: number, classes: number, what: string, i: number): void {
  if (!Number.isInteger(v) || v < 0 || v >= classes) throw new RangeError(`${what} ${i} is ${v}, not a class 0–${classes - 1}`);
}

function checkInputs(labels: ArrayLike<number>, predicted: ArrayLike<number>, classes: number): void {
  if (!Number.isInteger(classes) || classes < 1) throw new RangeError(`the number of classes must be a positive whole number (got ${classes})`);
  if (labels.length !== predicted.length) throw new RangeError(`${labels.length} labels but ${predicted.length} predictions`);
}

/** The confusion matrix of `predicted` against `labels` (same length, each a class 0…classes−1). */
export function confusionMatrix(labels: ArrayLike<number>, predicted: ArrayLike<number>, classes: number): ConfusionMatrix {
  checkInputs(labels, predicted, classes);
  const counts = new Uint32Array(classes * classes);
  let correct = 0;
  for (let i = 0; i < labels.length; i++) {
    const t = labels[i];
    const p = predicted[i];
    checkClass(t, classes, 'label', i);
    checkClass(p, classes, 'prediction', i);
    counts[t * classes + p]++;
    if (t === p) correct++;
  }
  return { classes, counts, total: labels.length, correct };
}

/** The images (indices, in order) of true class `trueClass` predicted as `predictedClass`: the first `limit`, and how many there are. */
export function cellImages(
  labels: ArrayLike<number>,
  predicted: ArrayLike<number>,
  trueClass: number,
  predictedClass: number,
  limit = Infinity,
): { indices: number[]; total: number } {
  if (labels.length !== predicted.length) throw new RangeError(`${labels.length} labels but ${predicted.length} predictions`);
  const indices: number[] = [];
  let total = 0;
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] !== trueClass || predicted[i] !== predictedClass) continue;
    total++;
    if (indices.length < limit) indices.push(i);
  }
  return { indices, total };
}
