/**
 * Every run-state transition of the page, as named store actions: the worker client (transport and
 * worker lifecycle only), the saved runs and the views call these and never patch the store
 * themselves. Pure zustand; no worker, no React.
 */
import type { StateCreator } from 'zustand/vanilla';
import type { BackendChoice } from '../model/backendPrefs.ts';
import type { InqEvent, LayerInfo, PruneReport, RoundResult } from '../engine/types.ts';
import type { DemoModelInfo, DemoResult, ModelSummary, RunModelFiles, RunPredictions } from '../engine/results.ts';
import type { LoadedRun } from './runsDb.ts';
import type { SensitivityResult } from '../engine/sensitivity.ts';
import type { LevelKind } from '../inq/levels.ts';
import { isRunActive, type EpochLoss, type PlaygroundConfig, type PlaygroundState, type Progress, type RepeatTag, type RunStatus, type TrailPoint } from './types.ts';

/** A run's history as the page shows it, empty: what starting, clearing and opening a run replace. */
const EMPTY_HISTORY = {
  rounds: [] as RoundResult[],
  epochLosses: [] as EpochLoss[],
  layers: [] as LayerInfo[],
  summary: null,
  pruning: null,
  runModel: null,
  floatPredictions: null,
  floatAccuracy: null,
  oneShotAccuracy: null,
  selectedRound: null,
  stage: null,
  trail: [] as TrailPoint[],
} satisfies Partial<PlaygroundState>;

/** Most weight values the trail keeps (all layers, all points; 32 MB as float32): past it, only each epoch's last snapshot is added. */
export const TRAIL_BUDGET = 8_000_000;

/** The trail with a phase's snapshot added: the starting weights (first partition), every quantize, and re-training snapshots within the budget. */
function extendTrail(trail: TrailPoint[], e: Extract<InqEvent, { type: 'phase' }>): TrailPoint[] {
  if (e.phase === 'partition' && trail.length > 0) return trail;
  const size = e.layers.reduce((a, l) => a + l.weights.length, 0);
  if (e.phase === 'retrain' && e.fraction < 1 && (trail.length + 1) * size > TRAIL_BUDGET) return trail;
  return [...trail, { round: e.round, name: e.phase, epoch: e.epoch, fraction: e.fraction, layers: e.layers }];
}

/** The loss curve of saved rounds (one point per re-training epoch). */
function lossesOf(rounds: readonly RoundResult[]): EpochLoss[] {
  return rounds.flatMap((r) => r.epochLosses.map((loss, i) => ({ round: r.round, epoch: i + 1, loss })));
}

function emptyProgress(): Progress {
  return { round: 0, rounds: 0, epoch: 0, epochs: 0, batch: 0, batches: 0, loss: NaN };
}

/** A saved run being continued in the page. */
export interface ContinuedRun {
  runId: string;
  layers: LayerInfo[];
  floatAccuracy: number;
  /** The float model's answers on its test images, when saved (the start event brings them otherwise). */
  floatPredictions?: RunPredictions | null;
  /** Its completed rounds, in order (at least one). */
  rounds: RoundResult[];
  /** Rounds and epochs per round of its schedule. */
  totalRounds: number;
  epochsPerRound: number;
}

/** The named transitions. */
export interface RunActions {
  // Worker lifecycle.
  workerStarting: () => void;
  workerLoading: (text: string, fraction: number | null) => void;
  backendChosen: (backend: BackendChoice) => void;
  workerReady: (ready: { backend: BackendChoice; model: ModelSummary; trainCount: number; testCount: number }) => void;
  workerCrashed: (why: string) => void;
  /** A notice in the banner (e.g. why Run did nothing). */
  say: (message: string) => void;

  // A run.
  /** start: a new run replaces the history. */
  startRun: (runId: string, config: PlaygroundConfig, repeat?: RepeatTag | null) => void;
  /** continue: a saved run's rounds become the history, and it trains on from the last. */
  continueRun: (run: ContinuedRun) => void;
  /** continue after a crash or a lost device: same history, a fresh worker trains on. */
  resumeAfterCrash: () => void;
  /** The engine's events, in order. */
  runEvent: (e: Exclude<InqEvent, { type: 'batch' }>) => void;
  /** Per-batch progress (throttled by the client). */
  progressed: (e: Extract<InqEvent, { type: 'batch' }>) => void;
  /** round end (also reached through runEvent). */
  endRound: (result: RoundResult) => void;
  /** pause (the worker stopped at a batch boundary). */
  pauseRun: () => void;
  /** The run trains again (resume, step). */
  resumeRun: () => void;
  /** finish: done, or cancelled with its completed rounds kept. */
  finishRun: (how: 'done' | 'cancelled') => void;
  /** fail: an error from the worker; a refused run (`recoverable`, device fine) leaves the worker ready. */
  failRun: (f: { message: string; recoverable: boolean; deviceLost: boolean }) => void;
  runModelReady: (files: RunModelFiles) => void;
  /** clear: forget the run (the worker was told to cancel it). */
  clearRun: () => void;
  /** open a saved run: its history in every view; nothing trains. */
  openSavedRun: (run: LoadedRun) => void;

  // Your own model.
  modelLoadStarted: () => void;
  /** Refused before or by the worker; `statusBefore` is where the page goes back to. */
  modelRefused: (message: string, statusBefore?: RunStatus) => void;
  modelErrorCleared: () => void;

  // Draw a digit.
  demoRequested: (id: number) => void;
  demoModelReady: (info: DemoModelInfo) => void;
  demoAnswered: (result: DemoResult) => void;
  demoFailed: (id: number | null, message: string) => void;

  // Per-layer sensitivity (answers to an older request than the latest are dropped).
  sensitivityRequested: (id: number, bits: number, levels: LevelKind, testSize: number) => void;
  sensitivityProgress: (id: number, done: number, total: number) => void;
  sensitivityAnswered: (id: number, result: SensitivityResult) => void;
  sensitivityFailed: (id: number, message: string) => void;
}

/** The page-store update that shows a loaded run in every view: history, summary, model, not running. */
function openedRunState(run: LoadedRun): Partial<PlaygroundState> {
  const { meta, rounds, model } = run;
  const last = rounds.at(-1);
  const K = meta.config.schedule.length;
  return {
    ...EMPTY_HISTORY,
    runId: meta.id,
    repeat: null,
    status: meta.status === 'done' ? 'done' : 'cancelled',
    message: null,
    canContinue: false,
    layers: meta.layers,
    floatAccuracy: meta.floatAccuracy,
    oneShotAccuracy: meta.oneShotAccuracy,
    rounds,
    epochLosses: lossesOf(rounds),
    summary: meta.summary,
    pruning: meta.summary?.prune ? { target: meta.summary.prune.target, epochs: 0, report: meta.summary.prune } : null,
    runModel: model,
    floatPredictions: meta.floatPredictions,
    progress: last ? { round: last.round, rounds: K, epoch: 0, epochs: meta.config.epochsPerRound, batch: 0, batches: 0, loss: NaN } : null,
  };
}

/** The actions slice. */
export const runActionsSlice: StateCreator<PlaygroundState, [], [], RunActions> = (set, get) => ({
  workerStarting: () =>
    set({ status: 'loading', loadingText: 'Starting the worker…', loadingFraction: null, demoModel: null, demoRequestId: null, demoError: null, modelLoading: false }),
  workerLoading: (text, fraction) => set({ status: 'loading', loadingText: text, loadingFraction: fraction }),
  backendChosen: (backend) => set({ backend }),
  workerReady: ({ backend, model, trainCount, testCount }) => set({ status: 'ready', backend, model, trainCount, testCount, modelLoading: false }),
  workerCrashed: (why) => {
    const s = get();
    set({ status: 'error', message: `The training worker crashed: ${why}. Completed rounds are kept.`, canContinue: s.rounds.length > 0 || s.status === 'running' });
  },
  say: (message) => set({ message }),

  startRun: (runId, config, repeat = null) =>
    set({
      ...EMPTY_HISTORY,
      runId,
      repeat,
      status: 'running',
      message: null,
      canContinue: false,
      progress: { round: 0, rounds: config.schedule.length, epoch: 0, epochs: config.epochsPerRound, batch: 0, batches: 0, loss: NaN },
    }),
  continueRun: (run) => {
    const last = run.rounds[run.rounds.length - 1];
    set({
      ...EMPTY_HISTORY,
      runId: run.runId,
      repeat: null,
      status: 'running',
      message: null,
      canContinue: false,
      layers: run.layers,
      floatAccuracy: run.floatAccuracy,
      floatPredictions: run.floatPredictions ?? null,
      rounds: run.rounds,
      epochLosses: lossesOf(run.rounds),
      progress: { round: last?.round ?? 0, rounds: run.totalRounds, epoch: 0, epochs: run.epochsPerRound, batch: 0, batches: 0, loss: NaN },
    });
  },
  resumeAfterCrash: () => set({ status: 'running', message: null, canContinue: false }),
  runEvent: (e) => {
    switch (e.type) {
      case 'pruneStart':
        set((s) => ({
          floatAccuracy: e.floatAccuracy,
          pruning: { target: e.target, epochs: e.epochs, report: null },
          progress: { ...(s.progress ?? emptyProgress()), round: 0, epoch: 0, epochs: e.epochs, batch: 0 },
        }));
        break;
      case 'pruneEnd':
        set((s) => ({ pruning: s.pruning ? { ...s.pruning, report: e.report } : prunedOnly(e.report) }));
        break;
      case 'start':
        // A continued run's start carries no one-shot figure: keep the one it was opened with.
        set((s) => ({
          layers: e.layers,
          floatAccuracy: e.floatAccuracy,
          oneShotAccuracy: e.oneShotAccuracy ?? s.oneShotAccuracy,
          floatPredictions: { classes: e.floatPredictions, labels: e.testLabels },
          stage: { round: 0, name: 'start', epoch: 0, fraction: 0, layers: null, chosen: null },
        }));
        break;
      case 'phase':
        set((s) => ({
          stage: {
            round: e.round,
            name: e.phase,
            epoch: e.epoch,
            fraction: e.fraction,
            layers: e.layers,
            chosen: e.phase === 'partition' ? e.layers : e.phase === 'quantize' && s.stage?.round === e.round ? s.stage.chosen : null,
          },
          trail: extendTrail(s.trail, e),
        }));
        break;
      case 'roundStart':
        set((s) => ({ progress: { ...(s.progress ?? emptyProgress()), round: e.round, rounds: s.config.schedule.length, epoch: 0, batch: 0 } }));
        break;
      case 'epochEnd':
        set((s) => ({ epochLosses: [...s.epochLosses, { round: e.round, epoch: e.epoch, loss: e.trainLoss }] }));
        break;
      case 'roundEnd':
        get().endRound(e.result);
        break;
      case 'end':
        set({ summary: e.summary });
        break;
      default: {
        const never: never = e;
        console.warn('unknown engine event', never);
      }
    }
  },
  progressed: (e) =>
    set((s) => ({
      progress: {
        round: e.round,
        rounds: s.config.schedule.length,
        epoch: e.epoch,
        epochs: e.round === 0 ? (s.pruning?.epochs ?? 0) : s.config.epochsPerRound,
        batch: e.batch,
        batches: e.batches,
        loss: e.loss,
      },
    })),
  endRound: (result) =>
    set((s) => ({
      rounds: [...s.rounds.filter((r) => r.round !== result.round), result],
      stage: { round: result.round, name: 'evaluate', epoch: 0, fraction: 0, layers: null, chosen: null },
    })),
  pauseRun: () => set({ status: 'paused' }),
  resumeRun: () => set({ status: 'running' }),
  finishRun: (how) => set({ status: how }),
  failRun: ({ message, recoverable, deviceLost }) =>
    set((s) => ({ status: recoverable && !deviceLost ? 'ready' : 'error', message, canContinue: deviceLost || s.rounds.length > 0 })),
  runModelReady: (files) => set({ runModel: files }),
  clearRun: () => set((s) => ({ ...EMPTY_HISTORY, status: s.model ? 'ready' : s.status, runId: null, repeat: null, progress: null, message: null, canContinue: false })),
  openSavedRun: (run) => set(openedRunState(run)),

  modelLoadStarted: () => set({ modelLoading: true, modelError: null, status: 'loading', loadingText: 'Checking and loading your model…', loadingFraction: null }),
  modelRefused: (message, statusBefore) => set({ modelLoading: false, modelError: message, ...(statusBefore ? { status: statusBefore } : {}) }),
  modelErrorCleared: () => set({ modelError: null }),

  demoRequested: (id) => set({ demoRequestId: id }),
  demoModelReady: (info) => set({ demoModel: info }),
  demoAnswered: (result) => {
    const { modelLabel, shiftAvailable, note, packedBytes, floatBytes, bits } = result;
    set({ demoResult: result, demoModel: { modelLabel, shiftAvailable, note, packedBytes, floatBytes, bits }, demoError: null });
  },
  demoFailed: (id, message) => set({ demoError: { id, message } }),

  sensitivityRequested: (id, bits, levels, testSize) =>
    set({ sensitivity: { status: 'running', id, bits, levels, testSize, done: 0, total: 0, result: null, message: null } }),
  sensitivityProgress: (id, done, total) => {
    const s = get().sensitivity;
    if (s.id === id && s.status === 'running') set({ sensitivity: { ...s, done, total } });
  },
  sensitivityAnswered: (id, result) => {
    const s = get().sensitivity;
    if (s.id === id) set({ sensitivity: { ...s, status: 'done', done: result.layers.length, total: result.layers.length, result } });
  },
  sensitivityFailed: (id, message) => {
    const s = get().sensitivity;
    if (s.id === id) set({ sensitivity: { ...s, status: 'error', message } });
  },
});

function prunedOnly(report: PruneReport): PlaygroundState['pruning'] {
  return { target: report.target, epochs: 0, report };
}

/** Whether the page would refuse a new run now (one is going, or the worker is loading). */
export function runBlocked(s: PlaygroundState): boolean {
  return isRunActive(s.status) || s.status === 'loading';
}
