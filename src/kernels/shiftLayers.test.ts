/** Shift conv, dense and pool kernels against their CPU twins (src/inq/shiftRef.ts), on random layers. */
import { describe, expect } from 'vitest';
import { packLevels } from '../inq/codec.ts';
import { levelSet } from '../inq/levels.ts';
import { denseShiftFixed, fracBits, maxPool2x2, quantizeFixed } from '../inq/shiftRef.ts';
import type { PackedKernel } from '../inq/shiftRef.ts';
import { POISON_INT, poisonBuffer, readBuffer, uploadBuffer, storageBuffer } from './gpu.ts';
import { runMaxPool2d } from './maxPool.ts';
import { FLOAT_REL_TOL, checkCase, randomConvCase, randomDenseCase, randomInput } from './parity.ts';
import { runShiftDense } from './shiftDense.ts';
import { runShiftConv2d } from './shiftConv.ts';
import { forCases, gpuIt, setupGpu } from './gpuTestSetup.ts';

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
    const { shiftDenseFixed, shiftConv2dFixed } = gpu.kernels().programs;
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
      // The conv core reads a 64-bit code window: two spare words.
      const padded = new Uint32Array(kernel.words.length + 2);
      padded.set(kernel.words);
      const codes = uploadBuffer(device, padded, 'codes');
      const x = uploadBuffer(device, xq, 'x');
      const y = storageBuffer(device, outN * 4, 'y');
      const ocBlocks = Math.ceil(outN / 4);
      const denseParams = shiftDenseFixed.uniformBuffer({ total: outN, inN: xs.length, outN, bits: 8, n1 });
      // The same weights as a 1×1 conv on a 1×1 image with xs.length channels.
      const convParams = shiftConv2dFixed.uniformBuffer({
        total: ocBlocks, inH: 1, inW: 1, inC: xs.length, outH: 1, outW: 1, outC: outN,
        kh: 1, kw: 1, stride: 1, padTop: 0, padLeft: 0, bits: 8, n1, ocBlocks,
      });
      for (const core of ['dense', 'conv'] as const) {
        poisonBuffer(device, y, POISON_INT);
        const enc = device.createCommandEncoder();
        const pass = enc.beginComputePass();
        if (core === 'dense') shiftDenseFixed.dispatch(pass, shiftDenseFixed.bindGroup({ params: denseParams, codes, x, y }), outN);
        else shiftConv2dFixed.dispatch(pass, shiftConv2dFixed.bindGroup({ params: convParams, codes, x, y }), ocBlocks);
        pass.end();
        device.queue.submit([enc.finish()]);
        const got = new Int32Array(await readBuffer(device, y, outN * 4));
        expect(Array.from(got), `${core}, n1 = ${n1}, p = ${ps.join(',')}`).toEqual(ref);
      }
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
