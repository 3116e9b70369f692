/**
 * Browser (page or module worker): fetches the gzip IDX files that `npm run prepare-data` puts in
 * public/data/mnist/ and public/data/fashion/ (the same four file names for both) and decodes them.
 * Uses no DOM, only fetch, Blob and DecompressionStream.
 */
import { datasetFromIdx, MNIST_FILE_NAMES, type DatasetSplit, type MnistFiles } from './dataset.ts';
import { DATASETS, type DatasetName } from './datasets.ts';

/** Suffix of the served files (kept in step with src/cli/prepareData.ts, which is Node-only). */
const GZIP_SUFFIX = '.gzip';

/** How far the download has got, summed over the four files. */
export interface LoadProgress {
  loadedBytes: number;
  /** Total compressed size, or null when the server does not say (no Content-Length). */
  totalBytes: number | null;
}

/** Options beyond the base URL and progress callback. */
export interface LoadOptions {
  /** Cancels the downloads. */
  signal?: AbortSignal;
  /** Stand-in for the global fetch (tests). */
  fetch?: typeof fetch;
}

const KEYS = Object.keys(MNIST_FILE_NAMES) as (keyof MnistFiles)[];

/** Fetches, decompresses and decodes MNIST's official 60k/10k split. */
export async function loadMnistBrowser(
  baseUrl: string = import.meta.env.BASE_URL + DATASETS.mnist.publicPath,
  onProgress?: (p: LoadProgress) => void,
  options: LoadOptions = {},
): Promise<DatasetSplit> {
  return loadDatasetBrowser('mnist', baseUrl, onProgress, options);
}

/** Fetches, decompresses and decodes a dataset's train/test split (by default from BASE_URL + its public path). */
export async function loadDatasetBrowser(
  name: DatasetName,
  baseUrl: string = import.meta.env.BASE_URL + DATASETS[name].publicPath,
  onProgress?: (p: LoadProgress) => void,
  options: LoadOptions = {},
): Promise<DatasetSplit> {
  const title = DATASETS[name].title;
  const doFetch = options.fetch ?? fetch;
  const base = baseUrl.endsWith('/') ? baseUrl : baseUrl + '/';
  const urls = KEYS.map((k) => base + MNIST_FILE_NAMES[k] + GZIP_SUFFIX);
  const responses = await Promise.all(urls.map((url) => open(url, doFetch, options.signal)));

  const sizes = responses.map((r) => Number(r.headers.get('content-length') ?? NaN));
  const totalBytes = sizes.every((n) => Number.isFinite(n) && n > 0) ? sizes.reduce((a, b) => a + b, 0) : null;
  const loaded = new Array<number>(KEYS.length).fill(0);
  const report = (i: number, n: number): void => {
    loaded[i] = n;
    onProgress?.({ loadedBytes: loaded.reduce((a, b) => a + b, 0), totalBytes });
  };
  onProgress?.({ loadedBytes: 0, totalBytes });

  const bodies = await Promise.all(responses.map((r, i) => readBody(r, urls[i], (n) => report(i, n))));
  const raw = await Promise.all(bodies.map((b, i) => decode(b, urls[i])));
  const files = Object.fromEntries(KEYS.map((k, i) => [k, raw[i]])) as unknown as MnistFiles;
  try {
    return {
      train: datasetFromIdx(`${title} train`, files.trainImages, files.trainLabels),
      test: datasetFromIdx(`${title} test`, files.testImages, files.testLabels),
    };
  } catch (e) {
    throw new Error(`${title} data from ${base} is corrupt: ${message(e)}`, { cause: e });
  }
}

/** Starts one download; fails on anything but a real file. */
async function open(url: string, doFetch: typeof fetch, signal?: AbortSignal): Promise<Response> {
  let res: Response;
  try {
    res = await doFetch(url, { signal });
  } catch (e) {
    if (signal?.aborted) throw e;
    throw new Error(`could not fetch ${url}: ${message(e)}`, { cause: e });
  }
  if (!res.ok) throw new Error(`could not fetch ${url}: HTTP ${res.status}${missingHint(res.status)}`);
  // A single-page-app server answers a missing file with index.html and status 200.
  if ((res.headers.get('content-type') ?? '').includes('text/html')) {
    throw new Error(`could not fetch ${url}: the server sent an HTML page instead (the file is missing; run npm run prepare-data)`);
  }
  return res;
}

/** Reads a body to the end, reporting bytes received. */
async function readBody(res: Response, url: string, onBytes: (n: number) => void): Promise<Uint8Array> {
  if (!res.body) return new Uint8Array(await res.arrayBuffer());
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let n = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      n += value.byteLength;
      onBytes(n);
    }
  } catch (e) {
    throw new Error(`could not fetch ${url}: the download broke off after ${n} bytes (${message(e)})`, { cause: e });
  }
  return concat(chunks, n);
}

/** Gunzips a file. Data that is already raw IDX (a server that sent Content-Encoding: gzip, which the browser undid) passes through. */
async function decode(bytes: Uint8Array, url: string): Promise<Uint8Array> {
  if (bytes.length >= 3 && bytes[0] === 0 && bytes[1] === 0 && bytes[2] === 0x08) return bytes;
  if (bytes.length < 2 || bytes[0] !== 0x1f || bytes[1] !== 0x8b) {
    throw new Error(`${url} is corrupt: it is neither gzip nor IDX data (${bytes.length} bytes)`);
  }
  try {
    const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new DecompressionStream('gzip'));
    return new Uint8Array(await new Response(stream).arrayBuffer());
  } catch (e) {
    throw new Error(`${url} is corrupt: gzip decompression failed (${message(e)})`, { cause: e });
  }
}

function concat(chunks: Uint8Array[], total: number): Uint8Array {
  if (chunks.length === 1) return chunks[0];
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

function missingHint(status: number): string {
  return status === 404 ? ' (run npm run prepare-data)' : '';
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
