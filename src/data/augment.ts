/**
 * Training-time augmentation for `inq pretrain`: each image in a batch is shifted by a random whole
 * number of pixels (at most `maxShift` each way, on both axes), the uncovered border filled with 0
 * (MNIST's and Fashion-MNIST's background). Small shifts are the classic MNIST augmentation: the
 * label survives them, and a wide model that has stopped learning from the fixed images keeps
 * improving on the shifted ones. Pure typed arrays, so Node, the browser and workers share it.
 */
import type { Rng } from '../inq/rng.ts';

/** Copies image `src` (H×W×C) into `dst` moved by (dy, dx) pixels; pixels moved off are dropped, uncovered ones are 0. */
export function shiftImage(src: Float32Array, dst: Float32Array, shape: readonly [number, number, number], dy: number, dx: number): void {
  const [h, w, c] = shape;
  dst.fill(0);
  for (let y = 0; y < h; y++) {
    const sy = y - dy;
    if (sy < 0 || sy >= h) continue;
    // The row's span that stays inside the image after moving dx.
    const x0 = Math.max(0, dx);
    const x1 = Math.min(w, w + dx);
    if (x1 <= x0) continue;
    dst.set(src.subarray((sy * w + (x0 - dx)) * c, (sy * w + (x1 - dx)) * c), (y * w + x0) * c);
  }
}

/** A new batch in which every image is shifted by its own random (dy, dx) in [-maxShift, maxShift]². */
export function shiftBatch(x: Float32Array, shape: readonly [number, number, number], maxShift: number, rng: Rng): Float32Array {
  if (!(maxShift >= 0) || !Number.isInteger(maxShift)) throw new RangeError(`shift must be a whole number of pixels ≥ 0 (got ${maxShift})`);
  const size = shape[0] * shape[1] * shape[2];
  if (x.length % size !== 0) throw new RangeError(`batch of ${x.length} values is not a whole number of ${shape.join('×')} images`);
  const out = new Float32Array(x.length);
  const span = 2 * maxShift + 1;
  for (let k = 0; k * size < x.length; k++) {
    const dy = rng.int(span) - maxShift;
    const dx = rng.int(span) - maxShift;
    shiftImage(x.subarray(k * size, (k + 1) * size), out.subarray(k * size, (k + 1) * size), shape, dy, dx);
  }
  return out;
}
