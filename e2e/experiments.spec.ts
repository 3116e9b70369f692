/** Pruning then INQ, the bit-width sweep and ensembles, in headless Chromium on real MNIST and the real worker. */
import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { guardPage, openReady, readRounds } from './helpers.ts';

test.describe('experiments', () => {
  test('the final model on every test image: checked from the link, scored on all 10,000 after a run on 200', async ({ page, baseURL }) => {
    const guard = guardPage(page, new URL(baseURL!).origin);
    await openReady(page, '#schedule=0.6,1&train=256&test=200&batch=32&finalfull=1');
    const box = page.getByRole('checkbox', { name: /^Final model on all 10,000 test images/ });
    await expect(box).toBeChecked();
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    const full = page.getByTestId('final-full');
    await expect(full).toHaveAttribute('data-n', '10000', { timeout: 120_000 });
    const accuracy = Number(await full.getAttribute('data-accuracy'));
    expect(accuracy).toBeGreaterThan(0.9);
    expect(accuracy).toBeLessThan(1);
    await expect(full).toContainText(`On all 10,000 test images: ${(100 * accuracy).toFixed(2)} %`);
    // The saved run carries the answers: the compare CSV counts them.
    await page.getByRole('checkbox', { name: 'Compare Run 1', exact: true }).check();
    const downloading = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Download table (CSV)', exact: true }).click();
    const [head, row] = readFileSync(await (await downloading).path(), 'utf8').trimEnd().split('\r\n');
    const cells = row.split(',');
    const at = (name: string): string => cells[cells.length - (head.split(',').length - head.split(',').indexOf(name))];
    expect(at('answers_images')).toBe('10000');
    expect(Number(at('answers_accuracy'))).toBe(accuracy);
    expect(guard.errors).toEqual([]);
    expect(guard.foreign).toEqual([]);
  });

  test('layer sensitivity: each layer alone snapped to 3-bit levels, a bar and a row per layer with its drop', async ({ page, baseURL }) => {
    const guard = guardPage(page, new URL(baseURL!).origin);
    await openReady(page, '#bits=3&test=500');
    const card = page.getByRole('region', { name: 'Layer sensitivity' });
    await expect(card.getByRole('button', { name: 'Save as PNG: layer sensitivity' })).toBeDisabled();
    await card.getByRole('button', { name: 'Measure layer sensitivity at 3 bits', exact: true }).click();
    const chart = card.getByTestId('sensitivity-chart');
    await expect(chart).toHaveAttribute('data-layers', '5', { timeout: 120_000 });
    await expect(chart).toHaveAttribute('data-bits', '3');
    await expect(chart).toContainText('on 500 test images');
    const rows = card.getByRole('table', { name: 'Accuracy with one layer quantized' }).locator('tbody tr');
    await expect(rows).toHaveCount(5);
    const drops = (await rows.evaluateAll((trs) => trs.map((tr) => Number(tr.getAttribute('data-drop'))))) as number[];
    expect(drops.every((d) => Number.isFinite(d) && Math.abs(d) < 0.2)).toBe(true);
    // At 3 bits some layer always loses accuracy when snapped (on the full test set every one does).
    expect(Math.max(...drops)).toBeGreaterThan(0);
    await expect(chart.locator('.recharts-bar-rectangle')).toHaveCount(5);
    await chart.locator('.recharts-bar-rectangle').first().hover();
    await expect(chart.locator('.recharts-tooltip-wrapper')).toContainText('accuracy drop');
    await expect(card.getByRole('button', { name: 'Save as PNG: layer sensitivity' })).toBeEnabled();
    expect(guard.errors).toEqual([]);
    expect(guard.foreign).toEqual([]);
  });

  test('prune first: the run reaches the sparsity, pruned weights stay zero through INQ, the summary reports the sparse size', async ({ page, baseURL }) => {
    const guard = guardPage(page, new URL(baseURL!).origin);
    await openReady(page, '#schedule=0.5,1&train=256&test=200&batch=32&prune=0.8');
    await expect(page.getByRole('checkbox', { name: 'Prune first' })).toBeChecked();
    await expect(page.getByLabel('Pruning sparsity')).toHaveValue('0.8');
    await page.getByRole('button', { name: 'Run' }).click();
    await expect(page.getByText(/Pruning before INQ · epoch/)).toBeVisible({ timeout: 60_000 });
    await expect(page.getByTestId('prune-summary')).toBeVisible({ timeout: 170_000 });
    const { layers, rounds } = await readRounds(page);
    const total = layers.reduce((a, l) => a + l.size, 0);
    let pruned = 0;
    let nonZeroPruned = 0;
    for (const l of rounds[0].layers) {
      const last = rounds[1].layers.find((x) => x.name === l.name)!.weights;
      l.frozenRound.forEach((r, i) => {
        if (r === 255) {
          pruned++;
          if (last[i] !== 0) nonZeroPruned++;
        }
      });
      // Round 1 freezes half of the surviving weights on top of the pruned ones.
      const p = l.frozenRound.filter((r) => r === 255).length;
      expect(l.frozenCount).toBe(p + Math.round(0.5 * (l.frozenRound.length - p)));
    }
    // At least the target; weights held in the splice band when the mask was fixed may add a little.
    expect(pruned).toBeGreaterThanOrEqual(Math.round(0.8 * total));
    expect(pruned / total).toBeLessThan(0.85);
    expect(nonZeroPruned).toBe(0);
    await expect(page.getByTestId('prune-summary')).toContainText(/Pruned first to 8[0-4]\.\d % zeros/);
    expect(guard.errors).toEqual([]);
    expect(guard.foreign).toEqual([]);
  });

  test('one action sweeps bit-widths 2–8 and plots final accuracy against bits with the float line; the regulariser preset sweeps the over-fitting MLP from 3 seeds on one subset, then LeNet-5', async ({ page, baseURL }) => {
    test.setTimeout(480_000);
    const guard = guardPage(page, new URL(baseURL!).origin);
    await openReady(page, '#train=64&test=100&batch=32&bits=4&seed=3');
    const sweeps = page.getByRole('region', { name: 'Sweeps' });
    await sweeps.getByRole('button', { name: 'Sweep bit-widths 2–8' }).click();
    await expect(sweeps.getByRole('status')).toContainText('Run 1 of 7: 2 bits');
    await expect(sweeps.getByTestId('sweep-bits-chart')).toHaveAttribute('data-points', '7', { timeout: 450_000 });
    await expect(sweeps.getByRole('status')).toHaveCount(0);
    const rows = sweeps.getByRole('table', { name: 'Sweep results' }).locator('tbody tr');
    await expect(rows).toHaveCount(7);
    await expect(rows.first().locator('td').first()).toHaveText('2');
    await expect(rows.last().locator('td').first()).toHaveText('8');
    // The user's own settings come back after the sweep.
    await expect(page.getByLabel('Bit-width', { exact: true })).toHaveValue('4');
    await expect(sweeps.getByTestId('sweep-bits-chart').getByRole('img')).toHaveAccessibleName(/float model 9\d\.\d\d %/);

    // Regulariser (seed 003): 7 bit-widths × 3 seeds on the over-fitting MLP, every seed re-training on
    // the subset it was pre-trained on (subset seed 3), then on LeNet-5. Its first run starts; then the sweep is stopped.
    await sweeps.getByRole('button', { name: 'Regulariser (seed 003)' }).click();
    await expect(sweeps.getByRole('status')).toContainText('Run 1 of 42: mlp-overfit, 2 bits, magnitude partition, seed 3 (1 of 3)', { timeout: 120_000 });
    await expect(page.getByLabel('Pre-trained model', { exact: true })).toHaveValue('mlp-overfit');
    await expect(page.getByLabel('Subset seed', { exact: true })).toHaveValue('3');
    await expect(page.getByLabel('Training images', { exact: true })).toHaveValue('1000');
    expect(new URL(page.url()).hash).toMatch(/(^#|&)tseed=3(&|$)/);
    await sweeps.getByRole('button', { name: 'Stop sweep' }).click();
    await expect(sweeps.getByRole('status')).toHaveCount(0);
    await expect(sweeps.getByRole('alert')).toContainText('Sweep stopped');
    await expect(page.getByRole('button', { name: 'Run', exact: true })).toBeEnabled({ timeout: 60_000 });
    expect(guard.errors).toEqual([]);
  });

  test('an ensemble of 3 quantized models: accuracy against the number of models', async ({ page, baseURL }) => {
    test.setTimeout(300_000);
    const guard = guardPage(page, new URL(baseURL!).origin);
    await openReady(page, '#train=128&test=200&batch=32&bits=3&schedule=0.5,1');
    const sweeps = page.getByRole('region', { name: 'Sweeps' });
    await sweeps.getByLabel('Ensemble size').fill('3');
    await sweeps.getByRole('button', { name: 'Quantize an ensemble at 3 bits' }).click();
    await expect(sweeps.getByTestId('sweep-ensemble-chart')).toHaveAttribute('data-points', '3', { timeout: 280_000 });
    const rows = sweeps.getByRole('table', { name: 'Ensemble results' }).locator('tbody tr');
    await expect(rows).toHaveCount(3);
    // Three different seeds were used, one per member.
    const seeds = await sweeps.getByRole('table', { name: 'Sweep results' }).locator('tbody tr td:nth-child(3)').allTextContents();
    expect(seeds).toEqual(['1', '2', '3']);
    expect(guard.errors).toEqual([]);
  });

  test('a 3-seed repeat: one saved entry, a band on the compare chart, mean ± interval in its table, and a paired test of two single runs', async ({ page, baseURL }) => {
    test.setTimeout(300_000);
    const guard = guardPage(page, new URL(baseURL!).origin);
    await openReady(page, '#train=128&test=200&batch=32&bits=3&schedule=0.5,1');
    const sweeps = page.getByRole('region', { name: 'Sweeps' });
    await sweeps.getByLabel('Seeds', { exact: true }).fill('3');
    await sweeps.getByRole('button', { name: 'Repeat ×3' }).click();
    const result = sweeps.getByTestId('repeat-result');
    await expect(result).toContainText('3 of 3 seeds', { timeout: 280_000 });
    const seeds = await sweeps.getByRole('table', { name: 'Sweep results' }).locator('tbody tr td:nth-child(3)').allTextContents();
    expect(seeds).toEqual(['1', '2', '3']);

    // Saved runs: the three runs are one entry.
    const list = page.getByRole('table', { name: 'Saved runs list' });
    const entry = list.locator('tr[data-repeat="3"]');
    await expect(entry).toHaveCount(1);
    await expect(entry).toHaveAttribute('data-status', 'done');
    await expect(list.locator('tbody tr')).toHaveCount(1);
    await expect(entry).toContainText('seeds 1, 2, 3');
    const name = (await entry.getAttribute('data-run-name'))!;
    expect(name).toMatch(/ ×3$/);
    // At 3 bits every weight snapped at once (no re-training) falls below float; INQ's rounds end above that line.
    const chart = page.getByTestId('accuracy-chart');
    const [float, oneShot] = [Number(await chart.getAttribute('data-baseline')), Number(await chart.getAttribute('data-one-shot'))];
    expect(oneShot).toBeGreaterThan(0);
    expect(oneShot).toBeLessThan(float);

    // Then two single runs, seeds 1 and 2, to compare image by image.
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    await expect(page.getByTestId('run-summary')).toBeVisible({ timeout: 120_000 });
    await page.getByLabel('Seed', { exact: true }).fill('2');
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    await expect(list.locator('tbody tr')).toHaveCount(3, { timeout: 30_000 });
    await expect(list.locator('tbody tr[data-status="done"]')).toHaveCount(3, { timeout: 120_000 });

    // Compare: the repeat and both single runs.
    for (const cb of await list.getByRole('checkbox', { name: /^Compare / }).all()) await cb.check();
    const compare = page.getByRole('region', { name: 'Compare runs' });
    await expect(compare.getByTestId('compare-chart')).toHaveAttribute('data-series', '3');
    await expect(compare.getByTestId('compare-chart')).toHaveAttribute('data-bands', '1');
    // The band is drawn: a shaded area in the chart.
    await expect(compare.locator('.recharts-area-area')).toHaveCount(1);
    const row = compare.getByTestId('compare-table').locator(`tr[data-run-name="${name}"]`);
    await expect(row).toHaveAttribute('data-seeds', '3');
    const final = row.locator('td[data-final]');
    await expect(final).toContainText(/^\d+\.\d\d % ± \d+\.\d\d$/);
    const [lo, hi] = ((await final.getAttribute('data-interval')) ?? '').split(',').map(Number);
    const mean = Number(await final.getAttribute('data-final'));
    expect(lo).toBeLessThan(mean);
    expect(hi).toBeGreaterThan(mean);
    // The two single runs get a McNemar p-value; pairs with the repeat say why they have none.
    const pairs = compare.getByTestId('pair-table').locator('tbody tr');
    await expect(pairs).toHaveCount(3);
    const p = Number(await compare.getByTestId('pair-table').locator('tr[data-p]:not([data-p=""])').getAttribute('data-p'));
    expect(p).toBeGreaterThan(0);
    expect(p).toBeLessThanOrEqual(1);
    await expect(compare.getByTestId('pair-table')).toContainText('is a repeat');
    expect(guard.errors).toEqual([]);
  });
});
