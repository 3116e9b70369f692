/** The pre-trained float models committed under public/models/, for the page and the command line. Browser-safe. */
import type { DatasetName } from '../data/datasets.ts';
import type { ModelName } from './architectures.ts';

/** One committed pre-trained model. */
export interface PretrainedModel {
  /** Stable id, also the folder name under public/models/. */
  id: string;
  /** Its architecture. */
  model: ModelName;
  /** The dataset it was trained on (and is evaluated on). */
  dataset: DatasetName;
  /** Folder relative to the site's base URL (and to public/): model.json + weights.bin. */
  dir: string;
  /** Display name. */
  title: string;
}

/** Every committed pre-trained model; the first for each dataset is that dataset's default. */
export const PRETRAINED: readonly PretrainedModel[] = [
  { id: 'lenet5', model: 'lenet5', dataset: 'mnist', dir: 'models/lenet5/', title: 'LeNet-5 on MNIST' },
  { id: 'convnet', model: 'convnet', dataset: 'mnist', dir: 'models/convnet/', title: 'Wide ConvNet on MNIST' },
  { id: 'lenet5-fashion', model: 'lenet5', dataset: 'fashion', dir: 'models/lenet5-fashion/', title: 'LeNet-5 on Fashion-MNIST' },
  { id: 'mlp-overfit', model: 'mlp', dataset: 'mnist', dir: 'models/mlp-overfit/', title: 'Wide MLP over-fitting 1,000 MNIST images' },
];

/** The committed model of an architecture trained on a dataset, if there is one. */
export function findPretrained(model: ModelName, dataset: DatasetName): PretrainedModel | undefined {
  return PRETRAINED.find((p) => p.model === model && p.dataset === dataset);
}

/** The committed model with this id, if there is one. */
export function pretrainedById(id: string): PretrainedModel | undefined {
  return PRETRAINED.find((p) => p.id === id);
}
