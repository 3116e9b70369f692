/** Shift conv, dense and pool kernels against their CPU twins (src/inq/shiftRef.ts), on random layers. */
import { describe, expect } from 'vitest';
import { packLevels } from '../inq/codec.ts';
import { levelSet } from '../inq/levels.ts';
import { biasRelu, conv2dShiftFloat, convGeometry, denseShiftFixed, fracBits, maxPool2x2, quantizeFixed } from '../inq/shiftRef.ts';
import { createRng } from '../inq/rng.ts';
import type { PackedKernel } from '../inq/shiftRef.ts';
import { POISON_INT, poisonBuffer, readBuffer, uploadBuffer, storageBuffer } from './gpu.ts';
import { runMaxPool2d } from './maxPool.ts';
import { FLOAT_REL_TOL, checkCase, maxRelErr, randomConvCase, randomDenseCase, randomInput, randomKernel } from './parity.ts';
import { runShiftDense } from './shiftDense.ts';
import { runShiftConv2d } from './shiftConv.ts';
import { BASE_SEED, forCases, gpuIt, setupGpu } from './gpuTestSetup.ts';

const gpu = setupGpu();

function expectParity(r: Awaited<ReturnType<typeof checkCase>>): void {
  expect(r.unwritten, `${r.description}: elements left unwritten`).toBe(0);
  expect(r.floatRelErr, `${r.description}: float-exponent rel. error`).toBeLessThanOrEqual(FLOAT_REL_TOL);
  expect(r.fixedExact, `${r.description}: fixed-shift ${r.fixedDetail}`).toBe(true);
  expect(r.fixedOutRelErr, `${r.description}: fixed-shift output`).toBeLessThanOrEqual(FLOAT_REL_TOL);
}

describe('shift conv2d on the GPU', () => {
  gpuIt('matches the CPU twins on random shapes, strides, paddings and bit-widths (both modes)', async () => {
    await forCases(24, 1, async (rng) => expectParity(await checkCase(gpu.kernels(), randomConvCase(rng))));
  });

  gpuIt('computes TF padding for stride 2 "same" on even and odd sizes (the extra pad goes after)', async () => {
    // A 1×1-channel 2×2 kernel of ones on an arange input: the first output reveals the padding.
    const set = levelSet(3, 1);
    for (const size of [4, 5]) {
      const kernel: PackedKernel = { words: packLevels(new Float32Array([1, 1, 1, 1]), set), bits: 3, n1: set.n1, shape: [2, 2, 1, 1] };
      const x = Float32Array.from({ length: size * size }, (_, i) => i + 1);
      const r = await runShiftConv2d(gpu.kernels(), x, [1, size, size, 1], { kernel, bias: new Float32Array(1), stride: 2, padding: 'same', relu: false }, 'float');
      const out = Math.ceil(size / 2);
      expect(r.y.length).toBe(out * out);
      // size 4: padTotal = 0, window rows/cols 0–1; size 5: padTotal = 1, padTop = 0, so still rows/cols 0–1.
      expect(r.y[0]).toBe(1 + 2 + (size + 1) + (size + 2));
    }
  });

  gpuIt('matches the twins on a larger image (several pixel-quad and channel blocks, odd width)', async () => {
    await forCases(2, 6, async (rng) => {
      const inShape: [number, number, number, number] = [2, 40, 37, 3];
      const x = randomInput(rng, inShape.reduce((a, b) => a * b, 1));
      const c = { kind: 'conv2d' as const, inShape, x, spec: { kernel: randomKernel(rng, [3, 3, 3, 11], 2 + rng.int(7)), bias: new Float32Array(11).fill(0.25), stride: 1 + rng.int(2), padding: 'same' as const, relu: true } };
      expectParity(await checkCase(gpu.kernels(), c));
    });
  });

  gpuIt('expRange finds the smallest and largest exponent field of the non-zero inputs', async () => {
    const device = gpu.device();
    const p = gpu.kernels().programs.expRange;
    const cases: [number[], [number, number]][] = [
      [[0, -0, 1.5, -(2 ** -100), 3], [27, 128]],
      [[0, 1e-45, 2 ** 100], [0, 227]],
      [[0, -0], [256, 0]],
      [Array.from({ length: 1000 }, (_, i) => (i === 777 ? Infinity : 1)), [127, 255]],
    ];
    for (const [values, want] of cases) {
      const x = uploadBuffer(device, new Float32Array(values), 'x');
      const range = storageBuffer(device, 8, 'range');
      const params = p.uniformBuffer({ total: values.length });
      poisonBuffer(device, range, POISON_INT);
      const enc = device.createCommandEncoder();
      const pass = enc.beginComputePass();
      p.dispatch(pass, p.bindGroup({ params, x, range }), p.workgroupSize, 1);
      pass.end();
      device.queue.submit([enc.finish()]);
      expect(Array.from(new Uint32Array(await readBuffer(device, range, 8))), `[${values.slice(0, 5).join(', ')}…]`).toEqual(want);
      for (const b of [x, range, params]) b.destroy();
    }
  });

  gpuIt('takes the exact ldexp path when adding p to the exponent bits would leave the float range', async () => {
    // 8-bit levels 2^0 … 2^-63: the exponent add is exact only for inputs with exponent field ≥ 64.
    // Inputs of 2^-100 (field 27) force the slow path; the fast one would flip signs and blow up.
    const rng = createRng(BASE_SEED);
    const set = levelSet(8, 0, 0);
    const w = Float32Array.from({ length: 3 * 3 * 4 * 5 }, (_, i) => (i % 7 === 0 ? 0 : (i % 2 ? -1 : 1) * 2 ** -(i % 64)));
    const kernel: PackedKernel = { words: packLevels(w, set), bits: 8, n1: 0, shape: [3, 3, 4, 5] };
    const inShape: [number, number, number, number] = [1, 6, 7, 4];
    for (const tiny of [2 ** -100, 2 ** -60, 1e-30]) {
      const x = Float32Array.from({ length: 6 * 7 * 4 }, () => (rng.next() < 0.3 ? tiny : rng.next() < 0.3 ? 0 : rng.normal()));
      const spec = { kernel, bias: new Float32Array(5), stride: 1, padding: 'same' as const, relu: false };
      const gpuY = (await runShiftConv2d(gpu.kernels(), x, inShape, spec, 'float')).y;
      const ref = biasRelu(conv2dShiftFloat(x, convGeometry(inShape, kernel.shape, 1, 'same'), kernel), spec.bias, false);
      expect(maxRelErr(gpuY, ref), `inputs of ${tiny}`).toBeLessThanOrEqual(FLOAT_REL_TOL);
    }
  });

  gpuIt('rejects kernels whose levels leave the float32 range (ldexp would underflow)', async () => {
    const kernel: PackedKernel = { words: new Uint32Array(1), bits: 8, n1: -70, shape: [1, 1, 1, 1] };
    await expect(runShiftConv2d(gpu.kernels(), new Float32Array(1), [1, 1, 1, 1], { kernel, bias: new Float32Array(1), stride: 1, padding: 'same', relu: false }, 'float')).rejects.toThrow(
      /leave the float32 range/,
    );
  });
});

describe('shift dense on the GPU', () => {
  gpuIt('matches the CPU twins on random sizes and bit-widths (both modes)', async () => {
    await forCases(24, 2, async (rng) => expectParity(await checkCase(gpu.kernels(), randomDenseCase(rng))));
  });

  gpuIt('fixed shifts by 32 or more are never taken mod 32 (dense and conv cores on crafted i32 input)', async () => {
    const device = gpu.device();
    const { shiftDenseFixed, shiftConv2dFixed, shiftConvDecode } = gpu.kernels().programs;
    // 8-bit levels 2^40 … 2^-23 and, separately, 2^-20 … 2^-83, so p spans ≥ 32 and ≤ −32.
    for (const n1 of [40, -20]) {
      const set = levelSet(8, 0, n1);
      const ps = [n1, n1 - 1, 33, 32, 31, 1, 0, -1, -31, -32, -33, n1 - 63].filter((q) => q <= n1 && q >= set.n2);
      const xs = [1, -1, 5, -5, 2 ** 20, -(2 ** 20) + 1, 2 ** 30, -(2 ** 30)];
      // One output per (p, sign); inputs xs, every weight of that output column equal.
      const outN = ps.length * 2;
      const w = new Float32Array(xs.length * outN);
      for (let i = 0; i < xs.length; i++) ps.forEach((q, j) => ((w[i * outN + 2 * j] = 2 ** q), (w[i * outN + 2 * j + 1] = -(2 ** q))));
      const kernel: PackedKernel = { words: packLevels(w, set), bits: 8, n1, shape: [xs.length, outN] };
      const xq = Int32Array.from(xs);
      const ref = Array.from(denseShiftFixed(xq, 1, kernel));
      // The conv core reads the table shiftConvDecode.wgsl makes from the codes.
      const codes = uploadBuffer(device, kernel.words, 'codes');
      const x = uploadBuffer(device, xq, 'x');
      const y = storageBuffer(device, outN * 4, 'y');
      const denseParams = shiftDenseFixed.uniformBuffer({ total: outN, inN: xs.length, outN, bits: 8, n1 });
      // The same weights as a 1×1 conv on a 1×1 image with xs.length channels.
      const octs = Math.ceil(outN / 8);
      const decodeTotal = xs.length * octs;
      const table = storageBuffer(device, decodeTotal * 16, 'table');
      const decodeParams = shiftConvDecode.uniformBuffer({ total: decodeTotal, octs, outC: outN, bits: 8, n1, fixed: 1 });
      const convParams = shiftConv2dFixed.uniformBuffer({
        groups: octs, pixBlocks: 1, octs, inH: 1, inW: 1, inC: xs.length, outH: 1, outW: 1, outC: outN,
        kh: 1, kw: 1, stride: 1, padTop: 0, padLeft: 0,
      });
      for (const core of ['dense', 'conv'] as const) {
        poisonBuffer(device, y, POISON_INT);
        const enc = device.createCommandEncoder();
        const pass = enc.beginComputePass();
        if (core === 'dense') shiftDenseFixed.dispatch(pass, shiftDenseFixed.bindGroup({ params: denseParams, codes, x, y }), outN);
        else {
          shiftConvDecode.dispatch(pass, shiftConvDecode.bindGroup({ params: decodeParams, codes, table }), decodeTotal);
          shiftConv2dFixed.dispatch(pass, shiftConv2dFixed.bindGroup({ params: convParams, table, x, y }), octs * shiftConv2dFixed.workgroupSize);
        }
        pass.end();
        device.queue.submit([enc.finish()]);
        const got = new Int32Array(await readBuffer(device, y, outN * 4));
        expect(Array.from(got), `${core}, n1 = ${n1}, p = ${ps.join(',')}`).toEqual(ref);
      }
      for (const b of [table, decodeParams]) b.destroy();
      for (const b of [codes, x, y, denseParams, convParams]) b.destroy();
    }
  });

  gpuIt('quantizes with round-half-to-even and the documented F', async () => {
    // max|x| = 1 → e_x = 1; fanIn 8 → e_k = 3; n1 = −5 → F = 30 − 1 − max(0, −2) = 29.
    const u = 2 ** -29;
    const x = new Float32Array([1, 0.5 * u, 1.5 * u, 2.5 * u, -0.5 * u, -1.5 * u, -2.5 * u, 3 * u]);
    const set = levelSet(4, 0, -5);
    const kernel: PackedKernel = { words: packLevels(new Float32Array(8).fill(2 ** -5), set), bits: 4, n1: -5, shape: [8, 1] };
    const r = await runShiftDense(gpu.kernels(), x, 1, { kernel, bias: new Float32Array(1), relu: false }, 'fixed');
    expect(fracBits(1, 8, -5)).toBe(29);
    expect(r.fixed?.F).toBe(29);
    expect(Array.from(r.fixed?.q ?? [])).toEqual([2 ** 29, 0, 2, 2, 0, -2, -2, 3]);
    expect(Array.from(r.fixed?.q ?? [])).toEqual(Array.from(quantizeFixed(x, 29)));
  });
});

describe('max-pool 2×2 on the GPU', () => {
  gpuIt('matches the CPU twin exactly, odd sizes included, every element written', async () => {
    await forCases(8, 3, async (rng) => {
      const shape: [number, number, number, number] = [1 + rng.int(3), 2 + rng.int(12), 2 + rng.int(12), 1 + rng.int(20)];
      const x = randomInput(rng, shape.reduce((a, b) => a * b, 1));
      const r = await runMaxPool2d(gpu.kernels(), x, shape);
      expect(Array.from(r.y), `shape [${shape.join(',')}]`).toEqual(Array.from(maxPool2x2(x, shape).y));
    });
  });
});
