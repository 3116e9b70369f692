/**
 * Export → C: the committed 5-bit LeNet-5 as C, compiled with the system compiler (strict C99, every
 * warning an error), gives the fixed-shift kernel's answers (its CPU twin, image by image) on 1,000
 * MNIST test images; model.c multiplies nothing; odd shapes (stride 2, padding, 3- and 8-bit codes
 * that straddle words, positive n1) agree as well.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { headSubset } from '../data/dataset.ts';
import { loadMnistNode } from '../data/nodeMnist.ts';
import { C_LOGITS_FRAC_BITS, checkCSource, generateC } from '../inq/cExport.ts';
import type { CExport } from '../inq/cExport.ts';
import { packLevels } from '../inq/codec.ts';
import { levelSet } from '../inq/levels.ts';
import { createRng } from '../inq/rng.ts';
import type { PackedKernel, ShiftLayer } from '../inq/shiftRef.ts';
import { readPackedModelDir } from '../kernels/nodePacked.ts';
import { shiftProgramFromPacked } from '../kernels/packedLoader.ts';
import { C_FLAGS, NO_C_COMPILER, compileExport, findCCompiler, runCModel, twinPredict, writeExport } from './exportC.ts';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** The compiler, or a failing test that says there is none. */
function compiler(): string {
  const cc = findCCompiler();
  if (!cc) throw new Error(`${NO_C_COMPILER}; the C export tests need one (CI must install gcc)`);
  return cc;
}

/** Writes, compiles (C_FLAGS) and returns the harness binary. */
function build(gen: CExport): string {
  const dir = mkdtempSync(join(tmpdir(), 'inq-export-c-test-'));
  dirs.push(dir);
  writeExport(dir, gen);
  const { binary } = compileExport(compiler(), dir, true);
  if (!binary) throw new Error('no binary');
  return binary;
}

/** Largest |C logit − twin logit|, in units of the twin's largest logit (at least 1). */
function logitError(c: Int32Array, twin: Float32Array): number {
  let worst = 0;
  let scale = 1;
  for (const v of twin) scale = Math.max(scale, Math.abs(v));
  for (let i = 0; i < c.length; i++) worst = Math.max(worst, Math.abs(c[i] / 2 ** C_LOGITS_FRAC_BITS - twin[i]));
  return worst / scale;
}

describe('export-c: the committed 5-bit LeNet-5', () => {
  const packed = readPackedModelDir('public/models/lenet5-inq5');
  const program = shiftProgramFromPacked(packed);
  let gen: CExport;
  beforeAll(() => {
    gen = generateC({ name: packed.manifest.model, ...program });
  });

  it('compiles with cc -std=c99 -Wall -Wextra -Werror -O2 and agrees with the fixed-shift CPU twin on ≥ 99.9 % of 1,000 test images', () => {
    expect(C_FLAGS).toEqual(['-std=c99', '-Wall', '-Wextra', '-Werror', '-O2']);
    const binary = build(gen);
    const test = headSubset(loadMnistNode().test, 1000);
    const c = runCModel(binary, test.images, test.count, program.numClasses);
    const twin = twinPredict(program.layers, program.inputShape, test.images, test.count, program.numClasses);
    let same = 0;
    let correct = 0;
    for (let i = 0; i < test.count; i++) {
      if (c.classes[i] === twin.classes[i]) same++;
      if (c.classes[i] === test.labels[i]) correct++;
    }
    expect(same / test.count).toBeGreaterThanOrEqual(0.999);
    // Not only the same classes: the same logits, to within the rounding of the integer bias.
    expect(logitError(c.logits, twin.logits)).toBeLessThan(1e-4);
    expect(correct / test.count).toBeGreaterThan(0.97);
  }, 60_000);

  it('model.c has no multiplication, division, floating point, heap or libm', () => {
    expect(checkCSource(gen.source)).toEqual([]);
    // The weights are there as packed codes, one const array per layer, with n1 and the shapes.
    for (const l of packed.manifest.layers) {
      expect(gen.source).toMatch(new RegExp(`static const uint32_t ${l.name}_codes\\[\\d+\\]`));
      expect(gen.source).toContain(`n1 = ${l.n1}`);
      expect(gen.source).toContain(`static const int32_t ${l.name}_bias[${l.bias.length}]`);
    }
    expect(gen.header).toContain('int inq_predict(const int32_t *input, int32_t *logits);');
    expect(gen.header).toMatch(/#define INQ_INPUT_FRAC_BITS 30/);
    // Counted per image: one shift-add per non-zero weight per position inside the image.
    expect(gen.shiftAddsPerImage).toBeLessThanOrEqual(gen.floatMacsPerImage);
    // conv1 ('same' 5×5 on 28×28): 26 + 27 + 28 + 27 + 26 = 134 taps inside the image per axis.
    expect(gen.floatMacsPerImage).toBe(134 * 134 * 6 + 10 * 10 * 25 * 6 * 16 + 400 * 120 + 120 * 84 + 84 * 10);
  });

  it('the static check catches what it looks for (so it can fail)', () => {
    const inject = (code: string): string => gen.source.replace('acc += inq_term(x[i], code', `${code}\n            acc += inq_term(x[i], code`);
    expect(checkCSource(inject('acc += x[i] * 3;')).join()).toMatch(/multiplication/);
    expect(checkCSource(inject('acc += (x[i]) * (int32_t)code;')).join()).toMatch(/multiplication/);
    expect(checkCSource(inject('acc *= 2;')).join()).toMatch(/operator \*=/);
    expect(checkCSource(inject('acc += x[i] / 2;')).join()).toMatch(/operator \//);
    expect(checkCSource(inject('{ float t = 0; (void)t; }')).join()).toMatch(/"float" appears/);
    expect(checkCSource(`#include <math.h>\n${gen.source}`).join()).toMatch(/includes <math\.h>/);
    expect(checkCSource(inject('(void)malloc(4);')).join()).toMatch(/malloc/);
  });
});

/** A random packed kernel of the given shape, bits and n1, with about a fifth of the weights zero. */
function randomKernel(shape: number[], bits: number, n1: number, seed: number): PackedKernel {
  const rng = createRng(seed);
  const set = levelSet(bits, 0, n1);
  const count = shape.reduce((a, b) => a * b, 1);
  const values = new Float32Array(count);
  for (let i = 0; i < count; i++) values[i] = rng.next() < 0.2 ? 0 : set.levels[rng.int(set.levels.length)];
  return { words: packLevels(values, set), bits, n1, shape };
}

describe('export-c: shapes and codes LeNet-5 does not have', () => {
  it('stride 2, same and valid padding, 3- and 8-bit codes, positive n1: the C gives the twin’s logits', () => {
    const rng = createRng(17);
    const bias = (n: number, s: number): Float32Array => Float32Array.from({ length: n }, () => (rng.next() - 0.5) * s);
    const layers: ShiftLayer[] = [
      { kind: 'conv2d', name: 'c1', kernel: randomKernel([3, 3, 2, 5], 3, 0, 1), bias: bias(5, 0.5), stride: 2, padding: 'same', relu: true },
      { kind: 'conv2d', name: 'c2', kernel: randomKernel([2, 3, 5, 4], 8, -3, 2), bias: bias(4, 0.1), stride: 1, padding: 'valid', relu: false },
      { kind: 'maxPool2d', name: 'p1' },
      { kind: 'flatten', name: 'flat' },
      { kind: 'dense', name: 'fc', kernel: randomKernel([8, 7], 4, 2, 3), bias: new Float32Array(7), relu: false },
    ];
    const inputShape: [number, number, number] = [11, 9, 2];
    const gen = generateC({ name: 'odd shapes', layers, inputShape, numClasses: 7 });
    expect(checkCSource(gen.source)).toEqual([]);
    const binary = build(gen);
    const count = 200;
    const size = 11 * 9 * 2;
    const images = new Float32Array(count * size);
    for (let i = 0; i < images.length; i++) images[i] = rng.next() * 2 - 1;
    // One all-zero input: every layer's max |x| is 0 (or the bias alone).
    images.fill(0, 0, size);
    const c = runCModel(binary, images, count, 7);
    const twin = twinPredict(layers, inputShape, images, count, 7);
    let same = 0;
    for (let i = 0; i < count; i++) if (c.classes[i] === twin.classes[i]) same++;
    expect(same / count).toBeGreaterThanOrEqual(0.99);
    expect(logitError(c.logits, twin.logits)).toBeLessThan(1e-3);
  }, 30_000);
});
