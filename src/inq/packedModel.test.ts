import { describe, it, expect } from 'vitest';
import { buildPackedModel, loadPackedModel, PackedFormatError, type PackedManifest } from './packedModel.ts';
import { packLevels, unpackLevels } from './codec.ts';
import { levelSet, maxAbs } from './levels.ts';
import { quantizeAll } from './quantize.ts';
import { createRng } from './rng.ts';

function sample(seed = 1) {
  const rng = createRng(seed);
  const shapes = [
    { name: 'conv1', kind: 'Conv2D' as const, shape: [3, 3, 1, 4], layout: 'HWIO' as const },
    { name: 'fc1', kind: 'Dense' as const, shape: [36, 5], layout: 'IO' as const },
  ];
  const bits = 5;
  const values: Float32Array[] = [];
  const words: Uint32Array[] = [];
  const layers = shapes.map((s) => {
    const count = s.shape.reduce((a, b) => a * b, 1);
    const w = Float32Array.from({ length: count }, () => rng.normal() * 0.3);
    const set = levelSet(bits, maxAbs(w));
    const q = quantizeAll(w, set);
    values.push(q);
    words.push(packLevels(q, set));
    return { ...s, count, bits, n1: set.n1, bias: Array.from({ length: s.shape.at(-1)! }, () => Math.fround(rng.normal())) };
  });
  const built = buildPackedModel(
    {
      model: 'test',
      inputShape: [5, 5, 1],
      numClasses: 5,
      codesFile: 'codes.bin',
      layers,
      ops: [{ op: 'conv2d', layer: 'conv1', strides: [1, 1], padding: 'valid', relu: true }, { op: 'flatten' }, { op: 'dense', layer: 'fc1', relu: false }],
    },
    words,
  );
  return { ...built, values };
}

describe('packed model format', () => {
  it('round-trips through JSON and bytes', () => {
    const { manifest, codes, values } = sample();
    const loaded = loadPackedModel(JSON.parse(JSON.stringify(manifest)), codes.slice());
    loaded.manifest.layers.forEach((l, i) => {
      expect(Array.from(unpackLevels(loaded.codes[i], l.count, l.bits, l.n1))).toEqual(Array.from(values[i]));
    });
    expect(loaded.manifest.layers[1].offset % 4).toBe(0);
  });

  const corrupt: [string, (m: PackedManifest, c: Uint8Array) => [unknown, Uint8Array], RegExp][] = [
    ['a truncated codes file', (m, c) => [m, c.subarray(0, c.length - 4)], /truncated/],
    ['an empty file', (m) => [m, new Uint8Array(0)], /truncated/],
    ['another format', (m, c) => [{ ...m, format: 'tfjs' }, c], /not an INQ packed model/],
    ['a future version', (m, c) => [{ ...m, version: 9 }, c], /version 9/],
    ['a shape that lies', (m, c) => [{ ...m, layers: [{ ...m.layers[0], shape: [3, 3, 1, 5] }, m.layers[1]] }, c], /count 36 does not match/],
    ['bits out of range', (m, c) => [{ ...m, layers: [{ ...m.layers[0], bits: 9 }, m.layers[1]] }, c], /bits must be 2 to 8/],
    ['overlapping layers', (m, c) => [{ ...m, layers: [m.layers[0], { ...m.layers[1], offset: 0 }] }, c], /after the previous layer/],
    ['a short bias', (m, c) => [{ ...m, layers: [{ ...m.layers[0], bias: [1] }, m.layers[1]] }, c], /bias must be 4/],
    ['an unknown op', (m, c) => [{ ...m, ops: [{ op: 'softmax' }] }, c], /unknown op/],
    ['not JSON object', (_m, c) => [[1, 2], c], /not a JSON object/],
    ['an invalid code', (m, c) => {
      const bad = c.slice();
      bad[0] = 0b00101; // flag bit clear but other bits set
      return [m, bad];
    }, /invalid code/],
  ];
  for (const [name, mutate, msg] of corrupt) {
    it(`refuses ${name} with a clear message`, () => {
      const { manifest, codes } = sample(2);
      const [m, c] = mutate(JSON.parse(JSON.stringify(manifest)) as PackedManifest, codes);
      expect(() => loadPackedModel(m, c)).toThrow(PackedFormatError);
      expect(() => loadPackedModel(m, c)).toThrow(msg);
    });
  }
});
