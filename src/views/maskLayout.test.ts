import { describe, expect, it } from 'vitest';
import { maskLayout } from './maskLayout.ts';
import { niceCeil, niceTicks } from './svgScale.ts';

describe('maskLayout', () => {
  it.each([[[5, 5, 1, 6]], [[5, 5, 6, 16]], [[3, 3, 7, 5]], [[400, 120]], [[84, 10]], [[7]], [[2, 3, 4]]])('places every weight of %j exactly once', (shape) => {
    const n = shape.reduce((a, b) => a * b, 1);
    const l = maskLayout(shape);
    expect(l.indexAt.length).toBe(l.width * l.height);
    const seen = new Uint8Array(n);
    let outside = 0;
    let twice = 0;
    for (const i of l.indexAt) {
      if (i < 0) continue;
      if (i >= n) outside++;
      else if (seen[i]++) twice++;
    }
    expect({ outside, twice, missing: seen.filter((s) => s === 0).length }).toEqual({ outside: 0, twice: 0, missing: 0 });
  });

  it('tiles conv kernels by output channel and names a weight by its kernel position', () => {
    const [kh, kw, cin, cout] = [5, 5, 6, 16];
    const l = maskLayout([kh, kw, cin, cout]);
    const i = ((2 * kw + 3) * cin + 4) * cout + 7; // row 2, col 3, in 4, out 7
    expect(l.describe(i)).toBe('kernel row 2, col 3 · in-channel 4 → out-channel 7');
    // Weight (0, 0, in 0) of output 0 sits in the top-left pixel.
    expect(l.indexAt[0]).toBe(0);
  });

  it('names dense weights by input and output', () => {
    expect(maskLayout([400, 120]).describe(5 * 120 + 9)).toBe('input 5 → output 9');
  });
});

describe('svgScale', () => {
  it('rounds up to 1, 2, 2.5 or 5 × 10^k', () => {
    expect([0.7, 1, 1.2, 2.2, 4, 6, 4500].map(niceCeil)).toEqual([1, 1, 2, 2.5, 5, 10, 5000]);
  });
  it('gives round ticks inside the range', () => {
    expect(niceTicks(52, 76, 5)).toEqual([55, 60, 65, 70, 75]);
    expect(niceTicks(0, 1, 4)).toEqual([0, 0.25, 0.5, 0.75, 1]);
  });
});
