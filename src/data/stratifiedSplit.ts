/**
 * A deterministic, stratified train/test split of images given per class (the shape of the
 * `fashion-mnist` package: one array of 784 grey levels per image). Pure and browser-safe.
 */
import { createRng, permutation, type Rng } from '../inq/rng.ts';

/** Images and labels as IDX-ready bytes: `images` holds `count` images of `pixels` grey levels each. */
export interface LabelledBytes {
  images: Uint8Array;
  labels: Uint8Array;
  count: number;
}

/** The result of {@link stratifiedSplit}. */
export interface StratifiedSplit {
  train: LabelledBytes;
  test: LabelledBytes;
  /** Per class: images kept in train and in test, and entries dropped as empty or malformed. */
  perClass: { train: number; test: number; dropped: number }[];
  /** Entries dropped in all (empty or malformed). */
  dropped: number;
}

/** Options of {@link stratifiedSplit}. */
export interface SplitOptions {
  /** Seed of the shuffles; the same seed and inputs give the same split. */
  seed: number;
  /** Share of each class put in test, in (0, 1): round(share × class size) images. */
  testShare: number;
  /** Values per image (28 × 28 = 784 for MNIST-like data). */
  pixels?: number;
}

/** Whether an entry is an image: an array of `pixels` whole numbers from 0 to 255. */
export function isValidImage(entry: unknown, pixels: number): entry is ArrayLike<number> {
  if (!Array.isArray(entry) || entry.length !== pixels) return false;
  for (let i = 0; i < pixels; i++) {
    const v: unknown = entry[i];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 255) return false;
  }
  return true;
}

/**
 * Splits per-class image lists into train and test. For each class (label = its index), valid
 * entries keep their order, a seeded shuffle picks round(testShare × n) of them for test and the
 * rest go to train; empty or malformed entries are dropped and counted. Each set is then put in a
 * seeded random order, so any prefix of it holds a mix of classes.
 */
export function stratifiedSplit(classes: readonly (readonly unknown[])[], options: SplitOptions): StratifiedSplit {
  const { seed, testShare } = options;
  const pixels = options.pixels ?? 784;
  if (!(testShare > 0 && testShare < 1)) throw new RangeError(`test share must be between 0 and 1 (got ${testShare})`);
  if (classes.length < 1 || classes.length > 256) throw new RangeError(`expected 1 to 256 classes (got ${classes.length})`);
  const rng = createRng(seed);
  const trainPicks: { label: number; image: ArrayLike<number> }[] = [];
  const testPicks: { label: number; image: ArrayLike<number> }[] = [];
  const perClass: StratifiedSplit['perClass'] = [];
  let dropped = 0;
  classes.forEach((entries, label) => {
    const valid = entries.filter((e): e is ArrayLike<number> => isValidImage(e, pixels));
    const drop = entries.length - valid.length;
    dropped += drop;
    const order = permutation(valid.length, rng);
    const nTest = Math.round(valid.length * testShare);
    for (let k = 0; k < order.length; k++) (k < nTest ? testPicks : trainPicks).push({ label, image: valid[order[k]] });
    perClass.push({ train: valid.length - nTest, test: nTest, dropped: drop });
  });
  return { train: pack(trainPicks, pixels, rng), test: pack(testPicks, pixels, rng), perClass, dropped };
}

/** Packs picked images in a seeded random order. */
function pack(picks: { label: number; image: ArrayLike<number> }[], pixels: number, rng: Rng): LabelledBytes {
  const order = permutation(picks.length, rng);
  const images = new Uint8Array(picks.length * pixels);
  const labels = new Uint8Array(picks.length);
  order.forEach((k, i) => {
    images.set(picks[k].image, i * pixels);
    labels[i] = picks[k].label;
  });
  return { images, labels, count: picks.length };
}
