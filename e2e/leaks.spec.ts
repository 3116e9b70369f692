/**
 * Leaks in the browser: ten consecutive tiny runs in the same worker. tfjs's tensor count must
 * come back to the same value after every run, and the worker's JS heap (after a forced garbage
 * collection) must stay within a bound. Chromium is started with --expose-gc for this file so
 * the worker can collect before it measures.
 */
import { expect, test as base, type LaunchOptions, type Page } from '@playwright/test';
import { guardPage, openReady } from './helpers.ts';

interface WorkerMemory {
  numTensors: number;
  numBytes: number;
  jsHeapUsed: number | null;
  gcRan: boolean;
}

/** The project's browser, plus --expose-gc (so `gc()` exists in the page and its workers). */
const test = base.extend<object, { launchOptions: LaunchOptions }>({
  launchOptions: [
    async ({ launchOptions }, use) => {
      await use({ ...launchOptions, args: [...(launchOptions?.args ?? []), '--js-flags=--expose-gc'] });
    },
    { scope: 'worker' },
  ],
});

/** Clicks Run and waits for that run (a new run id) to finish. */
async function runOnce(page: Page): Promise<void> {
  const state = () =>
    page.evaluate(() => {
      // Test hook installed by main.tsx.
      const s = (window as unknown as { __inq: { store: { getState(): { runId: string | null; status: string } } } }).__inq.store.getState();
      return { runId: s.runId, status: s.status };
    });
  const before = (await state()).runId;
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  await expect.poll(async () => {
    const s = await state();
    return s.runId !== before && s.status === 'done';
  }, { timeout: 150_000, intervals: [200] }).toBe(true);
  await expect(page.getByTestId('run-summary')).toBeVisible();
}

/** Growth of the worker's JS heap allowed over nine runs (after a GC): a leak of one subset copy per run (64 images = 200 kB) would pass 1.5 MB. */
const HEAP_GROWTH_LIMIT = 1.5 * 2 ** 20;

test('ten consecutive tiny runs: worker tensors do not grow, JS heap stays within bounds', async ({ page, baseURL }) => {
  test.setTimeout(600_000);
  const guard = guardPage(page, new URL(baseURL!).origin);
  await openReady(page, '#schedule=0.5,1&train=64&test=100&batch=32');
  const memory = (): Promise<WorkerMemory> =>
    page.evaluate(() => (window as unknown as { __inq: { client: { debugMemory(): Promise<WorkerMemory> } } }).__inq.client.debugMemory());

  const after: WorkerMemory[] = [];
  for (let k = 0; k < 10; k++) {
    await runOnce(page);
    // The run's model reaches the demo after 'done'; give the worker a moment to settle before measuring.
    await page.waitForTimeout(300);
    after.push(await memory());
  }
  const tensors = after.map((m) => m.numTensors);
  const bytes = after.map((m) => m.numBytes);
  console.log(`tensors after each run: ${tensors.join(', ')}`);
  console.log(`tensor bytes after each run: ${bytes.join(', ')}`);
  console.log(`worker JS heap after each run (gc ${after[0].gcRan ? 'forced' : 'not available'}): ${after.map((m) => m.jsHeapUsed).join(', ')}`);
  // From the first run on (which may warm up caches) nothing grows.
  expect(tensors, 'tfjs tensors in the worker after each run').toEqual(new Array<number>(10).fill(tensors[0]));
  expect(bytes, 'tfjs tensor bytes in the worker after each run').toEqual(new Array<number>(10).fill(bytes[0]));
  expect(after[0].gcRan, 'the worker could force a garbage collection').toBe(true);
  const heaps = after.map((m) => m.jsHeapUsed);
  if (heaps.every((h): h is number => h !== null)) {
    expect(heaps[9] - heaps[0], `worker JS heap growth over nine runs (bytes): ${heaps.join(', ')}`).toBeLessThan(HEAP_GROWTH_LIMIT);
  } else {
    test.info().annotations.push({ type: 'note', description: 'performance.memory is not exposed in the worker: heap growth not measured' });
  }
  expect(guard.errors).toEqual([]);
  expect(guard.foreign).toEqual([]);
});
