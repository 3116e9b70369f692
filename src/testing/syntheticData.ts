/** Small learnable datasets for fast engine tests on tfjs's cpu backend. */
import { createRng } from '../inq/rng.ts';
import type { Dataset } from '../data/dataset.ts';

/** 8×8 images whose class is the brightest quadrant (4 classes); learnable in a few epochs by `tinyConvNet`. */
export function quadrantData(n: number, seed: number): Dataset {
  const rng = createRng(seed);
  const images = new Float32Array(n * 64);
  const labels = new Uint8Array(n);
  for (let k = 0; k < n; k++) {
    const c = rng.int(4);
    labels[k] = c;
    for (let y = 0; y < 8; y++) {
      for (let x = 0; x < 8; x++) {
        const q = (y >= 4 ? 2 : 0) + (x >= 4 ? 1 : 0);
        images[k * 64 + y * 8 + x] = rng.next() * 0.5 + (q === c ? 0.5 : 0);
      }
    }
  }
  return { name: 'quadrants', images, labels, count: n, shape: [8, 8, 1], numClasses: 4 };
}
