/** The INQ session's configuration, per-round results and events: plain data, safe to post to a worker. */
import type { PartitionStrategy } from '../inq/partition.ts';
import type { OptimizerKind } from '../model/trainer.ts';

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
}

/** Events a session emits, in order: start, (roundStart, batch*, epochEnd*, roundEnd)*, end. */
export type InqEvent =
  | { type: 'start'; layers: LayerInfo[]; rounds: number; floatAccuracy: number; floatLoss: number; config: InqConfig; resumedAfter: number }
  | { type: 'roundStart'; round: number; portion: number }
  | { type: 'batch'; round: number; epoch: number; batch: number; batches: number; loss: number }
  | { type: 'epochEnd'; round: number; epoch: number; trainLoss: number }
  | { type: 'roundEnd'; result: RoundResult }
  | { type: 'end'; summary: RunSummary };
