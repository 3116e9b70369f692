/** The playground's state: configuration, run status and round history. */
import type { BackendChoice, BackendPreference } from '../model/backendPrefs.ts';
import type { PartitionStrategy } from '../inq/partition.ts';
import { DEFAULT_CONFIG, PRUNE_EPOCHS, type InqConfig, type LayerInfo, type LayerSnapshot, type PruneReport, type RoundPhase, type RoundResult, type RunSummary } from '../engine/types.ts';
import type { DemoModelInfo, DemoResult, ModelSummary, RunModelFiles, RunPredictions } from '../engine/results.ts';
import type { StepUnit } from '../engine/control.ts';
import type { SensitivityResult } from '../engine/sensitivity.ts';
import type { LevelKind } from '../inq/levels.ts';
import type { RunActions } from './runActions.ts';

/** What the user sets; all of it round-trips through the URL hash. */
export interface PlaygroundConfig {
  bits: number;
  schedule: number[];
  strategy: PartitionStrategy;
  seed: number;
  /** Seed of the random training subset; null: the run's seed (each seed draws its own images). */
  trainSeed: number | null;
  epochsPerRound: number;
  learningRate: number;
  batchSize: number;
  trainSize: number;
  testSize: number;
  backend: BackendPreference;
  /** Prune to this sparsity before INQ (0 = off). */
  prune: number;
  /** Id of the committed pre-trained model (src/model/pretrained.ts); it fixes the dataset. */
  pretrained: string;
  /** Score the final model on every test image (not only the first testSize), for a comparison that can tell runs apart. */
  finalFull: boolean;
  /** Panels a teacher's link hides (`hide=sweeps,export`): the page shows only what the lesson needs. */
  hide: PanelName[];
  /** The dashboard (every view), or Teach: one screen for a class (`view=teach`). */
  view: 'dashboard' | 'teach';
  /** The layer Teach shows (a layer name; empty: the largest layer). */
  layer: string;
  /** The guided tour is open (`tour` in a link opens Teach with it). */
  tour: boolean;
}

/** The panels a link can hide, by the name the link uses. */
export const PANELS = {
  loss: 'Training loss per epoch',
  frozen: 'Frozen fraction per layer',
  size: 'Model size',
  runs: 'Saved runs',
  compare: 'Compare runs',
  sensitivity: 'Layer sensitivity',
  sweeps: 'Sweeps',
  errors: 'Where the errors are',
  digit: 'Draw a digit',
  histograms: 'Weight histograms',
  masks: 'Partition masks',
  data: 'Data and model',
  model: 'Your own model',
  export: 'Export',
} as const;

/** A panel's name in a link. */
export type PanelName = keyof typeof PANELS;

/** Whether `s` names a panel. */
export const isPanelName = (s: string): s is PanelName => Object.hasOwn(PANELS, s);

/** Sensible first-screen defaults: the paper's 5-bit schedule on a 2k-image subset. */
export const DEFAULT_PLAYGROUND_CONFIG: PlaygroundConfig = {
  bits: 5,
  schedule: [0.5, 0.75, 0.875, 1],
  strategy: 'magnitude',
  seed: 1,
  trainSeed: null,
  epochsPerRound: 1,
  learningRate: 0.01,
  batchSize: 64,
  trainSize: 2000,
  testSize: 1000,
  backend: 'auto',
  prune: 0,
  pretrained: 'lenet5',
  finalFull: false,
  hide: [],
  view: 'dashboard',
  layer: '',
  tour: false,
};

/** Engine configuration for the playground's settings. */
export function engineConfig(c: PlaygroundConfig): InqConfig {
  return {
    ...DEFAULT_CONFIG,
    bits: c.bits,
    schedule: [...c.schedule],
    strategy: c.strategy,
    seed: c.seed,
    ...(c.trainSeed !== null ? { trainSeed: c.trainSeed } : {}),
    epochsPerRound: c.epochsPerRound,
    learningRate: c.learningRate,
    batchSize: c.batchSize,
    ...(c.prune > 0 ? { prune: c.prune, pruneEpochs: PRUNE_EPOCHS } : {}),
  };
}

/** Where the worker and the current run stand. */
export type RunStatus = 'loading' | 'ready' | 'running' | 'paused' | 'done' | 'cancelled' | 'error';

/** Whether a run is going (training or paused): the one place that says so. */
export function isRunActive(status: RunStatus): boolean {
  return status === 'running' || status === 'paused';
}

/** Configuration slice. */
export interface ConfigSlice {
  config: PlaygroundConfig;
  /** The schedule as the user typed it (may be invalid). */
  scheduleText: string;
  /** Why the typed schedule is refused, or null. */
  scheduleError: string | null;
  /** Messages from a malformed URL hash (bad fields fell back to defaults). */
  urlErrors: string[];
  setConfig: (patch: Partial<PlaygroundConfig>) => void;
  setScheduleText: (text: string) => void;
  setSchedule: (portions: number[]) => void;
  dismissUrlErrors: () => void;
  /** The tour's step (0-based), kept while the tour is left so it can be resumed. */
  tourStep: number;
  setTourStep: (step: number) => void;
}

/** Live progress inside the current round. */
export interface Progress {
  round: number;
  rounds: number;
  epoch: number;
  epochs: number;
  batch: number;
  batches: number;
  loss: number;
}

/** Run-status slice. */
export interface RunSlice {
  status: RunStatus;
  /** What the worker is loading, while status is 'loading'. */
  loadingText: string;
  loadingFraction: number | null;
  backend: BackendChoice | null;
  model: ModelSummary | null;
  trainCount: number;
  testCount: number;
  /** Error or notice shown in the banner (null when none). */
  message: string | null;
  /** True when the last error was a lost GPU device: the run can continue on another backend. */
  canContinue: boolean;
  progress: Progress | null;
  /** Step granularity the Step button uses. */
  stepUnit: StepUnit;
  runId: string | null;
  /** The run is one seed of a repeated configuration (Repeat ×N), or null. */
  repeat: RepeatTag | null;
}

/** Which repeat a run belongs to: its runs share `group` and are saved and compared as one entry. */
export interface RepeatTag {
  group: string;
  /** 0-based place of this run among the group's seeds. */
  index: number;
  /** How many seeds the group has. */
  of: number;
}

/** One point of the loss curve (mean training loss per epoch). */
export interface EpochLoss {
  round: number;
  epoch: number;
  loss: number;
}

/** A stage of the run as Teach steps through it: the start (float and one-shot measured), a round's phases, and its evaluation. */
export type StageName = 'start' | RoundPhase | 'evaluate';

/** Where the live run stands, stage by stage. */
export interface RunStage {
  /** 0 at the start. */
  round: number;
  name: StageName;
  /** Re-training epoch and how far through it (retrain only; else 0). */
  epoch: number;
  fraction: number;
  /** Every layer after this stage; null at the start and at evaluation (the round's result has them). */
  layers: LayerSnapshot[] | null;
  /** This round's partition snapshot (the chosen weights' float values), kept through its quantize stage: the snap is drawn from it. */
  chosen: LayerSnapshot[] | null;
}

/** One point of the live run's weight trail: every layer after a stage (for following one weight inside rounds). */
export interface TrailPoint {
  round: number;
  name: StageName;
  epoch: number;
  fraction: number;
  layers: LayerSnapshot[];
}

/** A weight the user follows (a mask cell clicked). */
export interface PinnedWeight {
  layer: string;
  index: number;
}

/** Round-history slice: what the current run produced so far. */
export interface HistorySlice {
  layers: LayerInfo[];
  floatAccuracy: number | null;
  /** Every weight snapped at once, no re-training: INQ's foil (null before the run's start or when not measured). */
  oneShotAccuracy: number | null;
  rounds: RoundResult[];
  epochLosses: EpochLoss[];
  summary: RunSummary | null;
  /** The pruning stage of the current run: its target while it runs, then its report; null without pruning. */
  pruning: { target: number; epochs: number; report: PruneReport | null } | null;
  /** The finished run's quantized model as files (packed + Layers), for saving and export; null until a run ends. */
  runModel: RunModelFiles | null;
  /**
   * The float (pre-trained) model's class for each of the run's test images, with their labels (each
   * round's quantized answers are in its RoundResult); null before the run's start, or for a run saved
   * before the page kept them.
   */
  floatPredictions: RunPredictions | null;
  /** Round shown by every view (1-based); null follows the latest round. */
  selectedRound: number | null;
  selectRound: (round: number | null) => void;
  /** The live run's latest stage (null before a run and for an opened saved run). */
  stage: RunStage | null;
  /** The live run's snapshots inside rounds, in order: the starting weights, then each quantize and re-training snapshot. */
  trail: TrailPoint[];
  /** The weight being followed, or null; kept across runs of the same model (checked against its layers where shown). */
  pinned: PinnedWeight | null;
  pinWeight: (pinned: PinnedWeight | null) => void;
}

/** Draw-a-digit slice: which quantized model the demo runs, and its latest answer. */
export interface DemoSlice {
  /** Null while the worker prepares the demo (after the model is ready). */
  demoModel: DemoModelInfo | null;
  /** The latest answer (any request). */
  demoResult: DemoResult | null;
  /** Id of the latest request sent to the worker, or null. */
  demoRequestId: number | null;
  /** The last demo problem (never stops a run), or null. */
  demoError: { id: number | null; message: string } | null;
}

/** The whole store. */
/** Per-layer sensitivity of the pre-trained model: the latest measurement, asked for by the user. */
export interface SensitivityState {
  status: 'idle' | 'running' | 'done' | 'error';
  /** Id of the request in flight or answered last (a newer one wins). */
  id: number | null;
  bits: number;
  levels: LevelKind;
  testSize: number;
  /** Layers measured so far, of `total`. */
  done: number;
  total: number;
  result: SensitivityResult | null;
  message: string | null;
}

/** Sensitivity slice. */
export interface SensitivitySlice {
  sensitivity: SensitivityState;
}

/** Bring-your-own-model slice: a model of the user's being loaded, and why the last one was refused. */
export interface ModelIoSlice {
  /** True while the worker checks and builds a model of the user's. */
  modelLoading: boolean;
  /** Why the last model the user chose was refused (shown next to the picker), or null. */
  modelError: string | null;
}

export type PlaygroundState = ConfigSlice & RunSlice & HistorySlice & DemoSlice & ModelIoSlice & SensitivitySlice & RunActions;
