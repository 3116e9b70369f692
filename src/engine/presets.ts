/**
 * Sweep presets shared by the page's Sweeps card and `inq sweep --preset ID`. Browser-safe, no tfjs.
 *
 * *Regulariser (seed 003)*: seeds/003 argues that INQ regularises an over-parameterised network
 * (accuracy peaks at a middle bit-width, above float) and only costs a small one. The preset runs the
 * bit-width sweep 2–8 with repeats on a wide MLP that over-fits a small MNIST subset (it was
 * pre-trained on exactly that subset, and re-trains on it, so the rounds add no new images), beside
 * the same sweep on the small LeNet-5.
 */

/** One model's sweep within a preset. */
export interface SweepPresetPart {
  /** Committed pre-trained model (src/model/pretrained.ts). */
  model: string;
  /** What it stands for in the study. */
  role: 'over-parameterised' | 'small';
  /** Re-training images per run. */
  trainSize: number;
  /** Seed of the re-training subset; set when it must be the subset the model was pre-trained on. */
  trainSeed?: number;
  /** First seed (batch order; the subset too when trainSeed is unset). */
  seed: number;
  epochsPerRound: number;
  learningRate: number;
  /** Test images each round is scored on (the final model is scored on finalTestSize). */
  testSize: number;
}

/** A sweep preset: bit-widths × seeds for each part. */
export interface SweepPreset {
  id: string;
  title: string;
  bits: readonly number[];
  /** Seeds per bit-width (seed, seed+1, …). */
  repeats: number;
  /** Test images the final models (and float) are scored on. */
  finalTestSize: number;
  parts: readonly SweepPresetPart[];
}

/** The over-fitting setup: a random 1,000 of MNIST's 60,000 training images, drawn with seed 3. */
export const OVERFIT_SUBSET = { size: 1000, seed: 3 } as const;

export const SWEEP_PRESETS: readonly SweepPreset[] = [
  {
    id: 'regulariser',
    title: 'Regulariser (seed 003)',
    bits: [2, 3, 4, 5, 6, 7, 8],
    repeats: 3,
    finalTestSize: 10_000,
    parts: [
      { model: 'mlp-overfit', role: 'over-parameterised', trainSize: OVERFIT_SUBSET.size, trainSeed: OVERFIT_SUBSET.seed, seed: OVERFIT_SUBSET.seed, epochsPerRound: 2, learningRate: 0.01, testSize: 1000 },
      { model: 'lenet5', role: 'small', trainSize: 6000, seed: 1, epochsPerRound: 1, learningRate: 0.01, testSize: 1000 },
    ],
  },
];

/** The preset with this id, if there is one. */
export function sweepPresetById(id: string): SweepPreset | undefined {
  return SWEEP_PRESETS.find((p) => p.id === id);
}
