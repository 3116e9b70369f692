/** Draw a digit: the float and the shift-kernel model answer side by side, fast, in headless Chromium on the real models (no mocks). */
import { expect, test, type Page } from '@playwright/test';
import { guardPage, openReady } from './helpers.ts';

/** The shift network's layers as the demo lists them (flatten is free and not listed). */
const LAYERS = ['conv1', 'pool1', 'conv2', 'pool2', 'fc1', 'fc2', 'fc3'];

/** Opens the page and waits until the demo has both models. */
async function openDemo(page: Page): Promise<void> {
  await openReady(page);
  await expect(page.getByTestId('demo-model')).toContainText('Quantized model: pre-quantized 5-bit LeNet-5');
  // No note: the shift kernels run here (a missing WebGPU or model would say so).
  await expect(page.getByTestId('demo-note')).toHaveCount(0);
  await page.getByTestId('digit-demo').scrollIntoViewIfNeeded();
}

/** Resolves once the demo shows an answer to its latest request, checked every frame. */
async function answered(page: Page): Promise<void> {
  await page.waitForFunction(
    () => {
      const demo = document.querySelector<HTMLElement>('[data-testid="digit-demo"]');
      const top = (id: string) => document.querySelector<HTMLElement>(`[data-testid="${id}"]`)?.dataset.top ?? '';
      return demo?.dataset.state === 'done' && top('float-probs') !== '' && top('shift-probs') !== '';
    },
    null,
    { polling: 'raf', timeout: 30_000 },
  );
}

/** Draws a vertical stroke, the simplest "1", and lifts the pen; returns ms from the pointer-up to both answers. */
async function drawOne(page: Page): Promise<number> {
  const box = (await page.getByLabel('Drawing canvas').boundingBox())!;
  const x = box.x + box.width / 2;
  await page.mouse.move(x, box.y + 0.15 * box.height);
  await page.mouse.down();
  await page.mouse.move(x + 4, box.y + 0.85 * box.height, { steps: 12 });
  const t0 = Date.now();
  await page.mouse.up();
  await answered(page);
  return Date.now() - t0;
}

/** The per-layer times the page lists. */
async function layerTimes(page: Page): Promise<{ name: string; ms: number; text: string }[]> {
  return page
    .getByTestId('layer-times')
    .locator('tr[data-layer]')
    .evaluateAll((rows) => rows.map((r) => ({ name: (r as HTMLElement).dataset.layer ?? '', ms: Number((r as HTMLElement).dataset.ms), text: r.textContent ?? '' })));
}

test.describe('Draw a digit', () => {
  test('random test images: both models give a digit and agree; layer times and the packed size are shown', async ({ page, baseURL }) => {
    const guard = guardPage(page, new URL(baseURL!).origin);
    await openDemo(page);
    const demo = page.getByTestId('digit-demo');
    let last = '';
    for (let k = 0; k < 3; k++) {
      await page.getByRole('button', { name: 'Random test image' }).click();
      await expect(demo).not.toHaveAttribute('data-result-id', last);
      await answered(page);
      last = (await demo.getAttribute('data-result-id')) ?? '';
      const float = await page.getByTestId('float-probs').getAttribute('data-top');
      const shift = await page.getByTestId('shift-probs').getAttribute('data-top');
      const label = await page.getByTestId('demo-label').textContent();
      expect(float).toMatch(/^\d$/);
      expect(shift, `test image with label ${label}: the quantized model should agree with the float one`).toBe(float);
    }

    const times = await layerTimes(page);
    expect(times.map((t) => t.name)).toEqual(LAYERS);
    for (const t of times) {
      expect(Number.isFinite(t.ms) && t.ms > 0, `${t.name} time ${t.ms}`).toBe(true);
      expect(t.text).toMatch(/\d+(\.\d+)? ms/);
    }
    const size = page.getByTestId('demo-size');
    await expect(size).toHaveText(/^Packed: [\d.]+ kB vs [\d.]+ kB float32 \([\d.]+× smaller\)$/);
    const ratio = Number(await size.getAttribute('data-float')) / Number(await size.getAttribute('data-packed'));
    // 5-bit codes against 32-bit floats, less the headers and float32 biases.
    expect(ratio).toBeGreaterThan(5.5);
    expect(ratio).toBeLessThan(6.4);

    await page.getByRole('button', { name: 'Clear' }).click();
    await expect(demo).toHaveAttribute('data-state', 'empty');
    await expect(page.getByTestId('float-probs')).toHaveAttribute('data-top', '');
    expect(guard.errors).toEqual([]);
    expect(guard.foreign).toEqual([]);
  });

  test('drawing a "1" shows both predictions within a second of lifting the pen', async ({ page, baseURL }) => {
    const guard = guardPage(page, new URL(baseURL!).origin);
    await openDemo(page);
    // Warm-up: one prediction end to end.
    await drawOne(page);
    await page.getByRole('button', { name: 'Clear' }).click();
    await expect(page.getByTestId('digit-demo')).toHaveAttribute('data-state', 'empty');

    const ms = await drawOne(page);
    test.info().annotations.push({ type: 'latency', description: `${ms} ms from pointer-up to both predictions` });
    expect(ms, 'pointer-up to both predictions').toBeLessThan(1000);
    await expect(page.getByTestId('float-probs')).toHaveAttribute('data-top', '1');
    await expect(page.getByTestId('shift-probs')).toHaveAttribute('data-top', '1');

    const times = await layerTimes(page);
    expect(times.map((t) => t.name)).toEqual(LAYERS);
    for (const t of times) expect(Number.isFinite(t.ms) && t.ms > 0, `${t.name} time ${t.ms}`).toBe(true);
    await expect(page.getByTestId('layer-times')).toContainText(/All layers\s*[\d.]+ ms/);
    expect(guard.errors).toEqual([]);
    expect(guard.foreign).toEqual([]);
  });
});
