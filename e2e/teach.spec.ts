/** Teach: one screen at 1440×900 for a class, on real MNIST and the real worker. */
import { expect, test } from '@playwright/test';
import { guardPage } from './helpers.ts';
import { watchLongTasks } from './mainThreadTasks.ts';

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

test('the tour (#view=teach&tour): Next through 7 steps runs round 1 phase by phase, the snap animates, a clicked mask cell is followed onto its level, integrity reads 0/0 after each round, one-shot sits below float, all on one screen, no task over 50 ms of CPU', async ({ page, baseURL }) => {
  const guard = guardPage(page, new URL(baseURL!).origin);
  await page.goto('/#view=teach&tour&schedule=0.5,1&train=512&test=300&batch=32&layer=fc1');
  const tour = page.getByRole('region', { name: 'Guided tour' });
  const next = tour.getByRole('button', { name: 'Next' });
  const view = page.getByTestId('teach-view');
  const caption = page.getByTestId('teach-caption');
  const chart = page.getByTestId('accuracy-chart');
  await expect(next).toBeEnabled({ timeout: 120_000 });
  await expect(tour).toHaveAttribute('data-step', '1');
  const watch = await watchLongTasks(page);
  const captions: string[] = [];
  const advance = async (step: number, stage: string): Promise<void> => {
    await next.click();
    await expect(tour).toHaveAttribute('data-step', String(step));
    await expect(view).toHaveAttribute('data-stage', stage, { timeout: 120_000 });
    await expect(next).toBeEnabled({ timeout: 120_000 });
    captions.push(`${step} ${(await caption.textContent()) ?? ''}`);
  };

  // 1 → 2: the run starts and stops after the float and one-shot figures; one-shot is below float.
  await advance(2, 'start');
  await expect(caption).toContainText(/one-shot, no re-training\) scores \d+\.\d\d %: -?\d+\.\d\d points lost/);
  const float = Number(await chart.getAttribute('data-baseline'));
  const oneShot = Number(await chart.getAttribute('data-one-shot'));
  expect(oneShot).toBeGreaterThan(0.5);
  expect(oneShot, 'one-shot below float on the default model').toBeLessThan(float);
  // 2 → 3: partition. The chosen half of fc1 are dots at their float values, orange in the mask.
  await advance(3, 'partition');
  await expect(caption).toContainText("24,000 of fc1's 48,000 weights were chosen");
  const overlay = page.getByTestId('snap-overlay');
  await expect(overlay).toHaveAttribute('data-state', 'chosen');
  await expect(overlay).toHaveAttribute('data-dots', '24000');
  // 3 → 4: quantize. The dots travel (about a second) and land on the levels.
  await advance(4, 'quantize');
  await expect(caption).toContainText(/the 24,000 chosen weights of fc1 snapped to their powers of two: [\d,]+ moved to ±2\^-\d+ … ±2\^-\d+/);
  await expect(overlay).toHaveAttribute('data-state', 'landed', { timeout: 10_000 });
  // 4 → 5: re-training (the free weights' snapshots, the last at the epoch's end).
  await advance(5, 'retrain');
  await expect(caption).toContainText(/re-train \(epoch 1 of 1, 100 % through\): the 24,000 weights of fc1 still free/);
  // 5 → 6: evaluation. Round 1's point, the caption says how far one-shot fell, the integrity badge reads 0 / 0.
  await advance(6, 'evaluate');
  await expect(chart).toHaveAttribute('data-points', '1');
  await expect(caption).toContainText(/One-shot, with every weight snapped and nothing re-trained, fell -?\d+\.\d\d points below float; after round 1 INQ stands at [+−]\d+\.\d\d points\./);
  const integrity = page.getByTestId('integrity');
  await expect(integrity).toHaveAttribute('data-moved', '0');
  await expect(integrity).toHaveAttribute('data-off-level', '0');
  // 6 → 7: follow one weight. Click mask cells until one that froze in round 1: its path ends on its level.
  await next.click();
  await expect(tour).toHaveAttribute('data-step', '7');
  const mask = page.getByTestId('mask-fc1');
  const followed = page.getByTestId('follow-weight');
  const box = (await mask.boundingBox())!;
  for (let k = 0; k < 40; k++) {
    await page.mouse.click(box.x + box.width * ((k * 0.137 + 0.05) % 0.95), box.y + box.height * ((k * 0.291 + 0.07) % 0.95));
    if ((await followed.count()) > 0 && (await followed.getAttribute('data-froze')) === '1') break;
  }
  await expect(followed).toHaveAttribute('data-froze', '1');
  expect(Number(await followed.getAttribute('data-points')), 'start, snap and 4 re-training snapshots').toBe(6);
  expect(await followed.getAttribute('data-last')).toBe(await followed.getAttribute('data-level'));
  await expect(followed).toContainText(/froze in round 1 at [+−]2\^-\d+/);
  await expect(mask).toHaveAttribute('data-pinned', /^\d+$/);

  // One screen with the tour open: the views and the tour lie inside 1440×900.
  for (const el of [page.getByRole('button', { name: 'Step', exact: true }), caption, chart, page.getByTestId('histogram-fc1'), mask, followed, tour]) {
    const b = await el.boundingBox();
    expect(b, 'visible').not.toBeNull();
    expect(b!.y + b!.height, 'bottom edge within 900 px').toBeLessThanOrEqual(900);
    expect(b!.x + b!.width, 'right edge within 1440 px').toBeLessThanOrEqual(1440);
  }

  // Leave and come back at the same step; then finish, and run the last round.
  await tour.getByRole('button', { name: 'Leave the tour' }).click();
  await expect(tour).toHaveCount(0);
  await page.getByRole('button', { name: 'Back to the tour (step 7 of 7)' }).click();
  await tour.getByRole('button', { name: 'Finish the tour' }).click();
  await expect(tour).toHaveCount(0);
  await page.getByRole('button', { name: 'Resume', exact: true }).click();
  await expect(chart).toHaveAttribute('data-points', '2', { timeout: 120_000 });
  const longTasks = await watch.stop();
  console.log(`tour captions:\n${captions.join('\n')}`);
  console.log(`float ${float}, one-shot ${oneShot}; long tasks during the tour's run (wall/CPU, ms): ${longTasks.map((t) => `${t.wall.toFixed(0)}/${Number.isFinite(t.cpu) ? t.cpu.toFixed(0) : '?'}`).join(', ') || 'none'}`);
  await expect(integrity).toHaveAttribute('data-moved', '0');
  await expect(integrity).toHaveAttribute('data-off-level', '0');
  // Round 2 froze the rest: the followed weight ends on its level whatever round it froze in.
  await expect(followed).toHaveAttribute('data-froze', /^[12]$/);
  expect(await followed.getAttribute('data-last')).toBe(await followed.getAttribute('data-level'));
  expect(longTasks.filter((t) => t.cpu > 50), 'tasks with over 50 ms of main-thread CPU during the run in Teach (the snap animation included)').toEqual([]);
  expect(guard.errors).toEqual([]);
});
