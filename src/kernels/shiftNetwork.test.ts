/** A whole LeNet-5 forward pass on the shift kernels against the CPU twin, with per-layer timings. */
import { describe, expect, it, vi } from 'vitest';
import { createRng } from '../inq/rng.ts';
import { shiftForwardRef } from '../inq/shiftRef.ts';
import { FLOAT_REL_TOL, maxRelErr, randomLenet5 } from './parity.ts';
import { ShiftNetwork, pairDurationsMs } from './shiftNetwork.ts';
import { forCases, gpuIt, setupGpu } from './gpuTestSetup.ts';
import type * as GpuModule from './gpu.ts';

// readBuffer as it is, except where a test makes it return broken timestamps (end before begin).
const breakStamps = { on: false };
vi.mock('./gpu.ts', async (original) => {
  const gpuModule = await original<typeof GpuModule>();
  return {
    ...gpuModule,
    readBuffer: async (device: GPUDevice, buffer: GPUBuffer, byteLength?: number): Promise<ArrayBuffer> => {
      const data = await gpuModule.readBuffer(device, buffer, byteLength);
      if (breakStamps.on && buffer.usage & 0x0200) {
        // QUERY_RESOLVE: the pass's timestamps. Swap the first pair.
        const t = new BigUint64Array(data);
        [t[0], t[1]] = [t[1], t[0]];
      }
      return data;
    },
  };
});

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
      // Timestamps when the device has them, unless a pair was unusable: then wall time, counted.
      const stamped = gpu.device().features.has('timestamp-query');
      expect(a.timingSource).toBe(stamped && a.invalidTimestamps === 0 ? 'gpu-timestamp' : 'cpu-wall');
      expect(w.timingSource).toBe('cpu-wall');
      expect(w.invalidTimestamps).toBe(0);
      for (const r of [a, w]) {
        expect(r.timings).toHaveLength(7);
        // Every layer does work: a time of 0 would be a broken reading passed off as a figure.
        for (const t of r.timings) expect(Number.isFinite(t.ms) && t.ms > 0, `${t.name}: ${t.ms} ms`).toBe(true);
      }
      expect(Array.from(w.logits)).toEqual(Array.from(a.logits));
    } finally {
      auto.destroy();
      wall.destroy();
    }
  });

  gpuIt('a pass with a broken timestamp is timed again by wall time and counted, never reported as 0 ms', async () => {
    const layers = randomLenet5(createRng(9), 5);
    const x = new Float32Array(2 * 28 * 28).fill(0.25);
    const net = await ShiftNetwork.create(gpu.device(), layers, [28, 28, 1], { kernels: gpu.kernels() });
    try {
      const good = await net.forward(x, 2);
      breakStamps.on = true;
      const broken = await net.forward(x, 2).finally(() => {
        breakStamps.on = false;
      });
      if (gpu.device().features.has('timestamp-query')) {
        // SwiftShader's clock is coarse: a fast layer can read end == begin on its own, which counts
        // as unusable too. The swapped pair is always one of the unusable ones.
        expect(good.timingSource).toBe(good.invalidTimestamps === 0 ? 'gpu-timestamp' : 'cpu-wall');
        expect(broken.invalidTimestamps).toBeGreaterThanOrEqual(1);
      }
      expect(broken.timingSource).toBe('cpu-wall');
      for (const t of broken.timings) expect(t.ms, t.name).toBeGreaterThan(0);
      expect(Array.from(broken.logits)).toEqual(Array.from(good.logits));
    } finally {
      net.destroy();
    }
  });

  it('turns each timestamp pair into ms, and a pair whose end is not after its begin into null, never 0', () => {
    const stamps = BigUint64Array.from([1_000_000n, 3_500_000n, 7_000_000n, 6_000_000n, 9_000_000n, 9_000_000n, 0n, 250_000n]);
    expect(pairDurationsMs(stamps, 4)).toEqual([2.5, null, null, 0.25]);
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
