/** Teach: one screen at 1440×900 for a class, on real MNIST and the real worker. */
import { expect, test } from '@playwright/test';
import { guardPage } from './helpers.ts';

test.use({ viewport: { width: 1440, height: 900 } });

test('Teach: controls, caption, accuracy with float and one-shot, one layer\'s weights and mask, all on one 1440×900 screen; the caption tells the round with its numbers', async ({ page, baseURL }) => {
  const guard = guardPage(page, new URL(baseURL!).origin);
  // Teach has no model card (openReady waits for one): ready is Run enabled.
  await page.goto('/#view=teach&schedule=0.5,1&train=256&test=200&batch=32&layer=fc2');
  await expect(page.getByRole('button', { name: 'Run', exact: true })).toBeEnabled({ timeout: 120_000 });
  await expect(page.getByTestId('teach-view')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Teach' })).toHaveAttribute('aria-pressed', 'true');
  const caption = page.getByTestId('teach-caption');
  await expect(caption).toContainText(/The float model scores 9\d\.\d\d %/);
  await expect(caption).toContainText('Press Run');
  await expect(page.getByLabel('Layer', { exact: true })).toHaveValue('fc2');

  await page.getByRole('button', { name: 'Run', exact: true }).click();
  await expect(page.getByTestId('accuracy-chart')).toHaveAttribute('data-points', '2', { timeout: 150_000 });
  // The last round: every weight frozen; the caption counts fc2's newly frozen weights (half of 10,080).
  await expect(caption).toContainText('Round 2 of 2: 100.0 % of every layer is frozen.');
  await expect(caption).toContainText(/5,040 more of fc2's 10,080 weights froze/);
  await expect(caption).toContainText(/Every weight is now 0 or ±2\^p: test accuracy \d+\.\d\d % \(float \d+\.\d\d %, one-shot \d+\.\d\d %\)/);
  await expect(page.getByTestId('histogram-fc2')).toHaveAttribute('data-axis', 'log');
  await expect(page.getByTestId('mask-fc2')).toBeVisible();

  // One screen: the main views lie inside the 1440×900 viewport, no scrolling.
  for (const el of [
    page.getByRole('button', { name: 'Run', exact: true }),
    caption,
    page.getByTestId('accuracy-chart'),
    page.getByTestId('histogram-fc2'),
    page.getByTestId('mask-fc2'),
    page.getByLabel('Layer', { exact: true }),
  ]) {
    const box = await el.boundingBox();
    expect(box, 'visible').not.toBeNull();
    expect(box!.y + box!.height, 'bottom edge within 900 px').toBeLessThanOrEqual(900);
    expect(box!.x + box!.width, 'right edge within 1440 px').toBeLessThanOrEqual(1440);
  }

  // Another layer from the picker; back to the dashboard keeps the run.
  await page.getByLabel('Layer', { exact: true }).selectOption('conv1');
  await expect(page.getByTestId('histogram-conv1')).toBeVisible();
  await expect(caption).toContainText(/75 more of conv1's 150 weights froze/);
  await page.getByRole('button', { name: 'Dashboard' }).click();
  await expect(page.getByRole('heading', { name: 'Partition masks' })).toBeVisible();
  await expect(page.getByTestId('accuracy-chart')).toHaveAttribute('data-points', '2');
  expect(guard.errors).toEqual([]);
});
