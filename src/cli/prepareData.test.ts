import { mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { MNIST_CREDIT, prepareMnistData, type MnistManifest } from './prepareData.ts';

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
