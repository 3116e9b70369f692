/**
 * Bring your own model and export, in the real page: broken model files are refused with their
 * reason next to the picker while the page keeps working; a run's exported tfjs model loads back
 * through the picker and trains; the history CSV and a chart PNG download.
 */
import { readFile } from 'node:fs/promises';
import { expect, test, type Download, type Page } from '@playwright/test';
import { guardPage } from './helpers.ts';

const SMALL_RUN = '#schedule=0.5,1&train=256&test=200&batch=32';
const PICKER = 'Load a tfjs model (model.json and weight files)';

type StoreView = { status: string; runId: string | null; rounds: { round: number; accuracy: number }[]; floatAccuracy: number | null; summary: { finalAccuracy: number } | null; model: { name: string; title: string } | null };

/** The parts of the store these tests read (test hook installed by main.tsx). */
function readStore(page: Page): Promise<StoreView> {
  return page.evaluate(() => {
    const hook = (window as unknown as { __inq: { store: { getState(): StoreView } } }).__inq;
    const s = hook.store.getState();
    return {
      status: s.status,
      runId: s.runId,
      rounds: s.rounds.map((r) => ({ round: r.round, accuracy: r.accuracy })),
      floatAccuracy: s.floatAccuracy,
      summary: s.summary ? { finalAccuracy: s.summary.finalAccuracy } : null,
      model: s.model ? { name: s.model.name, title: s.model.title } : null,
    };
  });
}

/** Opens the page with a hash and waits for the built-in model (helpers.openReady's steps, with the Run button matched exactly: other buttons start with "Run"). */
async function openReady(page: Page, hash: string): Promise<void> {
  await page.goto(`/${hash}`);
  await expect(page.getByRole('button', { name: 'Run', exact: true })).toBeEnabled({ timeout: 120_000 });
  await expect(page.getByTestId('pretrained-accuracy')).toContainText('%');
}

/** Clicks Run and waits until that run is done with its summary. */
async function runToEnd(page: Page): Promise<StoreView> {
  const before = (await readStore(page)).runId;
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  await expect.poll(async () => {
    const s = await readStore(page);
    return s.runId !== before && s.status === 'done' && s.summary !== null;
  }, { timeout: 200_000 }).toBe(true);
  await expect(page.getByTestId('run-summary')).toBeVisible();
  return readStore(page);
}

/** Clicks a button and collects the `count` downloads it starts. */
async function downloadsOf(page: Page, name: string, count: number): Promise<Download[]> {
  const got: Download[] = [];
  const onDownload = (d: Download): void => {
    got.push(d);
  };
  page.on('download', onDownload);
  await page.getByRole('button', { name, exact: true }).click();
  await expect.poll(() => got.length, { timeout: 30_000 }).toBe(count);
  page.off('download', onDownload);
  return got;
}

test.describe('bring your own model, and export', () => {
  test('a corrupt model.json and a truncated weights file are refused with their reason; the page keeps working', async ({ page, baseURL, request }) => {
    const guard = guardPage(page, new URL(baseURL!).origin);
    await openReady(page, SMALL_RUN);
    // Real model files to break: the built-in LeNet-5 as served.
    const modelJson = await (await request.get('/models/lenet5/model.json')).body();
    const weights = await (await request.get('/models/lenet5/weights.bin')).body();
    const picker = page.getByLabel(PICKER, { exact: true });
    const alert = page.getByRole('alert').filter({ hasText: 'Model not loaded' });

    await picker.setInputFiles([
      { name: 'model.json', mimeType: 'application/json', buffer: modelJson.subarray(0, Math.floor(modelJson.length / 2)) },
      { name: 'weights.bin', mimeType: 'application/octet-stream', buffer: weights },
    ]);
    await expect(alert).toContainText('model.json is not valid JSON');
    await expect(page.getByTestId('model-in-use')).toHaveText('In use: the built-in LeNet-5');

    const cut = weights.length - 1000;
    await picker.setInputFiles([
      { name: 'model.json', mimeType: 'application/json', buffer: modelJson },
      { name: 'weights.bin', mimeType: 'application/octet-stream', buffer: weights.subarray(0, cut) },
    ]);
    await expect(alert).toContainText(`weights.bin has ${cut.toLocaleString('en')} bytes, but model.json describes ${weights.length.toLocaleString('en')}: the file is truncated`);
    await expect(page.getByTestId('model-in-use')).toHaveText('In use: the built-in LeNet-5');

    // Dropped on the drop zone: a graph model (not a Layers one).
    const dataTransfer = await page.evaluateHandle(() => {
      const dt = new DataTransfer();
      dt.items.add(new File(['{"format":"graph-model","modelTopology":{"node":[]},"weightsManifest":[]}'], 'model.json', { type: 'application/json' }));
      return dt;
    });
    await page.getByTestId('model-drop-zone').dispatchEvent('drop', { dataTransfer });
    await expect(alert).toContainText('model.json is a tfjs graph model');

    // Only a weights file: refused before anything is read.
    await picker.setInputFiles([{ name: 'weights.bin', mimeType: 'application/octet-stream', buffer: weights }]);
    await expect(alert).toContainText('no model.json among the chosen files');

    // The page still runs the built-in model.
    const done = await runToEnd(page);
    expect(done.model?.name).toBe('lenet5');
    expect(done.rounds.length).toBe(2);
    await expect(page.getByTestId('accuracy-chart')).toHaveAttribute('data-points', '2');
    expect(guard.errors).toEqual([]);
    expect(guard.foreign).toEqual([]);
  });

  test("a run's exported tfjs model loads back through the picker and trains; C, history CSV and chart PNG download", async ({ page, baseURL }, testInfo) => {
    test.setTimeout(420_000);
    const guard = guardPage(page, new URL(baseURL!).origin);
    await openReady(page, SMALL_RUN);
    const exportButton = page.getByRole('button', { name: 'Download tfjs model', exact: true });
    await expect(exportButton).toBeDisabled();
    const first = await runToEnd(page);
    expect(first.rounds.length).toBe(2);

    // The tfjs model: two files, named so that they load again as they are.
    const files = await downloadsOf(page, 'Download tfjs model', 2);
    const paths: string[] = [];
    for (const d of files) {
      const path = testInfo.outputPath('export', d.suggestedFilename());
      await d.saveAs(path);
      paths.push(path);
    }
    expect(files.map((d) => d.suggestedFilename()).sort()).toEqual(['model.json', 'weights.bin']);

    // The model as C: model.h and model.c, with inq_predict and the run's packed codes.
    const cFiles = await downloadsOf(page, 'Download C', 2);
    expect(cFiles.map((d) => d.suggestedFilename()).sort()).toEqual(['model.c', 'model.h']);
    const cText = await Promise.all(cFiles.map(async (d) => (await readFile(await d.path())).toString('utf8')));
    expect(cText.join('\n')).toContain('int inq_predict(const int32_t *input, int32_t *logits)');
    expect(cText.join('\n')).toMatch(/static const uint32_t conv1_codes\[\d+\]/);

    // The history as CSV: a header and one row per round, with the page's accuracies.
    const [csvDownload] = await downloadsOf(page, 'Download history (CSV)', 1);
    expect(csvDownload.suggestedFilename()).toMatch(/^inq-lenet5-5bit-history\.csv$/);
    const csv = (await readFile(await csvDownload.path())).toString('utf8').trimEnd().split('\r\n');
    expect(csv[0]).toBe('round,portion,accuracy,loss,frozen_fraction,seconds');
    expect(csv.length).toBe(1 + first.rounds.length);
    expect(csv.slice(1).map((line) => Number(line.split(',')[0]))).toEqual([1, 2]);
    expect(csv.slice(1).map((line) => Number(line.split(',')[2]))).toEqual(first.rounds.map((r) => r.accuracy));
    expect(csv[2].split(',')[4]).toBe('1');

    // Each chart card as PNG.
    for (const [chart, file] of [
      ['accuracy per round', 'accuracy'],
      ['training loss per epoch', 'loss'],
      ['weight histograms', 'histograms'],
      ['partition masks', 'masks'],
    ]) {
      const [png] = await downloadsOf(page, `Save as PNG: ${chart}`, 1);
      expect(png.suggestedFilename()).toBe(`inq-lenet5-${file}.png`);
      await png.saveAs(testInfo.outputPath(`${file}.png`));
      const bytes = await readFile(testInfo.outputPath(`${file}.png`));
      expect([...bytes.subarray(0, 8)], `${file}.png signature`).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
      expect(bytes.length, `${file}.png size`).toBeGreaterThan(2000);
    }

    // Load the exported model back.
    await page.getByLabel(PICKER, { exact: true }).setInputFiles(paths);
    await expect(page.getByTestId('model-in-use')).toContainText('In use: your model model.json');
    await expect(page.getByTestId('model-in-use')).toContainText('61,706 parameters');
    await expect(page.getByRole('alert').filter({ hasText: 'Model not loaded' })).toHaveCount(0);
    expect((await readStore(page)).model).toEqual({ name: 'custom', title: 'model.json' });

    // A run on it: its float accuracy is the exported model's, i.e. the first run's final one (same test images).
    const second = await runToEnd(page);
    expect(second.model?.name).toBe('custom');
    expect(second.rounds.length).toBe(2);
    expect(second.floatAccuracy).not.toBeNull();
    expect(Math.abs(second.floatAccuracy! - first.summary!.finalAccuracy)).toBeLessThanOrEqual(0.005);

    // And back to the built-in model.
    await page.getByRole('button', { name: 'Use the built-in model' }).click();
    await expect(page.getByTestId('model-in-use')).toHaveText('In use: the built-in LeNet-5', { timeout: 120_000 });
    await expect(page.getByRole('button', { name: 'Run', exact: true })).toBeEnabled();
    expect(guard.errors).toEqual([]);
    expect(guard.foreign).toEqual([]);
  });
});
