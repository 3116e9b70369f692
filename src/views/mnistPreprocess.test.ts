import { describe, expect, it } from 'vitest';
import { centreOfMass, inkBox, MNIST_SIDE, resampleArea, toMnistImage } from './mnistPreprocess.ts';

/** A w×h black image with a filled white rectangle. */
function rect(w: number, h: number, x0: number, y0: number, x1: number, y1: number): Float32Array {
  const g = new Float32Array(w * h);
  for (let y = y0; y <= y1; y++) for (let x = x0; x <= x1; x++) g[y * w + x] = 1;
  return g;
}

/** Bounding box of the non-zero pixels of a 28×28 image. */
function box28(img: Float32Array) {
  return inkBox(img, MNIST_SIDE, MNIST_SIDE, 0);
}

describe('MNIST-style preprocessing', () => {
  it('returns null for an empty drawing', () => {
    expect(toMnistImage(new Float32Array(280 * 280), 280, 280)).toBeNull();
  });

  it('area averaging keeps the mean and maps a constant to itself', () => {
    const g = new Float32Array(100).fill(0.5);
    const out = resampleArea(g, 10, 0, 0, 10, 10, 3, 7);
    for (const v of out) expect(v).toBeCloseTo(0.5, 6);
    const r = rect(10, 10, 0, 0, 4, 9);
    const half = resampleArea(r, 10, 0, 0, 10, 10, 2, 1);
    expect(Array.from(half)).toEqual([1, 0]);
  });

  it('scales the longer side to 20 px and centres the mass in 28×28', () => {
    // A 100 wide × 200 tall block anywhere in the drawing.
    const img = toMnistImage(rect(280, 280, 20, 30, 119, 229), 280, 280)!;
    const b = box28(img)!;
    expect(b.y1 - b.y0 + 1).toBe(20);
    expect(b.x1 - b.x0 + 1).toBe(10);
    const c = centreOfMass(img, MNIST_SIDE, MNIST_SIDE);
    expect(Math.abs(c.x - 14)).toBeLessThanOrEqual(0.5);
    expect(Math.abs(c.y - 14)).toBeLessThanOrEqual(0.5);
    for (const v of img) expect(v >= 0 && v <= 1).toBe(true);
  });

  it('a thin vertical stroke becomes a 20 px tall line of about 2 px, like an MNIST "1"', () => {
    const img = toMnistImage(rect(280, 280, 130, 40, 151, 239), 280, 280)!;
    const b = box28(img)!;
    expect(b.y1 - b.y0 + 1).toBe(20);
    expect(b.x1 - b.x0 + 1).toBeLessThanOrEqual(3);
    expect(Math.max(...img)).toBeCloseTo(1, 5);
  });

  it('the mass, not the box, is centred: a heavy side pulls the box off-centre but keeps it inside', () => {
    // An "L" with a heavy foot: its box is 20×20, its mass right of the box's middle.
    const g = rect(280, 280, 0, 0, 39, 199);
    for (let y = 120; y < 200; y++) for (let x = 40; x < 200; x++) g[y * 280 + x] = 1;
    const img = toMnistImage(g, 280, 280)!;
    const c = centreOfMass(img, MNIST_SIDE, MNIST_SIDE);
    expect(Math.abs(c.x - 14)).toBeLessThanOrEqual(0.5);
    expect(Math.abs(c.y - 14)).toBeLessThanOrEqual(0.5);
    // Centring the box would put it at x = 4; centring the mass moves it to 6.
    expect(box28(img)!.x0).toBe(6);
  });
});
