/**
 * Test-only: one Dawn device per test file. Without an adapter the tests FAIL with the reason;
 * INQ_SKIP_GPU_TESTS=1 turns them into reported skips instead.
 */
import { appendFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { installNodeWebGpu, releaseNodeWebGpu } from '../model/nodeGpu.ts';
import { createRng } from '../inq/rng.ts';
import type { Rng } from '../inq/rng.ts';
import { ShiftKernels } from './programs.ts';

/** Whether GPU tests are skipped on purpose (INQ_SKIP_GPU_TESTS=1, outside CI). */
// Never in CI: there the GPU tests must run (on SwiftShader at least), and skipping would hide a broken install.
export const SKIP_GPU = process.env.INQ_SKIP_GPU_TESTS === '1' && !process.env.CI;

// Why the file's GPU setup failed; every GPU test then fails with it (a failing beforeAll would
// only mark the suite failed and list its tests as skipped, which reads like a deliberate skip).
let setupError: Error | null = null;

/** `it` for tests that need the GPU: fails with the setup error if there is no GPU, `it.skip` when INQ_SKIP_GPU_TESTS=1. */
export function gpuIt(name: string, fn: () => Promise<void> | void): void {
  if (SKIP_GPU) {
    it.skip(name, fn);
    return;
  }
  it(name, async () => {
    if (setupError) throw setupError;
    await fn();
  });
}

/** Accessors for the file's device and compiled kernels (valid inside gpuIt tests). */
export interface GpuContext {
  device(): GPUDevice;
  kernels(): ShiftKernels;
  adapterInfo(): string;
}

/** Installs Dawn, opens one device (with timestamp queries when offered) and compiles the kernels. */
export function setupGpu(): GpuContext {
  let device: GPUDevice | null = null;
  let kernels: ShiftKernels | null = null;
  let info = '';
  const errors: string[] = [];
  beforeAll(async () => {
    if (SKIP_GPU) return;
    const hint = 'set INQ_SKIP_GPU_TESTS=1 to report these tests as skipped';
    try {
      const installed = await installNodeWebGpu();
      if (!installed.ok) throw new Error(`GPU tests need WebGPU in Node: ${installed.message} (${hint})`);
      const adapter = await navigator.gpu.requestAdapter();
      if (!adapter) throw new Error(`GPU tests need WebGPU in Node: requestAdapter() returned null with ${installed.message} (${hint})`);
      info = installed.message;
      // npm test prints where the GPU tests ran (scripts/runTests.mjs names the file).
      if (process.env.INQ_GPU_REPORT) appendFileSync(process.env.INQ_GPU_REPORT, `${info}\n`);
      const requiredFeatures: GPUFeatureName[] = adapter.features.has('timestamp-query') ? ['timestamp-query'] : [];
      device = await adapter.requestDevice({ requiredFeatures });
      // Validation errors outside an error scope would otherwise only be logged.
      device.addEventListener('uncapturederror', (e) => errors.push((e as GPUUncapturedErrorEvent).error.message));
      kernels = await ShiftKernels.create(device);
    } catch (e) {
      setupError = e instanceof Error ? e : new Error(String(e));
    }
  });
  afterEach(() => {
    const seen = errors.splice(0);
    expect(seen, 'uncaptured WebGPU errors').toEqual([]);
  });
  afterAll(() => {
    device?.destroy();
    device = null;
    kernels = null;
    releaseNodeWebGpu();
  });
  return {
    device: () => {
      if (!device) throw new Error('no GPU device (beforeAll failed)');
      return device;
    },
    kernels: () => {
      if (!kernels) throw new Error('no compiled kernels (beforeAll failed)');
      return kernels;
    },
    adapterInfo: () => info,
  };
}

/** A fresh base seed per run (INQ_TEST_SEED replays one), as in src/inq's property tests. */
export const BASE_SEED = (() => {
  const env = process.env.INQ_TEST_SEED;
  return env !== undefined && env !== '' ? Number(env) >>> 0 : Date.now() % 0x7fffffff;
})();

/** Runs `count` seeded cases; a failure names the case's seed and how to replay the run. */
export async function forCases(count: number, salt: number, fn: (rng: Rng, seed: number) => Promise<void>): Promise<void> {
  for (let i = 0; i < count; i++) {
    const seed = (BASE_SEED + Math.imul(i + 1 + salt * 1000, 0x9e3779b1)) | 0;
    try {
      await fn(createRng(seed), seed);
    } catch (e) {
      if (e instanceof Error) e.message = `[case ${i}, seed ${seed}; replay with INQ_TEST_SEED=${BASE_SEED}] ${e.message}`;
      throw e;
    }
  }
}
