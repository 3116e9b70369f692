/** Smoke test: the built page loads, finds a WebGPU adapter, loads MNIST, and stays on its own origin. */
import { expect, test } from '@playwright/test';

test('page loads, finds WebGPU and MNIST, logs no errors, stays on its origin', async ({ page, baseURL }, testInfo) => {
  const origin = new URL(baseURL ?? 'http://localhost:4173').origin;
  const errors: string[] = [];
  const warnings: string[] = [];
  const foreign: string[] = [];
  const seen: string[] = [];

  // Console messages from dedicated workers arrive here too.
  page.on('console', (msg) => {
    const where = msg.location().url ? ` (${msg.location().url})` : '';
    if (msg.type() === 'error') errors.push(`console.error: ${msg.text()}${where}`);
    else if (msg.type() === 'warning') warnings.push(`${msg.text()}${where}`);
  });
  page.on('pageerror', (err) => errors.push(`page error: ${err.message}`));
  page.on('request', (req) => {
    const url = new URL(req.url());
    const local = url.protocol === 'data:' || url.origin === origin; // blob: URLs carry their creator's origin
    if (!local) foreign.push(req.url());
    seen.push(url.pathname);
  });

  await page.goto('/');
  await expect(page).toHaveTitle('INQ Playground');
  await expect(page.getByRole('heading', { name: 'INQ Playground' })).toBeVisible();

  const gpu = page.getByTestId('webgpu-status');
  await expect(gpu).toHaveAttribute('role', 'status');
  // Wait for detection to end, then insist on an adapter: "No WebGPU adapter" must fail the test.
  await expect(gpu).not.toHaveText('Detecting WebGPU…');
  await expect(gpu).toHaveText(/^WebGPU adapter: \S/, { timeout: 1_000 });

  const data = page.getByTestId('data-status');
  await expect(data).toHaveText('MNIST: 60000 training / 10000 test images', { timeout: 120_000 });

  await page.screenshot({ path: testInfo.outputPath('smoke.png'), fullPage: true });
  if (warnings.length) console.log(`console warnings:\n  ${warnings.join('\n  ')}`);
  console.log(`webgpu-status: ${await gpu.textContent()}`);

  expect(errors, 'console errors and page errors').toEqual([]);
  expect(seen, 'the request listener saw the data download').toContain('/data/mnist/train-images-idx3-ubyte.gzip');
  expect(foreign, 'requests that left the page origin').toEqual([]);
});
