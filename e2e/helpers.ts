/** Shared steps for the playground specs: open the page ready to run, guard the origin, read the store. */
import { expect, type Page } from '@playwright/test';

/** Records requests to other origins and page errors for the whole test. */
export function guardPage(page: Page, origin: string): { foreign: string[]; errors: string[] } {
  const foreign: string[] = [];
  const errors: string[] = [];
  page.on('request', (req) => {
    const url = new URL(req.url());
    if (url.protocol !== 'data:' && url.protocol !== 'blob:' && url.origin !== origin) foreign.push(req.url());
  });
  page.on('pageerror', (err) => errors.push(err.message));
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(msg.text());
  });
  return { foreign, errors };
}

/** Opens the page (with an optional hash) and waits until the worker reports the model ready. */
export async function openReady(page: Page, hash = ''): Promise<void> {
  await page.goto(`/${hash}`);
  await expect(page.getByRole('button', { name: 'Run', exact: true })).toBeEnabled({ timeout: 120_000 });
  await expect(page.getByTestId('pretrained-accuracy')).toContainText('%');
}

/** Fills a labelled input and leaves it. */
export async function setField(page: Page, label: string, value: string): Promise<void> {
  const field = page.getByLabel(label, { exact: true });
  await field.fill(value);
  await field.blur();
}

/** The store's state as plain data (typed arrays become number arrays). */
export async function readRounds(page: Page): Promise<{
  layers: { name: string; size: number; n1: number; n2: number }[];
  rounds: { round: number; portion: number; layers: { name: string; frozenCount: number; weights: number[]; frozenRound: number[] }[] }[];
}> {
  return page.evaluate(() => {
    // Test hook installed by main.tsx.
    const hook = (window as unknown as { __inq: { store: { getState(): Record<string, unknown> } } }).__inq;
    const s = hook.store.getState() as {
      layers: { name: string; size: number; n1: number; n2: number }[];
      rounds: { round: number; portion: number; layers: { name: string; frozenCount: number; weights: Float32Array; frozenRound: Uint8Array }[] }[];
    };
    return {
      layers: s.layers.map((l) => ({ name: l.name, size: l.size, n1: l.n1, n2: l.n2 })),
      rounds: s.rounds.map((r) => ({
        round: r.round,
        portion: r.portion,
        layers: r.layers.map((l) => ({ name: l.name, frozenCount: l.frozenCount, weights: Array.from(l.weights), frozenRound: Array.from(l.frozenRound) })),
      })),
    };
  });
}
