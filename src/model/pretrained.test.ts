import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DATASET_NAMES } from '../data/datasets.ts';
import { findPretrained, PRETRAINED, pretrainedById } from './pretrained.ts';

const PUBLIC = fileURLToPath(new URL('../../public/', import.meta.url));

describe('PRETRAINED', () => {
  it('lists unique ids, each in its own folder models/<id>/, with a default for every dataset', () => {
    expect(new Set(PRETRAINED.map((p) => p.id)).size).toBe(PRETRAINED.length);
    for (const p of PRETRAINED) expect(p.dir).toBe(`models/${p.id}/`);
    for (const d of DATASET_NAMES) expect(PRETRAINED.some((p) => p.dataset === d)).toBe(true);
    expect(findPretrained('lenet5', 'fashion')?.id).toBe('lenet5-fashion');
    expect(pretrainedById('convnet')?.model).toBe('convnet');
    expect(pretrainedById('nope')).toBeUndefined();
  });

  for (const p of PRETRAINED) {
    it(`${p.id}: the committed model was trained as listed and its metadata says how well it does`, () => {
      const path = `${PUBLIC}${p.dir}model.json`;
      expect(existsSync(path), `${path} is missing`).toBe(true);
      const json = JSON.parse(readFileSync(path, 'utf8')) as { userDefinedMetadata?: { inq?: Record<string, unknown> } };
      const meta = json.userDefinedMetadata?.inq;
      expect(meta?.model).toBe(p.model);
      expect(meta?.dataset).toBe(p.dataset);
      expect(meta?.testSize).toBe(10000);
      // Floors, not targets: the wide conv net is under-trained (a few thousand images on a 2-core machine; README, Datasets).
      expect(meta?.testAccuracy).toBeGreaterThan(p.dataset === 'mnist' ? 0.96 : 0.84);
      expect(String(meta?.command)).toMatch(new RegExp(`pretrain .*--model ${p.model}.*--out public/${p.dir.replace(/\/$/, '')}$`));
    });
  }
});
