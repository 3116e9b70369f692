import { describe, expect, it } from 'vitest';
import { shiftBatch, shiftImage } from './augment.ts';
import { createRng } from '../inq/rng.ts';

/** The definition, one pixel at a time: out[y][x][ch] = in[y-dy][x-dx][ch] where that lies inside, else 0. */
function shiftNaive(src: Float32Array, shape: [number, number, number], dy: number, dx: number): Float32Array {
  const [h, w, c] = shape;
  const out = new Float32Array(src.length);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++)
      for (let ch = 0; ch < c; ch++) {
        const sy = y - dy;
        const sx = x - dx;
        out[(y * w + x) * c + ch] = sy >= 0 && sy < h && sx >= 0 && sx < w ? src[(sy * w + sx) * c + ch] : 0;
      }
  return out;
}

function randomImages(n: number, shape: [number, number, number], seed: number): Float32Array {
  const rng = createRng(seed);
  return Float32Array.from({ length: n * shape[0] * shape[1] * shape[2] }, () => 0.1 + rng.next());
}

describe('shift augmentation', () => {
  it('matches the pixel-by-pixel definition for every shift, on random images with channels', () => {
    const shape: [number, number, number] = [7, 5, 2];
    const src = randomImages(1, shape, 4);
    const dst = new Float32Array(src.length);
    for (let dy = -8; dy <= 8; dy++)
      for (let dx = -6; dx <= 6; dx++) {
        dst.fill(-1);
        shiftImage(src, dst, shape, dy, dx);
        expect(Array.from(dst)).toEqual(Array.from(shiftNaive(src, shape, dy, dx)));
      }
  });

  it('shifts each image of a batch by its own amount within the bound, and keeps the input', () => {
    const shape: [number, number, number] = [28, 28, 1];
    const n = 64;
    const x = randomImages(n, shape, 9);
    const before = x.slice();
    const out = shiftBatch(x, shape, 2, createRng(1));
    expect(x).toEqual(before);
    const size = 28 * 28;
    const seen = new Set<string>();
    for (let k = 0; k < n; k++) {
      const img = x.subarray(k * size, (k + 1) * size);
      const got = Array.from(out.subarray(k * size, (k + 1) * size));
      // Exactly one shift in the bound explains each output image (random pixels make them distinct).
      const fits: string[] = [];
      for (let dy = -2; dy <= 2; dy++)
        for (let dx = -2; dx <= 2; dx++) if (got.every((v, i) => v === shiftNaive(img, shape, dy, dx)[i])) fits.push(`${dy},${dx}`);
      expect(fits).toHaveLength(1);
      seen.add(fits[0]);
    }
    // 64 draws from 25 shifts: the seeded draw uses many of them, not one.
    expect(seen.size).toBeGreaterThan(10);
  });

  it('is the identity at shift 0 and deterministic per seed; rejects a bad bound', () => {
    const shape: [number, number, number] = [28, 28, 1];
    const x = randomImages(8, shape, 2);
    expect(shiftBatch(x, shape, 0, createRng(5))).toEqual(x);
    expect(shiftBatch(x, shape, 3, createRng(5))).toEqual(shiftBatch(x, shape, 3, createRng(5)));
    expect(() => shiftBatch(x, shape, -1, createRng(5))).toThrow(/whole number/);
    expect(() => shiftBatch(x, shape, 1.5, createRng(5))).toThrow(/whole number/);
    expect(() => shiftBatch(x.subarray(1), shape, 1, createRng(5))).toThrow(/not a whole number/);
  });
});
