/** The INQ session's configuration, per-round results and events: plain data, safe to post to a worker. */
import type { PartitionStrategy } from '../inq/partition.ts';
import type { OptimizerKind } from '../model/trainer.ts';
import type { LevelKind } from '../inq/levels.ts';

/** Everything that defines an INQ run. */
export interface InqConfig {
  bits: number;
  /** Cumulative portions, strictly increasing, ending at 1. */
  schedule: number[];
  strategy: PartitionStrategy;
  epochsPerRound: number;
  /** Re-training learning rate, reset at the start of each round. */
  learningRate: number;
  optimizer: OptimizerKind;
  momentum: number;
  weightDecay: number;
  batchSize: number;
  seed: number;
  /**
   * Seed of the random training subset the caller drew (absent: `seed`). The engine trains on the
   * subset it is handed; this records which one, so a saved run continues on the same images and a
   * repeat can keep one subset across its seeds (the regulariser study re-trains on the subset its
   * model was pre-trained on).
   */
  trainSeed?: number;
  /** Prune to this fraction of zero kernel weights before INQ (dynamic network surgery); 0 or absent = no pruning. */
  prune?: number;
  /** Epochs of the pruning stage (default PRUNE_EPOCHS). */
  pruneEpochs?: number;
  /** Level grid: INQ's powers of two (the default when absent) or the uniform baseline (not packable). */
  levels?: LevelKind;
}

/** Default epochs of the pruning stage. */
export const PRUNE_EPOCHS = 3;

/** Freeze round recorded for weights pruned before INQ (frozen at zero from the start). */
export const PRUNED_ROUND = 255;

/** What the pruning stage did (pruning alone, before INQ). */
export interface PruneReport {
  target: number;
  /** Pruned fraction of all kernel weights. */
  sparsity: number;
  layerSparsity: { name: string; sparsity: number }[];
  accuracy: number;
  loss: number;
  /** Weights pruned at some point and spliced back later. */
  spliced: number;
  /** The pruned model with float32 kernels stored sparsely (bitmap + float32 survivors), biases as float32. */
  sparseFloatBytes: number;
  seconds: number;
}

/** Defaults: the paper's 5-bit setting, SGD with momentum as in its reference code. */
export const DEFAULT_CONFIG: InqConfig = {
  bits: 5,
  schedule: [0.5, 0.75, 0.875, 1],
  strategy: 'magnitude',
  epochsPerRound: 1,
  learningRate: 0.01,
  optimizer: 'momentum',
  momentum: 0.9,
  weightDecay: 1e-4,
  batchSize: 64,
  seed: 1,
};

/** Static facts about one quantized layer. */
export interface LayerInfo {
  name: string;
  kind: string;
  shape: number[];
  size: number;
  n1: number;
  n2: number;
  /** Max |w| of the pre-trained kernel (n1 comes from it, once). */
  preMaxAbs: number;
  levels: Float32Array;
}

/** One layer as it stands after a round. */
export interface LayerSnapshot {
  name: string;
  /** Kernel values (frozen ones are levels). */
  weights: Float32Array;
  /** Round in which each weight froze (1-based), 0 while free. */
  frozenRound: Uint8Array;
  frozenCount: number;
  /** Histogram of the free weights over [histMin, histMax]. */
  freeHistogram: Uint32Array;
  histMin: number;
  histMax: number;
  /** Frozen weights per level (aligned with LayerInfo.levels). */
  levelCounts: Uint32Array;
}

/** What one round produced. */
export interface RoundResult {
  round: number;
  portion: number;
  accuracy: number;
  loss: number;
  /** Mean training loss per epoch of this round's re-training (empty for the last round). */
  epochLosses: number[];
  seconds: number;
  trainSeconds: number;
  layers: LayerSnapshot[];
  /**
   * The predicted class of every test image the round was scored on, in test-set order (from the
   * same pass as `accuracy`). Absent in rounds saved before the page kept them.
   */
  predictions?: Uint8Array;
  /** Checked at the round's end over every layer: both must be 0 (the session fails otherwise). Absent in rounds saved before the check existed. */
  integrity?: RoundIntegrity;
}

/**
 * The stages of a round the session reports between its start and its end: the newly frozen chosen
 * (their float values still in place), snapped to their levels, and re-trained (several snapshots per
 * epoch). Evaluation is the round's end (roundEnd).
 */
export type RoundPhase = 'partition' | 'quantize' | 'retrain';

/** Snapshots per re-training epoch (at each quarter of its batches). */
export const RETRAIN_SNAPSHOTS_PER_EPOCH = 4;

/** Frozen weights that moved since they froze, and frozen weights that are not levels of their layer. */
export interface RoundIntegrity {
  moved: number;
  offLevel: number;
}

/** The run's outcome. */
export interface RunSummary {
  floatAccuracy: number;
  floatLoss: number;
  finalAccuracy: number;
  finalLoss: number;
  /** Every parameter as float32. */
  floatBytes: number;
  /** Packed kernels (codes + headers) plus the float32 parameters that stay float (biases). */
  packedBytes: number;
  kernelFloatBytes: number;
  kernelPackedBytes: number;
  /** True when every conv/dense weight is a level of its layer. */
  allLevels: boolean;
  rounds: number;
  seconds: number;
  /** Fraction of kernel weights that are exactly zero at the end (pruned, or quantized to the zero level). */
  sparsity?: number;
  /** Kernels in the sparse encoding (bitmap + b−1-bit codes of the non-zero weights, see inq/sparse.ts). */
  sparseKernelBytes?: number;
  /** The whole model with sparse kernels: sparseKernelBytes plus the float32 parameters that stay float. */
  sparsePackedBytes?: number;
  /** The pruning stage's figures, when the run pruned first. */
  prune?: PruneReport;
}

/** Where to pick a run up again: the state after its last completed round. */
export interface ResumeState {
  /** Rounds already completed (1-based count). */
  completedRounds: number;
  /** The layers as the run first described them (n1 stays fixed from the pre-trained weights). */
  layers: LayerInfo[];
  /** Kernel values and freeze rounds after the last completed round, aligned with `layers`. */
  weights: Float32Array[];
  frozenRound: Uint8Array[];
  floatAccuracy: number;
  floatLoss: number;
  /** The last completed round's result, for the summary if nothing is left to run. */
  lastRound?: RoundResult;
  /** The float model's class for each test image, when known (else the session predicts them again before resuming). */
  floatPredictions?: Uint8Array;
}

/**
 * Events a session emits, in order: [pruneStart, (batch*, epochEnd)*, pruneEnd], start,
 * (roundStart, phase(partition), phase(quantize), (batch*, phase(retrain)*, epochEnd)*, roundEnd)*, end.
 * Pruning's batch and epochEnd events have round 0.
 */
export type InqEvent =
  | { type: 'pruneStart'; target: number; epochs: number; floatAccuracy: number; floatLoss: number }
  | { type: 'pruneEnd'; report: PruneReport }
  | {
      type: 'start';
      layers: LayerInfo[];
      rounds: number;
      floatAccuracy: number;
      floatLoss: number;
      /** Every weight snapped at once from the starting model, no re-training (null when the run continues a saved one). */
      oneShotAccuracy: number | null;
      config: InqConfig;
      resumedAfter: number;
      /** The float (pre-trained) model's class for each test image, and the images' labels, in test-set order. */
      floatPredictions: Uint8Array;
      testLabels: Uint8Array;
    }
  | { type: 'roundStart'; round: number; portion: number }
  /**
   * Every layer after a stage of the round: `partition` holds the values the newly frozen had when
   * chosen (frozenRound already says which), `quantize` the same weights on their levels, `retrain`
   * the weights `fraction` (0–1] of the way through re-training epoch `epoch` (0 for the other two).
   */
  | { type: 'phase'; round: number; phase: RoundPhase; epoch: number; fraction: number; layers: LayerSnapshot[] }
  | { type: 'batch'; round: number; epoch: number; batch: number; batches: number; loss: number }
  | { type: 'epochEnd'; round: number; epoch: number; trainLoss: number }
  | { type: 'roundEnd'; result: RoundResult }
  | { type: 'end'; summary: RunSummary };
