/** The datasets the playground offers, with what the page and the command line show for each. Browser-safe. */

/** Classes of every dataset here (labels 0–9): what a model's output and each saved answer must fit. */
export const NUM_CLASSES = 10;

/** Names of the datasets. */
export type DatasetName = 'mnist' | 'fashion';

/** Every dataset name, in the order the UI lists them. */
export const DATASET_NAMES: readonly DatasetName[] = ['mnist', 'fashion'];

/** Whether a value names a dataset. */
export function isDatasetName(s: unknown): s is DatasetName {
  return s === 'mnist' || s === 'fashion';
}

/** What the page and the command line know about a dataset. */
export interface DatasetInfo {
  /** Display name, e.g. "Fashion-MNIST"; also the `dataset` field of the served manifest.json. */
  title: string;
  /** Where the prepared files are served, relative to the site's base URL. */
  publicPath: string;
  /** Class names by label. */
  classNames: string[];
  /** Credit line shown with the data (and written into its manifest.json). */
  credit: string;
  /** How the train/test split was made, in one line. */
  split: string;
}

/** Seed of Fashion-MNIST's stratified train/test split (fixed: changing it changes the data every model was trained on). */
export const FASHION_SPLIT_SEED = 20170825;

/** Share of each Fashion-MNIST class put in the test set: 1/7, as in the official 60,000/10,000 split. */
export const FASHION_TEST_SHARE = 1 / 7;

export const DATASETS: Readonly<Record<DatasetName, DatasetInfo>> = {
  mnist: {
    title: 'MNIST',
    publicPath: 'data/mnist/',
    classNames: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
    credit: 'MNIST by Yann LeCun, Corinna Cortes and Christopher J.C. Burges (http://yann.lecun.com/exdb/mnist/)',
    split: 'the official split: 60,000 training and 10,000 test images',
  },
  fashion: {
    title: 'Fashion-MNIST',
    publicPath: 'data/fashion/',
    classNames: ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'],
    credit: 'Fashion-MNIST by Zalando SE (MIT licence, https://github.com/zalandoresearch/fashion-mnist)',
    split: `a fixed stratified split: per class, a seeded shuffle (seed ${FASHION_SPLIT_SEED}) puts 1/7 in test and the rest in train (60,000/10,000)`,
  },
};
