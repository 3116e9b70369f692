/**
 * The shift kernels against their CPU twins in Chromium's WebGPU (SwiftShader here): random shapes,
 * strides, paddings and bit-widths 2–8, fresh inputs each run, outputs poisoned before each dispatch.
 * The same cases as `inq kernel-check` on Dawn, run inside the page's worker.
 */
import { expect, test } from '@playwright/test';
import { openReady } from './helpers.ts';

test('shift kernels match their CPU twins in the browser (float-exponent ≤ 1e-5, fixed-shift bit-exact)', async ({ page }) => {
  await openReady(page);
  const seed = Math.floor(Math.random() * 2 ** 31);
  const result = await page.evaluate(
    // Test hook installed by main.tsx.
    (s) => (window as unknown as { __inq: { client: { debugKernelCheck(cases: number, seed: number): Promise<unknown> } } }).__inq.client.debugKernelCheck(40, s),
    seed,
  );
  console.log(`browser kernel parity (seed ${seed}): ${JSON.stringify(result)}`);
  expect(result).not.toHaveProperty('error');
  const r = result as { cases: number; maxRelErr: number; fixedExact: boolean; unwritten: number; pass: boolean; firstFailure: string };
  expect(r.cases).toBe(40);
  expect(r.firstFailure).toBe('');
  expect(r.maxRelErr).toBeLessThanOrEqual(1e-5);
  expect(r.fixedExact).toBe(true);
  expect(r.unwritten).toBe(0);
  expect(r.pass).toBe(true);
});
