/**
 * Saved runs in headless Chromium, on real MNIST and the real worker: a run outlives a reload
 * mid-run and can be continued; two runs overlay on the compare chart; rename and delete persist.
 * Each test gets a fresh browser context, so IndexedDB starts empty.
 */
import { readFileSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { guardPage, openReady, readRounds, setField } from './helpers.ts';

/** The saved-runs table row of the run with this name. */
const runRow = (page: Page, name: string) => page.locator(`[data-testid="runs-table"] tr[data-run-name="${name}"]`);

/** Waits until the page says the model is ready again (after a reload). */
async function waitReady(page: Page): Promise<void> {
  await expect(page.getByRole('button', { name: 'Run', exact: true })).toBeEnabled({ timeout: 120_000 });
}

/** Starts a run and waits until its summary is saved (the row says done). */
async function runToEnd(page: Page, name: string): Promise<void> {
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  await expect(runRow(page, name)).toHaveAttribute('data-status', 'done', { timeout: 170_000 });
}

/** Accuracy per round as the page's own accuracy chart has it. */
async function chartAccuracies(page: Page): Promise<number[]> {
  const raw = await page.getByTestId('accuracy-chart').getAttribute('data-accuracies');
  return (raw ?? '').split(',').filter(Boolean).map(Number);
}

test.describe('saved runs', () => {
  test('a run survives a reload mid-run: listed as interrupted with its rounds, opens into the views, Continue finishes it', async ({ page, baseURL }) => {
    test.setTimeout(360_000);
    const guard = guardPage(page, new URL(baseURL!).origin);
    // Round 2 re-trains on 640 images on WebGL (seconds): long enough to reload while it runs (on
    // wasm, auto's choice here now, it lasts under a second).
    await openReady(page, '#backend=webgl&schedule=0.5,0.8,1&train=640&test=200&batch=32');
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    const row = runRow(page, 'Run 1');
    await expect(row).toHaveAttribute('data-status', 'running');
    await expect.poll(async () => Number(await row.getAttribute('data-rounds')), { timeout: 200_000 }).toBeGreaterThanOrEqual(1);
    const before = await readRounds(page);
    expect(before.rounds.length, 'the run is still mid-way when the page reloads').toBeLessThan(3);

    await page.reload();
    await waitReady(page);
    await expect(row).toHaveAttribute('data-status', 'interrupted');
    const saved = Number(await row.getAttribute('data-rounds'));
    expect(saved).toBeGreaterThanOrEqual(1);
    expect(saved).toBeLessThan(3);
    await expect(row).toContainText(`interrupted · ${saved}/3 rounds`);
    await expect(page.getByTestId('interrupted-runs')).toContainText(`“Run 1” was interrupted when the page was reloaded or closed, after ${saved} of 3 rounds`);
    // Nothing is shown until it is opened: the page starts clean.
    await expect(page.getByTestId('accuracy-chart')).toHaveAttribute('data-points', '0');

    await page.getByRole('button', { name: 'Open Run 1', exact: true }).click();
    await expect(page.getByTestId('accuracy-chart')).toHaveAttribute('data-points', String(saved));
    await expect(page.getByTestId('shown-round')).toContainText(`Round ${saved}/3`);
    await expect(page.getByTestId('frozen-table')).toHaveAttribute('data-round', String(saved));
    await expect(page.getByLabel('Portion schedule', { exact: true })).toHaveValue('0.5,0.8,1');
    await expect(page.getByLabel('Round', { exact: true })).toBeEnabled();
    await expect(row).toHaveAttribute('data-shown', 'true');
    // What came back is what the page had: round 1's weights and freeze rounds, bit for bit.
    const opened = await readRounds(page);
    expect(opened.rounds.map((r) => r.portion)).toEqual([0.5, 0.8].slice(0, saved));
    expect(opened.rounds[0].layers.map((l) => l.frozenCount)).toEqual(before.rounds[0].layers.map((l) => l.frozenCount));
    expect(opened.rounds[0].layers[0].weights).toEqual(before.rounds[0].layers[0].weights);
    expect(opened.rounds[0].layers[2].frozenRound).toEqual(before.rounds[0].layers[2].frozenRound);
    const openedAccuracies = await chartAccuracies(page);

    // Continue without reloading: the worker picks up after the last saved round.
    await page.getByRole('button', { name: 'Continue Run 1', exact: true }).click();
    await expect(page.getByTestId('interrupted-runs')).toHaveCount(0);
    await expect(page.getByTestId('run-summary')).toBeVisible({ timeout: 250_000 });
    await expect(page.getByTestId('accuracy-chart')).toHaveAttribute('data-points', '3');
    const done = await readRounds(page);
    expect(done.rounds.map((r) => r.portion)).toEqual([0.5, 0.8, 1]);
    // The saved rounds were kept as they were, not trained again.
    expect((await chartAccuracies(page)).slice(0, saved)).toEqual(openedAccuracies);
    // Weights frozen in round 1 are still exactly what round 1 froze.
    const l0 = done.rounds[2].layers[0];
    const r1 = before.rounds[0].layers[0];
    for (let i = 0; i < r1.weights.length; i++) if (r1.frozenRound[i] === 1) expect(l0.weights[i]).toBe(r1.weights[i]);
    await expect(row).toHaveAttribute('data-status', 'done');
    await expect(row).toHaveAttribute('data-rounds', '3');
    await expect(row).toContainText(/9\d\.\d\d %/);
    await expect(row).toContainText(/kB/);
    expect(guard.errors).toEqual([]);
    expect(guard.foreign).toEqual([]);
  });

  test('two runs with different schedules overlay on the compare chart with the float baseline, and the table lists both', async ({ page, baseURL }) => {
    test.setTimeout(400_000);
    const guard = guardPage(page, new URL(baseURL!).origin);
    await openReady(page, '#schedule=0.6,1&train=256&test=200&batch=32');
    await runToEnd(page, 'Run 1');
    const first = await chartAccuracies(page);
    expect(first).toHaveLength(2);
    await setField(page, 'Portion schedule', '0.3,0.7,1');
    await runToEnd(page, 'Run 2');
    const second = await chartAccuracies(page);
    expect(second).toHaveLength(3);

    const compare = page.getByRole('region', { name: 'Compare runs' });
    await expect(compare).toContainText('Tick “Compare”');
    await page.getByRole('checkbox', { name: 'Compare Run 1', exact: true }).check();
    await page.getByRole('checkbox', { name: 'Compare Run 2', exact: true }).check();
    const chart = compare.getByTestId('compare-chart');
    await expect(chart).toHaveAttribute('data-series', '2');
    await expect(chart).toHaveAttribute('data-baselines', '1');
    // recharts draws them: one curve per run, one dot per completed round, one dashed float line.
    await expect(chart.locator('path.recharts-line-curve')).toHaveCount(2);
    await expect(chart.locator('.recharts-line-dots circle')).toHaveCount(5);
    await expect(chart.locator('line.recharts-reference-line-line')).toHaveCount(1);
    // The two curves have different colours, and the legend names both runs.
    const colours = await chart.locator('path.recharts-line-curve').evaluateAll((ps) => ps.map((p) => p.getAttribute('stroke')));
    expect(new Set(colours).size).toBe(2);
    await expect(compare.getByRole('list', { name: 'Legend' })).toContainText('Run 1');
    await expect(compare.getByRole('list', { name: 'Legend' })).toContainText('Run 2');

    const table = compare.getByRole('table', { name: 'Runs side by side' });
    await expect(table.locator('tbody tr')).toHaveCount(2);
    const row1 = table.locator('tr[data-run-name="Run 1"]');
    const row2 = table.locator('tr[data-run-name="Run 2"]');
    await expect(row1).toContainText('0.6,1');
    await expect(row2).toContainText('0.3,0.7,1');
    // Accuracy per round in the table is what each run's own chart showed.
    for (const [row, accs] of [
      [row1, first],
      [row2, second],
    ] as const) {
      for (const a of accs) await expect(row).toContainText(`${(100 * a).toFixed(2)} %`);
      await expect(row.locator('td[data-final]')).toHaveAttribute('data-final', String(accs[accs.length - 1]));
      await expect(row).toContainText('kB');
    }
    // The two final models compared image by image on the same 200 test images: McNemar's p and a verdict.
    const pair = compare.getByRole('table', { name: 'Paired comparison' }).locator('tbody tr');
    await expect(pair).toHaveCount(1);
    await expect(pair).toHaveAttribute('data-pair', 'Run 1|Run 2');
    const p = Number(await pair.getAttribute('data-p'));
    expect(p).toBeGreaterThan(0);
    expect(p).toBeLessThanOrEqual(1);
    await expect(pair).toContainText(/\d+ \/ \d+/);
    await expect(pair).toContainText(/(different, on|not distinguishable on) 200 images/);
    const diff = Number((await pair.locator('td').nth(1).textContent())!.replace('−', '-'));
    expect(diff).toBeCloseTo(100 * (first[first.length - 1] - second[second.length - 1]), 1);

    // The table as CSV: a header, then each run's settings, test size, final accuracy with its interval.
    const downloading = page.waitForEvent('download');
    await compare.getByRole('button', { name: 'Download table (CSV)', exact: true }).click();
    const csv = readFileSync(await (await downloading).path(), 'utf8').trimEnd().split('\r\n');
    expect(csv).toHaveLength(3);
    const header = csv[0].split(',');
    expect(header.slice(0, 3)).toEqual(['name', 'repeat', 'model']);
    expect(header).toContain('final_ci95_low');
    expect(header).toContain('round_3');
    expect(csv[1]).toMatch(/^Run 1,/);
    expect(csv[2]).toContain('"0.3,0.7,1"');
    const finalCol = header.indexOf('final_accuracy');
    // The schedule is quoted and holds commas; the columns from final_accuracy on are plain numbers, so count them from the end.
    const tail2 = csv[2].split(',').slice(-(header.length - finalCol));
    expect(Number(tail2[0])).toBe(second[second.length - 1]);
    const [lo, hi] = [Number(tail2[1]), Number(tail2[2])];
    expect(lo).toBeLessThan(second[second.length - 1]);
    expect(hi).toBeGreaterThan(second[second.length - 1]);
    await expect(compare.getByRole('button', { name: 'Save as PNG: comparison' })).toBeEnabled();

    await page.getByRole('checkbox', { name: 'Compare Run 1', exact: true }).uncheck();
    await expect(chart).toHaveAttribute('data-series', '1');
    expect(guard.errors).toEqual([]);
  });

  test('rename and delete work, refuse bad input without losing anything, and survive a reload', async ({ page, baseURL }) => {
    test.setTimeout(300_000);
    const guard = guardPage(page, new URL(baseURL!).origin);
    await openReady(page, '#schedule=0.6,1&train=256&test=200&batch=32');
    await runToEnd(page, 'Run 1');
    // A second run, stopped at once: saved as cancelled. It trains on 20× the images and 5 epochs
    // per round, so it is still running when Reset lands (on wasm Run 1's size ends in under a second).
    await page.getByLabel('Training images', { exact: true }).fill('5000');
    await page.getByLabel('Epochs per round', { exact: true }).fill('5');
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    await expect(runRow(page, 'Run 2')).toHaveAttribute('data-status', 'running');
    await page.getByRole('button', { name: 'Reset' }).click();
    await expect(runRow(page, 'Run 2')).toHaveAttribute('data-status', 'cancelled');

    // An empty name is refused: a message, and the old name stays.
    const name1 = page.getByRole('textbox', { name: 'Name of run Run 1', exact: true });
    await name1.fill('   ');
    await name1.press('Enter');
    await expect(page.getByTestId('runs-notice')).toContainText('needs a name');
    await expect(name1).toHaveValue('Run 1');
    await page.getByRole('button', { name: 'Dismiss the saved-runs message' }).click();

    await name1.fill('5-bit baseline');
    await name1.press('Enter');
    const renamed = runRow(page, '5-bit baseline');
    await expect(renamed).toHaveAttribute('data-status', 'done');
    await expect(page.getByRole('textbox', { name: 'Name of run 5-bit baseline', exact: true })).toHaveValue('5-bit baseline');

    // Delete asks first; "Keep it" keeps it.
    await page.getByRole('button', { name: 'Delete Run 2', exact: true }).click();
    await page.getByRole('button', { name: 'Keep it' }).click();
    await expect(runRow(page, 'Run 2')).toHaveCount(1);
    await page.getByRole('button', { name: 'Delete Run 2', exact: true }).click();
    await expect(page.getByRole('group', { name: 'Confirm deleting Run 2' })).toBeVisible();
    await page.getByRole('button', { name: 'Yes, delete' }).click();
    await expect(runRow(page, 'Run 2')).toHaveCount(0);

    await page.reload();
    await waitReady(page);
    await expect(page.locator('[data-testid="runs-table"] tbody tr')).toHaveCount(1);
    await expect(runRow(page, '5-bit baseline')).toHaveAttribute('data-status', 'done');
    await expect(runRow(page, 'Run 2')).toHaveCount(0);
    // The renamed run still opens with its rounds.
    await page.getByRole('button', { name: 'Open 5-bit baseline', exact: true }).click();
    await expect(page.getByTestId('accuracy-chart')).toHaveAttribute('data-points', '2');
    await expect(page.getByTestId('run-summary')).toBeVisible();
    expect(guard.errors).toEqual([]);
  });
});
