import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeIdx } from './idx.ts';
import { loadDatasetNode, readIdxFolder } from './nodeDatasets.ts';
import { loadMnistNode } from './nodeMnist.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('loadDatasetNode', () => {
  it('gives MNIST through loadMnistNode (the official split)', () => {
    expect(loadDatasetNode('mnist')).toBe(loadMnistNode());
  });

  it('gives the real Fashion-MNIST split: 6,000 train and 1,000 test images per class, disjoint', () => {
    const { train, test } = loadDatasetNode('fashion');
    expect(train.name).toBe('Fashion-MNIST train');
    expect([train.count, test.count]).toEqual([60000, 10000]);
    expect(train.shape).toEqual([28, 28, 1]);
    const perClass = (labels: Uint8Array): number[] => Array.from({ length: 10 }, (_, c) => labels.filter((l) => l === c).length);
    expect(perClass(train.labels)).toEqual(new Array(10).fill(6000));
    expect(perClass(test.labels)).toEqual(new Array(10).fill(1000));
    // A prefix (what --test-size takes) holds every class.
    expect(new Set(test.labels.subarray(0, 200)).size).toBe(10);
    // The split is disjoint by construction; the package itself may repeat an image, but rarely.
    const hash = (images: Float32Array, i: number): number => {
      let h = 2166136261;
      for (let p = i * 784; p < (i + 1) * 784; p++) h = Math.imul(h ^ Math.round(images[p] * 255), 16777619) >>> 0;
      return h;
    };
    const trainHashes = new Set(Array.from({ length: train.count }, (_, i) => hash(train.images, i)));
    let shared = 0;
    for (let i = 0; i < 1000; i++) if (trainHashes.has(hash(test.images, i))) shared++;
    expect(shared).toBeLessThan(5);
  });
});

describe('readIdxFolder', () => {
  it('reads raw IDX files and gzip copies alike, and names a missing one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'inq-idx-'));
    dirs.push(dir);
    const labels = encodeIdx([2], Uint8Array.of(3, 4));
    writeFileSync(join(dir, 'train-images-idx3-ubyte'), encodeIdx([2, 1, 1], Uint8Array.of(0, 255)));
    writeFileSync(join(dir, 'train-labels-idx1-ubyte.gzip'), gzipSync(labels));
    writeFileSync(join(dir, 't10k-images-idx3-ubyte.gzip'), gzipSync(encodeIdx([1, 1, 1], Uint8Array.of(9))));
    expect(() => readIdxFolder(dir, 'Fashion-MNIST')).toThrow(/Fashion-MNIST file missing: .*t10k-labels-idx1-ubyte/);
    writeFileSync(join(dir, 't10k-labels-idx1-ubyte'), encodeIdx([1], Uint8Array.of(1)));
    const files = readIdxFolder(dir);
    expect(files.trainLabels).toEqual(labels);
    const split = loadDatasetNode('fashion', dir);
    expect(Array.from(split.train.labels)).toEqual([3, 4]);
    expect(Array.from(split.train.images)).toEqual([0, 1]);
  });
});
