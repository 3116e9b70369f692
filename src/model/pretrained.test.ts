import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { randomSubset } from '../data/dataset.ts';
import { DATASET_NAMES, type DatasetName } from '../data/datasets.ts';
import { loadDatasetNode } from '../data/nodeDatasets.ts';
import { isLevel, levelSet } from '../inq/levels.ts';
import { evaluate } from './evaluate.ts';
import { loadModelDir } from './nodeIo.ts';
import { findPretrained, PRETRAINED, pretrainedById } from './pretrained.ts';
import { kernelsOf } from './quantLayers.ts';

const PUBLIC = fileURLToPath(new URL('../../public/', import.meta.url));

/**
 * Evaluates a committed model on a seeded random subset of its dataset's test split (tfjs cpu) and
 * checks the accuracy against the recorded one: within 4 standard errors of a subset that size,
 * plus one image. The wide conv net costs ~15M multiply-adds an image in pure JS, so it gets fewer.
 */
async function expectRecordedAccuracy(dir: string, dataset: DatasetName, recorded: number, images: number): Promise<void> {
  const model = await loadModelDir(`${PUBLIC}${dir}`);
  try {
    const test = randomSubset(loadDatasetNode(dataset).test, images, 20170101);
    const { accuracy } = await evaluate(model, test);
    const tolerance = 4 * Math.sqrt((recorded * (1 - recorded)) / images) + 1 / images;
    expect(Math.abs(accuracy - recorded), `${dir}: ${accuracy} on ${images} test images, recorded ${recorded} (tolerance ${tolerance.toFixed(3)})`).toBeLessThanOrEqual(tolerance);
  } finally {
    model.dispose();
  }
}

describe('PRETRAINED', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('lists unique ids, each in its own folder models/<id>/, with a default for every dataset', () => {
    expect(new Set(PRETRAINED.map((p) => p.id)).size).toBe(PRETRAINED.length);
    for (const p of PRETRAINED) expect(p.dir).toBe(`models/${p.id}/`);
    for (const d of DATASET_NAMES) expect(PRETRAINED.some((p) => p.dataset === d)).toBe(true);
    expect(findPretrained('lenet5', 'fashion')?.id).toBe('lenet5-fashion');
    expect(pretrainedById('convnet')?.model).toBe('convnet');
    expect(pretrainedById('nope')).toBeUndefined();
  });

  for (const p of PRETRAINED) {
    it(`${p.id}: the committed model was trained as listed and scores its recorded accuracy on a sample of the test split`, async () => {
      const path = `${PUBLIC}${p.dir}model.json`;
      expect(existsSync(path), `${path} is missing`).toBe(true);
      const json = JSON.parse(readFileSync(path, 'utf8')) as { userDefinedMetadata?: { inq?: Record<string, unknown> } };
      const meta = json.userDefinedMetadata?.inq;
      expect(meta?.model).toBe(p.model);
      expect(meta?.dataset).toBe(p.dataset);
      expect(meta?.testSize).toBe(10000);
      // Floors under the README's figures (evaluate.test.ts scores each model afresh against them); the
      // over-fitting MLP is trained on 1,000 images on purpose, so it is the weakest.
      const floor: Record<string, number> = { lenet5: 0.985, convnet: 0.99, 'lenet5-fashion': 0.9, 'mlp-overfit': 0.85 };
      expect(meta?.testAccuracy).toBeGreaterThan(floor[p.id] ?? 0.5);
      expect(String(meta?.command)).toMatch(new RegExp(`pretrain .*--model ${p.model}.*--out public/${p.dir.replace(/\/$/, '')}$`));
      await expectRecordedAccuracy(p.dir, p.dataset, Number(meta?.testAccuracy), p.model === 'lenet5' ? 1000 : 200);
    });
  }

  it('lenet5-inq5 (the demo\'s 5-bit model): every kernel is a power-of-two level and it scores its recorded accuracy on a sample of MNIST', async () => {
    const json = JSON.parse(readFileSync(`${PUBLIC}models/lenet5-inq5/model.json`, 'utf8')) as { userDefinedMetadata?: { inq?: { quantized?: boolean; summary?: { finalAccuracy?: number; allLevels?: boolean } } } };
    const inq = json.userDefinedMetadata?.inq;
    expect(inq?.quantized).toBe(true);
    expect(inq?.summary?.allLevels).toBe(true);
    const packed = JSON.parse(readFileSync(`${PUBLIC}models/lenet5-inq5/packed.json`, 'utf8')) as { layers: { name: string; bits: number; n1: number }[] };
    const model = await loadModelDir(`${PUBLIC}models/lenet5-inq5`);
    try {
      const kernels = kernelsOf(model);
      expect(kernels.map((k) => k.layer)).toEqual(packed.layers.map((l) => l.name));
      for (const [i, k] of kernels.entries()) {
        const set = levelSet(packed.layers[i].bits, 0, packed.layers[i].n1);
        const off = Array.from(k.variable.dataSync()).filter((v) => !isLevel(v, set));
        expect(off.slice(0, 5), `${k.layer}: weights that are not levels of n1 = ${set.n1}`).toEqual([]);
      }
    } finally {
      model.dispose();
    }
    await expectRecordedAccuracy('models/lenet5-inq5/', 'mnist', Number(inq?.summary?.finalAccuracy), 1000);
  });
});
