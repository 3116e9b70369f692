/** A whole LeNet-5 forward pass on the shift kernels against the CPU twin, with per-layer timings. */
import { describe, expect, it } from 'vitest';
import { createRng } from '../inq/rng.ts';
import { shiftForwardRef } from '../inq/shiftRef.ts';
import { FLOAT_REL_TOL, maxRelErr, randomLenet5 } from './parity.ts';
import { ShiftNetwork } from './shiftNetwork.ts';
import { forCases, gpuIt, setupGpu } from './gpuTestSetup.ts';

const gpu = setupGpu();

function mnistLike(rng: { next(): number }, n: number): Float32Array {
  // Mostly background, some strokes in [0, 1], like normalised MNIST.
  return Float32Array.from({ length: n * 28 * 28 }, () => (rng.next() < 0.8 ? 0 : rng.next()));
}

function argmax(a: Float32Array, row: number, n: number): number {
  let best = 0;
  for (let j = 1; j < n; j++) if (a[row * n + j] > a[row * n + best]) best = j;
  return best;
}

describe('ShiftNetwork (LeNet-5)', () => {
  gpuIt('float-exponent and fixed-shift logits match the CPU twin, for batch 1 and 3', async () => {
    await forCases(2, 4, async (rng) => {
      const bits = 2 + rng.int(7);
      const layers = randomLenet5(rng, bits);
      for (const mode of ['float', 'fixed'] as const) {
        const net = await ShiftNetwork.create(gpu.device(), layers, [28, 28, 1], { mode, kernels: gpu.kernels() });
        try {
          for (const batch of [3, 1]) {
            const x = mnistLike(rng, batch);
            const { logits, timings } = await net.forward(x, batch);
            const ref = shiftForwardRef(layers, x, [28, 28, 1], batch, mode).output;
            expect(logits.length).toBe(batch * 10);
            expect(maxRelErr(logits, ref), `${mode} mode, ${bits} bits, batch ${batch}`).toBeLessThanOrEqual(FLOAT_REL_TOL);
            expect(timings.map((t) => t.name)).toEqual(['conv1', 'pool1', 'conv2', 'pool2', 'fc1', 'fc2', 'fc3']);
          }
        } finally {
          net.destroy();
        }
      }
    });
  });

  it('fixed-shift costs little accuracy against float-exponent (same argmax, small error)', async () => {
    await forCases(1, 5, async (rng) => {
      const layers = randomLenet5(rng, 5);
      const x = mnistLike(rng, 8);
      const fl = shiftForwardRef(layers, x, [28, 28, 1], 8, 'float').output;
      const fx = shiftForwardRef(layers, x, [28, 28, 1], 8, 'fixed');
      // F stays ≥ 20 here, and right shifts floor: measured ≤ 1e-5 relative on random LeNet-5s.
      expect(maxRelErr(fx.output, fl)).toBeLessThan(1e-4);
      for (let i = 0; i < 8; i++) expect(argmax(fx.output, i, 10)).toBe(argmax(fl, i, 10));
      expect(fx.fracBits.length).toBe(5);
    });
  });

  gpuIt('reports per-layer times from GPU timestamps when available, else CPU wall time', async () => {
    const layers = randomLenet5(createRng(7), 5);
    const x = new Float32Array(2 * 28 * 28).fill(0.5);
    const auto = await ShiftNetwork.create(gpu.device(), layers, [28, 28, 1], { kernels: gpu.kernels() });
    const wall = await ShiftNetwork.create(gpu.device(), layers, [28, 28, 1], { kernels: gpu.kernels(), timing: 'cpu-wall' });
    try {
      const a = await auto.forward(x, 2);
      const w = await wall.forward(x, 2);
      expect(a.timingSource).toBe(gpu.device().features.has('timestamp-query') ? 'gpu-timestamp' : 'cpu-wall');
      expect(w.timingSource).toBe('cpu-wall');
      for (const r of [a, w]) {
        expect(r.timings).toHaveLength(7);
        for (const t of r.timings) expect(Number.isFinite(t.ms) && t.ms >= 0, `${t.name}: ${t.ms} ms`).toBe(true);
      }
      expect(Array.from(w.logits)).toEqual(Array.from(a.logits));
    } finally {
      auto.destroy();
      wall.destroy();
    }
  });

  gpuIt('refuses an input of the wrong size and a dense layer without flatten', async () => {
    const layers = randomLenet5(createRng(8), 4);
    const net = await ShiftNetwork.create(gpu.device(), layers, [28, 28, 1], { kernels: gpu.kernels() });
    try {
      await expect(net.forward(new Float32Array(10), 1)).rejects.toThrow(/needs 784/);
    } finally {
      net.destroy();
    }
    const noFlatten = layers.filter((l) => l.kind !== 'flatten');
    await expect(ShiftNetwork.create(gpu.device(), noFlatten, [28, 28, 1], { kernels: gpu.kernels() })).rejects.toThrow(/add a flatten layer/);
  });
});
