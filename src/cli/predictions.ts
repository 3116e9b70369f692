/**
 * predictions.json: a finished run's predicted class for every test image it was scored on, with
 * which images those were (dataset, split, the index range and a hash of the pixels and labels),
 * so that `inq compare` can pair two runs image by image and refuse runs scored on different images.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Dataset } from '../data/dataset.ts';
import { comparePaired, type PairedComparison } from '../inq/stats.ts';
import { UsageError } from './args.ts';

/** File name inside a run's --out folder. */
export const PREDICTIONS_FILE = 'predictions.json';

/** What predictions.json holds. */
export interface PredictionsFile {
  format: 'inq-predictions';
  version: 1;
  dataset: string;
  split: 'test';
  /** The images scored: indices first … first + testSize − 1 of the prepared test split, in order. */
  first: number;
  testSize: number;
  /** FNV-1a (32-bit) of the images' float32 pixels followed by their labels: the same images give the same hash. */
  imagesHash: string;
  seed: number;
  accuracy: number;
  labels: number[];
  predictions: number[];
}

/** FNV-1a, 32 bits, over some bytes (continuing from `h`). */
export function fnv1a32(bytes: Uint8Array, h = 0x811c9dc5): number {
  for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i], 0x01000193) >>> 0;
  return h >>> 0;
}

/** The hash that identifies a test set's images and labels. */
export function imagesHash(ds: Dataset): string {
  const px = new Uint8Array(ds.images.buffer, ds.images.byteOffset, ds.images.byteLength);
  const lb = new Uint8Array(ds.labels.buffer, ds.labels.byteOffset, ds.labels.byteLength);
  return `fnv1a32:${fnv1a32(lb, fnv1a32(px)).toString(16).padStart(8, '0')}`;
}

/** The predictions record of a run scored on `test` (the first `test.count` images of `dataset`'s test split). */
export function predictionsRecord(dataset: string, test: Dataset, predictions: Int32Array, seed: number): PredictionsFile {
  let correct = 0;
  for (let i = 0; i < test.count; i++) if (predictions[i] === test.labels[i]) correct++;
  return {
    format: 'inq-predictions',
    version: 1,
    dataset,
    split: 'test',
    first: 0,
    testSize: test.count,
    imagesHash: imagesHash(test),
    seed,
    accuracy: correct / test.count,
    labels: Array.from(test.labels),
    predictions: Array.from(predictions),
  };
}

/** Writes predictions.json into a run folder. */
export function writePredictions(dir: string, rec: PredictionsFile): void {
  writeFileSync(join(dir, PREDICTIONS_FILE), JSON.stringify(rec));
}

/** Reads and checks a run folder's predictions.json (one-line errors). */
export function readPredictions(dir: string): PredictionsFile {
  const path = join(dir, PREDICTIONS_FILE);
  if (!existsSync(path)) throw new UsageError(`no ${PREDICTIONS_FILE} in ${dir} (a run writes one with: npm run -s inq -- run … --out DIR)`);
  let v: unknown;
  try {
    v = JSON.parse(readFileSync(path, 'utf8')) as unknown;
  } catch (e) {
    throw new UsageError(`${path} is not valid JSON (${(e as Error).message.split('\n')[0]})`);
  }
  const r = v as Partial<PredictionsFile> | null;
  if (!r || r.format !== 'inq-predictions' || r.version !== 1) throw new UsageError(`${path} is not an inq predictions file (format inq-predictions, version 1)`);
  const n = r.testSize;
  if (!Number.isInteger(n) || (n as number) < 1) throw new UsageError(`${path}: testSize must be a whole number ≥ 1`);
  for (const key of ['labels', 'predictions'] as const) {
    const a = r[key];
    if (!Array.isArray(a) || a.length !== n || a.some((x) => !Number.isInteger(x))) throw new UsageError(`${path}: ${key} must list ${n} whole numbers`);
  }
  if (typeof r.dataset !== 'string' || typeof r.imagesHash !== 'string' || r.split !== 'test' || !Number.isInteger(r.first)) throw new UsageError(`${path}: dataset, split, first and imagesHash are missing or malformed`);
  return r as PredictionsFile;
}

/** Pairs two runs' predictions, refusing runs scored on different test images. */
export function compareRuns(a: PredictionsFile, b: PredictionsFile): PairedComparison {
  const what = (r: PredictionsFile): string => `${r.dataset} ${r.split} images ${r.first}…${r.first + r.testSize - 1}`;
  const same =
    a.dataset === b.dataset && a.split === b.split && a.first === b.first && a.testSize === b.testSize && a.imagesHash === b.imagesHash && a.labels.every((l, i) => l === b.labels[i]);
  if (!same) {
    throw new UsageError(
      `the two runs were scored on different test images (A: ${what(a)}, ${a.imagesHash}; B: ${what(b)}, ${b.imagesHash}): ` +
        'a paired comparison needs the same images; run both with the same --dataset and --test-size (or --final-test-size)',
    );
  }
  return comparePaired(a.predictions, b.predictions, a.labels);
}
