/** `inq infer` refuses broken model folders with one clear line, before any GPU or tfjs work. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { packedCodeBytes } from '../inq/codec.ts';
import { buildPackedModel } from '../inq/packedModel.ts';
import { argmaxRow, inferCommand } from './infer.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A folder with a valid packed.json + codes.bin (a 1-layer dense model, all-zero codes). */
function packedDir(): { dir: string; codes: Uint8Array } {
  const dir = mkdtempSync(join(tmpdir(), 'inq-infer-'));
  dirs.push(dir);
  const count = 784 * 10;
  const { manifest, codes } = buildPackedModel(
    {
      model: 'test',
      inputShape: [28, 28, 1],
      numClasses: 10,
      codesFile: 'codes.bin',
      layers: [{ name: 'fc', kind: 'Dense', shape: [784, 10], layout: 'IO', count, bits: 5, n1: -1, bias: new Array<number>(10).fill(0) }],
      ops: [{ op: 'flatten' }, { op: 'dense', layer: 'fc', relu: false }],
    },
    [new Uint32Array(packedCodeBytes(count, 5) / 4)],
  );
  writeFileSync(join(dir, 'packed.json'), JSON.stringify(manifest));
  writeFileSync(join(dir, 'codes.bin'), codes);
  return { dir, codes };
}

describe('inq infer: broken model folders', () => {
  it('refuses a missing folder', async () => {
    await expect(inferCommand(['--model', join(tmpdir(), 'inq-no-such-folder-4711'), '--json'])).rejects.toThrow(/^no folder .*inq-no-such-folder-4711$/);
  });

  it('refuses a packed.json that is not JSON, and one that is missing', async () => {
    const { dir } = packedDir();
    writeFileSync(join(dir, 'packed.json'), '{"format": "inq-packed", "layers": [');
    await expect(inferCommand(['--model', dir])).rejects.toThrow(/^packed\.json is not valid JSON \(/);
    rmSync(join(dir, 'packed.json'));
    await expect(inferCommand(['--model', dir])).rejects.toThrow(/^no packed\.json in /);
  });

  it('refuses a truncated codes.bin, and a missing one', async () => {
    const { dir, codes } = packedDir();
    writeFileSync(join(dir, 'codes.bin'), codes.subarray(0, codes.length - 8));
    await expect(inferCommand(['--model', dir])).rejects.toThrow(new RegExp(`codes file has ${codes.length - 8} bytes but the manifest says ${codes.length}: it is truncated`));
    rmSync(join(dir, 'codes.bin'));
    await expect(inferCommand(['--model', dir])).rejects.toThrow(/codes file codes\.bin named in packed\.json is missing/);
  });

  it('refuses a folder with packed codes but no model.json, and bad options', async () => {
    const { dir } = packedDir();
    await expect(inferCommand(['--model', dir])).rejects.toThrow(/no model\.json in/);
    await expect(inferCommand([])).rejects.toThrow(/needs --model DIR/);
    await expect(inferCommand(['--model', dir, '--mode', 'fast'])).rejects.toThrow(/--mode must be one of float-exp, fixed-shift/);
  });

  it('exits non-zero with one line on stderr (through the command line)', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'infer', '--model', join(tmpdir(), 'inq-no-such-folder-4711'), '--json'], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toEqual([`inq: no folder ${join(tmpdir(), 'inq-no-such-folder-4711')}`]);
  });
});

describe('argmaxRow', () => {
  it('takes the first of equal maxima, like tf.argMax', () => {
    const a = new Float32Array([0, 2, 2, 1, 5, -1]);
    expect(argmaxRow(a, 0, 3)).toBe(1);
    expect(argmaxRow(a, 1, 3)).toBe(1);
  });
});
