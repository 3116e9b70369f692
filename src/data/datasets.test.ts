import { describe, expect, it } from 'vitest';
import { DATASET_NAMES, DATASETS, FASHION_TEST_SHARE, isDatasetName } from './datasets.ts';

describe('DATASETS', () => {
  it('names exactly the datasets isDatasetName accepts', () => {
    expect(DATASET_NAMES.every(isDatasetName)).toBe(true);
    expect(Object.keys(DATASETS).sort()).toEqual([...DATASET_NAMES].sort());
    for (const bad of ['MNIST', 'fashion-mnist', '', undefined, 3]) expect(isDatasetName(bad)).toBe(false);
  });

  it('gives each dataset ten class names, its own served folder and a credit', () => {
    const paths = new Set<string>();
    for (const name of DATASET_NAMES) {
      const d = DATASETS[name];
      expect(d.classNames).toHaveLength(10);
      expect(d.publicPath).toMatch(/^data\/[a-z]+\/$/);
      paths.add(d.publicPath);
      expect(d.credit.length).toBeGreaterThan(10);
    }
    expect(paths.size).toBe(DATASET_NAMES.length);
    expect(DATASETS.fashion.credit).toMatch(/Zalando SE.*MIT/);
    expect(DATASETS.fashion.classNames[9]).toBe('Ankle boot');
    expect(FASHION_TEST_SHARE * 70000).toBeCloseTo(10000, 6);
  });
});
