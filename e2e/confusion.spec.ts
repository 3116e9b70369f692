/** "Where the errors are": the float and quantized confusion matrices of a real run, and a cell that opens its images. */
import { expect, test, type Locator } from '@playwright/test';
import { guardPage, openReady } from './helpers.ts';

/** Every cell's count of one matrix, as [true][predicted]. */
async function countsOf(table: Locator): Promise<number[][]> {
  return table.locator('td[data-count]').evaluateAll((tds) => {
    const m = Array.from({ length: 10 }, () => new Array<number>(10).fill(0));
    for (const td of tds) m[Number(td.getAttribute('data-true'))][Number(td.getAttribute('data-predicted'))] = Number(td.getAttribute('data-count'));
    return m;
  });
}

const sum = (m: number[][]): number => m.flat().reduce((a, b) => a + b, 0);
const diagonal = (m: number[][]): number => m.reduce((a, row, i) => a + row[i], 0);

test('confusion matrices: float beside quantized add up to the test images, their diagonals are the reported accuracies, and a cell opens its images', async ({ page, baseURL }) => {
  const guard = guardPage(page, new URL(baseURL!).origin);
  await openReady(page, '#schedule=0.6,1&train=256&test=200&batch=32');
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  await expect(page.getByTestId('run-summary')).toBeVisible({ timeout: 150_000 });

  const card = page.getByRole('region', { name: 'Where the errors are' });
  const floatTable = card.getByTestId('confusion-float');
  const quantTable = card.getByTestId('confusion-quantized');
  await expect(floatTable).toBeVisible();
  await expect(quantTable).toBeVisible();
  await expect(quantTable.locator('caption')).toContainText('Quantized, round 2');

  // The accuracies the page reports (its store), to check the diagonals against.
  const reported = await page.evaluate(() => {
    const hook = (window as unknown as { __inq: { store: { getState(): { floatAccuracy: number; rounds: { round: number; accuracy: number }[] } } } }).__inq;
    const s = hook.store.getState();
    return { float: s.floatAccuracy, rounds: s.rounds.map((r) => ({ round: r.round, accuracy: r.accuracy })) };
  });
  const floatM = await countsOf(floatTable);
  const quantM = await countsOf(quantTable);
  expect(sum(floatM)).toBe(200);
  expect(sum(quantM)).toBe(200);
  expect(diagonal(floatM) / 200).toBeCloseTo(reported.float, 10);
  expect(diagonal(quantM) / 200).toBeCloseTo(reported.rounds.find((r) => r.round === 2)!.accuracy, 10);
  await expect(floatTable).toHaveAttribute('data-correct', String(diagonal(floatM)));

  // Round 1 through the scrubber: the quantized grid follows it.
  await page.getByLabel('Round', { exact: true }).fill('1');
  await expect(quantTable.locator('caption')).toContainText('Quantized, round 1');
  const quant1 = await countsOf(quantTable);
  expect(sum(quant1)).toBe(200);
  expect(diagonal(quant1) / 200).toBeCloseTo(reported.rounds.find((r) => r.round === 1)!.accuracy, 10);
  await page.getByLabel('Round', { exact: true }).fill('2');
  await expect(quantTable.locator('caption')).toContainText('Quantized, round 2');

  // An off-diagonal cell of the quantized grid (the largest), or the largest cell when it makes no mistake.
  let pick = { t: 0, p: 0, n: -1 };
  for (let t = 0; t < 10; t++) for (let p = 0; p < 10; p++) if (t !== p && quantM[t][p] > pick.n) pick = { t, p, n: quantM[t][p] };
  if (pick.n <= 0) for (let t = 0; t < 10; t++) if (quantM[t][t] > pick.n) pick = { t, p: t, n: quantM[t][t] };
  const name = `true ${pick.t}, predicted ${pick.p}: ${pick.n} image${pick.n === 1 ? '' : 's'} (quantized, round 2)`;
  await card.getByRole('button', { name, exact: true }).click();
  const panel = card.getByRole('region', { name: 'Images in the chosen cell' });
  await expect(panel).toBeVisible();
  await expect(panel).toHaveAttribute('data-total', String(pick.n));
  const shown = Math.min(pick.n, 24);
  const figures = panel.locator('figure');
  await expect(figures).toHaveCount(shown);
  await expect(panel.getByRole('img')).toHaveCount(shown);
  const captions = await panel.locator('figcaption').allTextContents();
  expect(captions).toHaveLength(shown);
  for (const c of captions) expect(c).toMatch(new RegExp(`^float \\d · quantized ${pick.p}$`));
  // The pixels arrived: each canvas has some ink on it.
  const inked = await panel.locator('canvas').evaluateAll((canvases) =>
    canvases.map((c) => {
      const d = (c as HTMLCanvasElement).getContext('2d')!.getImageData(0, 0, 28, 28).data;
      let ink = 0;
      for (let i = 0; i < d.length; i += 4) ink += d[i] > 128 ? 1 : 0;
      return ink;
    }),
  );
  expect(inked.every((n) => n > 20)).toBe(true);

  // A cell of the float grid opens its own images; the button toggles it closed.
  const floatCell = floatTable.locator('td[data-count]:not([data-count="0"]) button').first();
  await floatCell.click();
  const floatTotal = Number(await floatCell.locator('xpath=..').getAttribute('data-count'));
  await expect(panel).toHaveAttribute('data-total', String(floatTotal));
  await expect(panel.locator('figure')).toHaveCount(Math.min(floatTotal, 24));
  await floatCell.click();
  await expect(panel).toHaveCount(0);

  expect(guard.errors).toEqual([]);
  expect(guard.foreign).toEqual([]);
});

test('a saved run keeps its answers: after a reload, opening it shows the same matrices', async ({ page, baseURL }) => {
  test.setTimeout(300_000);
  const guard = guardPage(page, new URL(baseURL!).origin);
  await openReady(page, '#schedule=0.6,1&train=256&test=200&batch=32');
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  const row = page.locator('[data-testid="runs-table"] tr[data-run-name="Run 1"]');
  await expect(row).toHaveAttribute('data-status', 'done', { timeout: 170_000 });
  const card = page.getByRole('region', { name: 'Where the errors are' });
  const before = { float: await countsOf(card.getByTestId('confusion-float')), quantized: await countsOf(card.getByTestId('confusion-quantized')) };

  await page.reload();
  await expect(page.getByRole('button', { name: 'Run', exact: true })).toBeEnabled({ timeout: 120_000 });
  await expect(card.getByTestId('confusion-float')).toHaveCount(0);
  await page.getByRole('button', { name: 'Open Run 1', exact: true }).click();
  await expect(card.getByTestId('confusion-quantized').locator('caption')).toContainText('Quantized, round 2');
  expect(await countsOf(card.getByTestId('confusion-float'))).toEqual(before.float);
  expect(await countsOf(card.getByTestId('confusion-quantized'))).toEqual(before.quantized);
  // Its cells still open their images (the pixels come from the dataset loaded now).
  await card.locator('[data-testid="confusion-quantized"] td[data-count]:not([data-count="0"]) button').first().click();
  await expect(card.getByRole('region', { name: 'Images in the chosen cell' }).locator('figure').first()).toBeVisible();
  expect(guard.errors).toEqual([]);
  expect(guard.foreign).toEqual([]);
});
