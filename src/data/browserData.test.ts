import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { loadDatasetBrowser, loadMnistBrowser, type LoadProgress } from './browserData.ts';

/** A tiny IDX file of unsigned bytes. */
function idx(dims: number[], fill: (i: number) => number): Uint8Array {
  const count = dims.reduce((a, b) => a * b, 1);
  const out = new Uint8Array(4 + 4 * dims.length + count);
  const view = new DataView(out.buffer);
  out[2] = 0x08;
  out[3] = dims.length;
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  for (let i = 0; i < count; i++) out[4 + 4 * dims.length + i] = fill(i);
  return out;
}

const raw: Record<string, Uint8Array> = {
  'train-images-idx3-ubyte': idx([3, 28, 28], (i) => i % 256),
  'train-labels-idx1-ubyte': idx([3], (i) => i),
  't10k-images-idx3-ubyte': idx([2, 28, 28], () => 255),
  't10k-labels-idx1-ubyte': idx([2], () => 9),
};

type Body = { status?: number; type?: string; bytes?: Uint8Array };

/** A fetch over an in-memory site; `override` replaces chosen files' answers. */
function fakeFetch(override: Record<string, Body> = {}, seen: string[] = []): typeof fetch {
  return (async (input: RequestInfo | URL) => {
    const url = String(input);
    seen.push(url);
    const name = url.slice(url.lastIndexOf('/') + 1);
    const stem = name.replace(/\.gzip$/, '');
    const o = override[stem] ?? {};
    const bytes = o.bytes ?? (raw[stem] ? gzipSync(raw[stem]) : new Uint8Array());
    const status = o.status ?? (raw[stem] ? 200 : 404);
    return new Response(status === 200 ? (bytes as Uint8Array<ArrayBuffer>) : 'not found', {
      status,
      headers: { 'content-type': o.type ?? 'application/octet-stream', 'content-length': String(bytes.byteLength) },
    });
  }) as typeof fetch;
}

describe('loadMnistBrowser', () => {
  it('fetches the four .gzip files, decodes them and reports progress to the total', async () => {
    const seen: string[] = [];
    const progress: LoadProgress[] = [];
    const split = await loadMnistBrowser('/base/data/mnist', (p) => progress.push(p), { fetch: fakeFetch({}, seen) });
    expect(seen.sort()).toEqual([
      '/base/data/mnist/t10k-images-idx3-ubyte.gzip',
      '/base/data/mnist/t10k-labels-idx1-ubyte.gzip',
      '/base/data/mnist/train-images-idx3-ubyte.gzip',
      '/base/data/mnist/train-labels-idx1-ubyte.gzip',
    ]);
    expect(split.train.count).toBe(3);
    expect(split.test.count).toBe(2);
    expect(Array.from(split.train.labels)).toEqual([0, 1, 2]);
    expect(split.train.images[255]).toBeCloseTo(1, 6);
    expect(split.test.images[0]).toBe(1);
    const last = progress[progress.length - 1];
    expect(last.totalBytes).not.toBeNull();
    expect(last.loadedBytes).toBe(last.totalBytes);
  });

  it('accepts files the server already decompressed (raw IDX)', async () => {
    const split = await loadMnistBrowser('/d/', undefined, { fetch: fakeFetch({ 't10k-labels-idx1-ubyte': { bytes: raw['t10k-labels-idx1-ubyte'] } }) });
    expect(Array.from(split.test.labels)).toEqual([9, 9]);
  });

  it('names the URL and status of a missing file', async () => {
    const f = fakeFetch({ 't10k-images-idx3-ubyte': { status: 404 } });
    await expect(loadMnistBrowser('/d/', undefined, { fetch: f })).rejects.toThrow(/^could not fetch \/d\/t10k-images-idx3-ubyte\.gzip: HTTP 404/);
  });

  it('treats an HTML answer (single-page-app fallback) as a missing file', async () => {
    const f = fakeFetch({ 'train-labels-idx1-ubyte': { type: 'text/html', bytes: new TextEncoder().encode('<!doctype html>') } });
    await expect(loadMnistBrowser('/d/', undefined, { fetch: f })).rejects.toThrow(/could not fetch .*train-labels.*HTML page/);
  });

  it('reports a network failure as could not fetch', async () => {
    const f = (async () => {
      throw new TypeError('Failed to fetch');
    }) as typeof fetch;
    await expect(loadMnistBrowser('/d/', undefined, { fetch: f })).rejects.toThrow(/could not fetch .*: Failed to fetch/);
  });

  it('reports a truncated gzip file as corrupt', async () => {
    const gz = gzipSync(raw['train-images-idx3-ubyte']);
    const f = fakeFetch({ 'train-images-idx3-ubyte': { bytes: gz.subarray(0, gz.length >> 1) } });
    await expect(loadMnistBrowser('/d/', undefined, { fetch: f })).rejects.toThrow(/train-images-idx3-ubyte\.gzip is corrupt/);
  });

  it('reports bytes that are neither gzip nor IDX as corrupt', async () => {
    const f = fakeFetch({ 'train-images-idx3-ubyte': { bytes: new Uint8Array([1, 2, 3, 4]) } });
    await expect(loadMnistBrowser('/d/', undefined, { fetch: f })).rejects.toThrow(/is corrupt: it is neither gzip nor IDX/);
  });

  it('reports images and labels that disagree as corrupt', async () => {
    const f = fakeFetch({ 'train-labels-idx1-ubyte': { bytes: gzipSync(idx([2], () => 0)) } });
    await expect(loadMnistBrowser('/d/', undefined, { fetch: f })).rejects.toThrow(/MNIST data from \/d\/ is corrupt: MNIST train: 3 images but 2 labels/);
  });

  it('stops when aborted', async () => {
    const abort = new AbortController();
    abort.abort();
    const f = ((_: RequestInfo | URL, init?: RequestInit) =>
      init?.signal?.aborted ? Promise.reject(new DOMException('aborted', 'AbortError')) : fakeFetch()(_, init)) as typeof fetch;
    await expect(loadMnistBrowser('/d/', undefined, { fetch: f, signal: abort.signal })).rejects.toThrow(/aborted/);
  });
});

describe('loadDatasetBrowser', () => {
  it('reads Fashion-MNIST from its folder, the same four files, and names it', async () => {
    const seen: string[] = [];
    const split = await loadDatasetBrowser('fashion', '/base/data/fashion/', undefined, { fetch: fakeFetch({}, seen) });
    expect(seen.every((u) => u.startsWith('/base/data/fashion/') && u.endsWith('.gzip'))).toBe(true);
    expect(seen).toHaveLength(4);
    expect(split.train.name).toBe('Fashion-MNIST train');
    expect(split.test.name).toBe('Fashion-MNIST test');
    expect(split.train.count).toBe(3);
  });

  it('names the dataset in a corrupt-data error', async () => {
    const f = fakeFetch({ 'train-labels-idx1-ubyte': { bytes: gzipSync(idx([2], () => 0)) } });
    await expect(loadDatasetBrowser('fashion', '/f/', undefined, { fetch: f })).rejects.toThrow(/^Fashion-MNIST data from \/f\/ is corrupt: Fashion-MNIST train: 3 images but 2 labels/);
  });
});
