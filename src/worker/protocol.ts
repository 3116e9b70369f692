/**
 * Messages between the page and the INQ worker: the one file both sides import. Requests that
 * expect a reply carry an `id` the reply repeats (no matching by arrival order); the training run is
 * a typed event stream tagged with its runId.
 */
import type { BackendChoice, BackendPreference } from '../model/backendPrefs.ts';
import type { InqConfig, InqEvent, ResumeState } from '../engine/types.ts';
import type { StepUnit } from '../engine/control.ts';
import type { KernelCheckSummary } from '../kernels/check.ts';
import type { DemoModelInfo, DemoResult, ModelSummary, RunModelFiles, TestImages } from '../engine/results.ts';
import type { DatasetName } from '../data/datasets.ts';
import type { LevelKind } from '../inq/levels.ts';
import type { SensitivityResult } from '../engine/sensitivity.ts';

export type { DemoLayerTime, DemoModelInfo, DemoResult, ModelSummary, RunModelFiles, TestImages } from '../engine/results.ts';

/** Page → worker. */
export type ToWorker =
  | {
      type: 'init';
      backend: BackendPreference;
      modelUrl: string;
      dataUrl: string;
      /** Folder with the demo's packed model (packed.json + codes.bin); default BASE_URL + 'models/lenet5-inq5/'. */
      demoModelUrl?: string;
      /** The dataset at dataUrl (default MNIST); the draw-a-digit demo runs only on MNIST. */
      dataset?: DatasetName;
      /** The user's model files (model.json + weight files) to load after the built-in model, e.g. when the worker restarts. */
      customModel?: File[];
    }
  /** Bring your own model: model.json and its weight files as chosen (the worker checks sizes before reading them). Answered by 'ready' or 'model-error'. */
  | { type: 'load-model'; id: number; files: File[] }
  /** `probabilities`: after the run, send the final model's test-set softmax ('run-probabilities'), for ensembles. */
  | {
      type: 'start';
      runId: string;
      config: InqConfig;
      trainSize: number;
      testSize: number;
      resume?: ResumeState;
      probabilities?: boolean;
      /** Score the final model on the first this-many test images instead of testSize (its saved answers too). */
      finalTestSize?: number;
    }
  | { type: 'pause' }
  | { type: 'resume' }
  | { type: 'step'; unit: StepUnit }
  | { type: 'cancel' }
  | { type: 'debug-lose-device' }
  /** Test hook: the worker's tfjs memory and JS heap (after a garbage collection when the browser allows one). */
  | { type: 'debug-memory'; id: number }
  /** Test hook: stand in for a device with `bytes` to spare for a training subset (null: the real device). */
  | { type: 'debug-memory-budget'; bytes: number | null }
  | { type: 'debug-kernel-check'; id: number; cases: number; seed: number }
  /** Draw-a-digit demo: classify a 28×28 image (values 0–1, row-major) with both models. */
  | { type: 'demo-predict'; id: number; image: Float32Array }
  /** Draw-a-digit demo: classify MNIST test image `index` (a random one when absent). */
  | { type: 'demo-predict-test'; id: number; index?: number }
  /** Pixels and labels of test images by index (at most MAX_TEST_IMAGES), e.g. those of a confusion-matrix cell; answered even during a run. */
  | { type: 'test-images'; id: number; indices: number[] }
  /** Per-layer sensitivity of the pre-trained model at `bits` on the first `testSize` test images (never during a run). */
  | { type: 'sensitivity'; id: number; bits: number; levels: LevelKind; testSize: number };

/** The worker's memory, for the leak tests. */
export interface WorkerMemory {
  numTensors: number;
  numBytes: number;
  /** performance.memory.usedJSHeapSize in the worker, or null where the browser does not expose it. */
  jsHeapUsed: number | null;
  /** Whether a garbage collection ran first (only with --js-flags=--expose-gc). */
  gcRan: boolean;
}

/** Worker → page. */
export type FromWorker =
  | { type: 'loading'; stage: 'backend' | 'data' | 'model'; fraction: number | null; text: string }
  | { type: 'backend'; backend: BackendChoice }
  /** `loadId`: the 'load-model' request this answers (absent when the worker became ready after 'init'). */
  | { type: 'ready'; backend: BackendChoice; model: ModelSummary; trainCount: number; testCount: number; loadId?: number }
  | { type: 'event'; runId: string; event: InqEvent }
  | { type: 'state'; runId: string; state: 'running' | 'paused' | 'done' | 'cancelled' }
  /** `recoverable`: the run was refused or stopped but the worker is fine, so Run works again (no restart). */
  | { type: 'error'; runId: string | null; message: string; deviceLost: boolean; recoverable?: boolean }
  | ({ type: 'debug-memory'; id: number } & WorkerMemory)
  | { type: 'kernel-check'; id: number; result: KernelCheckSummary | { error: string } }
  | { type: 'sensitivity-progress'; id: number; done: number; total: number }
  | { type: 'sensitivity'; id: number; result: SensitivityResult | { error: string } }
  | { type: 'test-images'; id: number; result: TestImages | { error: string } }
  /** The final model's softmax on the run's test subset (count × classes), before 'done', when the start asked for it. */
  | { type: 'run-probabilities'; runId: string; probs: Float32Array; labels: Uint8Array; classes: number }
  /** Sent once a run ends (after its 'end' event, before its 'done' state). */
  | ({ type: 'run-model' } & RunModelFiles)
  | ({ type: 'demo-model' } & DemoModelInfo)
  | ({ type: 'demo-result' } & DemoResult)
  /** A demo problem; never stops a run. `id` is the request that failed, or null. */
  | { type: 'demo-error'; id: number | null; message: string }
  /** A model of the user's was refused (the model in use and the run history are unchanged); `fileName` is its model.json. */
  /** `loadId`: the 'load-model' request refused, or null when the user's model did not load again after a restart. */
  | { type: 'model-error'; loadId: number | null; fileName: string | null; message: string };

/** Typed arrays inside an event, to transfer instead of copy. */
export function transferablesOf(e: InqEvent): Transferable[] {
  if (e.type === 'start') return [e.floatPredictions.buffer, e.testLabels.buffer];
  if (e.type !== 'roundEnd' && e.type !== 'phase') return [];
  const out: Transferable[] = [];
  for (const l of e.type === 'phase' ? e.layers : e.result.layers) out.push(l.weights.buffer, l.frozenRound.buffer, l.freeHistogram.buffer, l.levelCounts.buffer);
  if (e.type === 'phase') return out;
  if (e.result.predictions) out.push(e.result.predictions.buffer);
  return out;
}

/** Buffers inside a run's model files, to transfer instead of copy. */
export function runModelTransferables(f: RunModelFiles): Transferable[] {
  const out: Transferable[] = [f.layers.weights];
  if (f.packed) out.push(f.packed.codes.buffer);
  if (f.predictions) out.push(f.predictions.classes.buffer, f.predictions.labels.buffer);
  return out;
}

/** Typed arrays inside a demo result, to transfer instead of copy. */
export function demoTransferables(r: DemoResult): Transferable[] {
  const out: Transferable[] = [r.image.buffer, r.floatProbs.buffer];
  if (r.shiftProbs) out.push(r.shiftProbs.buffer);
  return out;
}
