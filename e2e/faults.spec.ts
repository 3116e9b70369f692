/**
 * Faults mid-run, on real MNIST in the real worker: the worker killed mid-round, the WebGPU device
 * lost mid-round, and a training subset too large for the device's memory. Each shows a clear
 * message in the banner, keeps the completed rounds in the views, and carries on without a reload.
 */
import { expect, test, type Page } from '@playwright/test';
import { guardPage, openReady, readRounds, setField } from './helpers.ts';

interface Snapshot {
  status: string;
  message: string | null;
  rounds: number[];
  backend: string | null;
  progressRound: number;
  progressBatch: number;
}

/** The parts of the store these tests watch. */
function snapshot(page: Page): Promise<Snapshot> {
  return page.evaluate(() => {
    // Test hook installed by main.tsx.
    const s = (window as unknown as { __inq: { store: { getState(): Record<string, unknown> } } }).__inq.store.getState() as {
      status: string;
      message: string | null;
      rounds: { round: number }[];
      backend: { backend: string } | null;
      progress: { round: number; batch: number } | null;
    };
    return {
      status: s.status,
      message: s.message,
      rounds: s.rounds.map((r) => r.round),
      backend: s.backend?.backend ?? null,
      progressRound: s.progress?.round ?? 0,
      progressBatch: s.progress?.batch ?? 0,
    };
  });
}

/** Waits until round 1 is complete and round 2 has trained a few batches: the middle of a round. */
async function waitMidRound2(page: Page): Promise<void> {
  await expect
    .poll(async () => {
      const s = await snapshot(page);
      return s.rounds.length === 1 && s.progressRound === 2 && s.progressBatch >= 2;
    }, { timeout: 300_000, intervals: [100] })
    .toBe(true);
}

/** Each round's weights of layer 0, as the page holds them. */
async function firstLayerWeights(page: Page): Promise<Map<number, number[]>> {
  const { rounds } = await readRounds(page);
  return new Map(rounds.map((r) => [r.round, r.layers[0].weights]));
}

const banner = (page: Page) => page.locator('.banner-error[role="alert"]');

test.describe('faults mid-run', () => {
  // Training on SwiftShader is slow, and slower on a loaded machine.
  test.setTimeout(420_000);
  test('worker killed mid-round: message, round 1 kept, Continue finishes the run from round 2', async ({ page, baseURL }) => {
    const guard = guardPage(page, new URL(baseURL!).origin);
    // On WebGL, as written: on wasm (auto's choice here now) round 2 of 512 images lasts under a
    // second, and the kill can land after it ends.
    await openReady(page, '#backend=webgl&schedule=0.5,0.75,1&train=512&test=200&batch=32');
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    await waitMidRound2(page);
    const before = await firstLayerWeights(page);
    await page.evaluate(() => (window as unknown as { __inq: { client: { debugKillWorker(): void } } }).__inq.client.debugKillWorker());

    await expect(banner(page)).toContainText('The training worker crashed');
    await expect(banner(page)).toContainText('Completed rounds are kept');
    // The views still show round 1: its accuracy point, its frozen table and histograms.
    await expect(page.getByTestId('accuracy-chart')).toHaveAttribute('data-points', '1');
    await expect(page.locator('[data-testid="frozen-table"] [data-layer]').first()).toBeVisible();
    const crashed = await snapshot(page);
    expect(crashed.status).toBe('error');
    expect(crashed.rounds).toEqual([1]);
    // A plain Run cannot reach a dead worker; the banner offers the way on.
    await expect(page.getByRole('button', { name: 'Run', exact: true })).toBeDisabled();

    await banner(page).getByRole('button', { name: 'Continue on WebGL' }).click();
    await expect(page.getByTestId('run-summary')).toBeVisible({ timeout: 300_000 });
    const done = await snapshot(page);
    expect(done.rounds).toEqual([1, 2, 3]);
    expect(done.message).toBeNull();
    await expect(page.getByTestId('accuracy-chart')).toHaveAttribute('data-points', '3');
    // Round 1 is the one computed before the crash, not a re-run.
    const after = await firstLayerWeights(page);
    expect(after.get(1)).toEqual(before.get(1));
    // And the page is ready for another run, without a reload.
    await expect(page.getByRole('button', { name: 'Run', exact: true })).toBeEnabled();
    expect(guard.foreign).toEqual([]);
    expect(guard.errors.filter((e) => !/worker/i.test(e))).toEqual([]);
  });

  test('WebGPU device lost mid-round: message, round 1 kept, Continue on WebGL finishes the run', async ({ page, baseURL }) => {
    const guard = guardPage(page, new URL(baseURL!).origin);
    await openReady(page, '#backend=webgpu&schedule=0.5,0.75,1&train=128&test=200&batch=16');
    await expect(page.getByTestId('backend-badge')).toContainText('webgpu');
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    await waitMidRound2(page);
    const before = await firstLayerWeights(page);
    await page.evaluate(() => (window as unknown as { __inq: { client: { debugLoseDevice(): void } } }).__inq.client.debugLoseDevice());

    await expect(banner(page)).toContainText(/GPU device was lost/);
    await expect(banner(page)).toContainText(/completed rounds are kept/i);
    await expect(page.getByTestId('accuracy-chart')).toHaveAttribute('data-points', '1');
    const lost = await snapshot(page);
    expect(lost.status).toBe('error');
    expect(lost.rounds).toEqual([1]);

    // Three ways on: WebGL, wasm (the fast CPU path) and pure-JS CPU.
    await expect(banner(page).getByRole('button', { name: 'Continue on wasm' })).toBeVisible();
    await expect(banner(page).getByRole('button', { name: 'Continue on CPU' })).toBeVisible();
    await banner(page).getByRole('button', { name: 'Continue on WebGL' }).click();
    await expect(page.getByTestId('run-summary')).toBeVisible({ timeout: 300_000 });
    const done = await snapshot(page);
    expect(done.rounds).toEqual([1, 2, 3]);
    expect(done.backend).toBe('webgl');
    expect((await firstLayerWeights(page)).get(1)).toEqual(before.get(1));
    await expect(page.getByTestId('accuracy-chart')).toHaveAttribute('data-points', '3');
    await expect(page.getByRole('button', { name: 'Run', exact: true })).toBeEnabled();
    expect(guard.foreign).toEqual([]);
  });

  test('a training subset too large for the device is refused with a size that fits; that size then runs', async ({ page, baseURL }) => {
    const guard = guardPage(page, new URL(baseURL!).origin);
    await openReady(page, '#schedule=0.5,1&train=20000&test=200&batch=32');
    // Stand in for a small device: room for 1,200 MNIST images (784 float32 pixels and a label byte each).
    await page.evaluate(() => (window as unknown as { __inq: { client: { debugMemoryBudget(b: number | null): void } } }).__inq.client.debugMemoryBudget(1200 * (784 * 4 + 1)));
    await page.getByRole('button', { name: 'Run', exact: true }).click();

    await expect(banner(page)).toHaveText(/the training subset is too large for this device's memory: try 1200 or fewer/);
    const refused = await snapshot(page);
    expect(refused.rounds).toEqual([]);
    // The worker is still ready: no restart, the settings can change and Run works again.
    expect(refused.status).toBe('ready');
    await expect(banner(page).getByRole('button', { name: 'Restart the worker' })).toHaveCount(0);
    await setField(page, 'Training images', '256');
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    await expect(banner(page)).toHaveCount(0);
    await expect(page.getByTestId('run-summary')).toBeVisible({ timeout: 150_000 });
    expect((await snapshot(page)).rounds).toEqual([1, 2]);
    expect(guard.errors).toEqual([]);
    expect(guard.foreign).toEqual([]);
  });
});
