import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { PRETRAINED } from '../model/pretrained.ts';
import { OVERFIT_SUBSET } from '../engine/presets.ts';
import { randomSubset, headSubset } from '../data/dataset.ts';
import { loadDatasetNode } from '../data/nodeDatasets.ts';
import { evaluate } from '../model/evaluate.ts';
import { loadModelDir } from '../model/nodeIo.ts';
import { evaluateCommand } from './evaluate.ts';
import { setupNodeBackend } from './nodeBackend.ts';

/** The README's table of committed models: id → the test accuracy it states (full 10,000-image test split). */
function readmeAccuracies(): Map<string, number> {
  const text = readFileSync(fileURLToPath(new URL('../../README.md', import.meta.url)), 'utf8');
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^\| `([\w-]+)` \|[^|]*\|[^|]*\| ([\d.]+) % \|/.exec(line);
    if (m) out.set(m[1], Number(m[2]) / 100);
  }
  return out;
}

/** Test images each committed model is scored on here: cheap on wasm, and enough for a floor a few points under the README. */
const IMAGES = 500;

describe('inq evaluate', () => {
  it('refuses an unknown model id in one line', async () => {
    await expect(evaluateCommand(['--model', 'nope'])).rejects.toThrow(/--model must be one of lenet5/);
  });

  it('the README states an accuracy for every committed pre-trained model', () => {
    const stated = readmeAccuracies();
    for (const p of PRETRAINED) expect(stated.get(p.id), `README's model table has no row for ${p.id}`).toBeGreaterThan(0.5);
  });

  // Each committed model scored afresh (wasm) on the first 500 test images: at least the README's
  // figure less 4 standard errors of a 500-image sample and one image. Not read from model.json.
  for (const p of PRETRAINED) {
    it(`${p.id}: scores what the README says, within the noise of ${IMAGES} test images`, async () => {
      const lines: string[] = [];
      const r = await evaluateCommand(['--model', p.id, '--test-size', String(IMAGES), '--backend', 'wasm', '--json'], (l) => lines.push(l));
      const stated = readmeAccuracies().get(p.id) ?? 1;
      expect(JSON.parse(lines[0])).toEqual({ model: p.id, dataset: p.dataset, testSize: IMAGES, accuracy: r?.accuracy });
      const floor = stated - 4 * Math.sqrt((stated * (1 - stated)) / IMAGES) - 1 / IMAGES;
      expect(r?.accuracy, `${p.id}: ${r?.accuracy} on ${IMAGES} images, README ${stated}, floor ${floor.toFixed(4)}`).toBeGreaterThanOrEqual(floor);
    }, 60_000);
  }

  it('mlp-overfit over-fits the subset the regulariser preset re-trains on: ~all of its training images right, clearly fewer test images', async () => {
    await setupNodeBackend('wasm', true);
    const dir = fileURLToPath(new URL('../../public/models/mlp-overfit', import.meta.url));
    const meta = (JSON.parse(readFileSync(`${dir}/model.json`, 'utf8')) as { userDefinedMetadata: { inq: { trainSize: number; seed: number } } }).userDefinedMetadata.inq;
    // The preset's subset is the one the model was trained on (pretrain draws randomSubset(train, size, seed)).
    expect({ size: meta.trainSize, seed: meta.seed }).toEqual(OVERFIT_SUBSET);
    const mnist = loadDatasetNode('mnist');
    const model = await loadModelDir(dir);
    try {
      const train = (await evaluate(model, randomSubset(mnist.train, OVERFIT_SUBSET.size, OVERFIT_SUBSET.seed))).accuracy;
      const test = (await evaluate(model, headSubset(mnist.test, IMAGES))).accuracy;
      expect(train).toBeGreaterThanOrEqual(0.995);
      expect(train - test, `train ${train}, test ${test}`).toBeGreaterThan(0.03);
    } finally {
      model.dispose();
    }
  }, 60_000);
});
