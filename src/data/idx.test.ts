import { describe, it, expect } from 'vitest';
import { parseIdx, IdxError } from './idx.ts';
import { datasetFromIdx } from './dataset.ts';

function idx(dims: number[], data: number[], type = 0x08): Uint8Array {
  const out = new Uint8Array(4 + 4 * dims.length + data.length);
  out[2] = type;
  out[3] = dims.length;
  const v = new DataView(out.buffer);
  dims.forEach((d, i) => v.setUint32(4 + 4 * i, d, false));
  out.set(data, 4 + 4 * dims.length);
  return out;
}

describe('parseIdx', () => {
  it('reads dimensions and data', () => {
    const r = parseIdx(idx([2, 2, 3], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]));
    expect(r.dims).toEqual([2, 2, 3]);
    expect(Array.from(r.data)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
  });

  const bad: [string, Uint8Array, RegExp][] = [
    ['empty', new Uint8Array(0), /too short/],
    ['bad magic', Uint8Array.of(1, 2, 8, 1, 0, 0, 0, 0), /bad magic/],
    ['float data type', idx([1], [0, 0, 0, 0], 0x0d), /data type 0xd/],
    ['zero dimensions', Uint8Array.of(0, 0, 8, 0), /0 dimensions/],
    ['truncated header', Uint8Array.of(0, 0, 8, 3, 0, 0, 0, 1), /truncated inside its header/],
    ['truncated data', idx([10, 28, 28], new Array(500).fill(7)), /truncated: its header promises 7840 bytes .* has 500/],
    ['trailing bytes', idx([2], [1, 2, 3]), /1 unexpected bytes/],
  ];
  for (const [name, bytes, msg] of bad) {
    it(`refuses ${name} with a clear IdxError`, () => {
      expect(() => parseIdx(bytes, 'test file')).toThrow(IdxError);
      expect(() => parseIdx(bytes, 'test file')).toThrow(msg);
    });
  }

  it('checks the expected rank', () => {
    expect(() => parseIdx(idx([2], [1, 2]), 'labels', 3)).toThrow(/1 dimensions; expected 3/);
  });
});

describe('datasetFromIdx', () => {
  it('normalises pixels to [0, 1] and keeps labels', () => {
    const ds = datasetFromIdx('t', idx([2, 1, 2], [0, 255, 51, 102]), idx([2], [3, 9]));
    expect(ds.count).toBe(2);
    expect(ds.shape).toEqual([1, 2, 1]);
    expect(Array.from(ds.images)).toEqual([0, 1, 0.2, 0.4].map((v) => Math.fround(v)));
    expect(Array.from(ds.labels)).toEqual([3, 9]);
  });

  it('refuses image/label count mismatch and out-of-range labels', () => {
    expect(() => datasetFromIdx('t', idx([2, 1, 1], [0, 1]), idx([3], [0, 1, 2]))).toThrow(/2 images but 3 labels/);
    expect(() => datasetFromIdx('t', idx([1, 1, 1], [0]), idx([1], [12]))).toThrow(/label 12/);
  });
});
