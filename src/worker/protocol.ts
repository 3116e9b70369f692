/** Messages between the page and the INQ worker: the one file both sides import. */
import type { BackendChoice, BackendPreference } from '../model/backendPrefs.ts';
import type { InqConfig, InqEvent, ResumeState } from '../engine/types.ts';
import type { StepUnit } from '../engine/control.ts';
import type { KernelCheckSummary } from '../kernels/check.ts';
import type { PackedManifest } from '../inq/packedModel.ts';
import type { ModelJson } from '../model/io.ts';
import type { DatasetName } from '../data/datasets.ts';

/** The pre-trained model as the page first sees it. */
export interface ModelSummary {
  name: string;
  title: string;
  params: number;
  /** Test accuracy recorded when the model was pre-trained (all 10k MNIST test images). */
  pretrainedAccuracy: number | null;
  layers: { name: string; kind: string; shape: number[]; size: number }[];
  /** A loaded model of the user's ('custom'): what was changed to fit the playground (e.g. a softmax output removed). */
  notes?: string[];
}

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
  | { type: 'load-model'; files: File[] }
  /** `probabilities`: after the run, send the final model's test-set softmax ('run-probabilities'), for ensembles. */
  | { type: 'start'; runId: string; config: InqConfig; trainSize: number; testSize: number; resume?: ResumeState; probabilities?: boolean }
  | { type: 'pause' }
  | { type: 'resume' }
  | { type: 'step'; unit: StepUnit }
  | { type: 'cancel' }
  | { type: 'debug-lose-device' }
  /** Test hook: the worker's tfjs memory and JS heap (after a garbage collection when the browser allows one). */
  | { type: 'debug-memory' }
  /** Test hook: stand in for a device with `bytes` to spare for a training subset (null: the real device). */
  | { type: 'debug-memory-budget'; bytes: number | null }
  | { type: 'debug-kernel-check'; cases: number; seed: number }
  /** Draw-a-digit demo: classify a 28×28 image (values 0–1, row-major) with both models. */
  | { type: 'demo-predict'; id: number; image: Float32Array }
  /** Draw-a-digit demo: classify MNIST test image `index` (a random one when absent). */
  | { type: 'demo-predict-test'; id: number; index?: number };

/** One layer's time on the shift kernels. */
export interface DemoLayerTime {
  name: string;
  ms: number;
}

/** Which quantized model the demo runs, and whether it can (worker → page once prepared, and after a run). */
export interface DemoModelInfo {
  /** "pre-quantized 5-bit LeNet-5" or "your run: 5 bits". */
  modelLabel: string;
  /** False when there is no WebGPU device for the shift kernels: only the float model predicts. */
  shiftAvailable: boolean;
  /** Why the shift kernels are unavailable, or another caveat; null when none. */
  note: string | null;
  /** Packed codes + per-layer headers + float32 biases (null without a packed model), against every parameter as float32. */
  packedBytes: number | null;
  floatBytes: number;
  /** Bit-width of the quantized model (0 without one). */
  bits: number;
}

/** Both models' answers for one image. */
export interface DemoResult extends DemoModelInfo {
  id: number;
  /** The 28×28 image the networks saw. */
  image: Float32Array;
  /** True label and index, for an MNIST test image. */
  label?: number;
  index?: number;
  floatProbs: Float32Array;
  /** Null when the shift kernels are unavailable. */
  shiftProbs: Float32Array | null;
  layerTimesMs: DemoLayerTime[];
  /** Wall time of the shift forward pass (upload, kernels, read-back), or null. */
  shiftMs: number | null;
  /** Wall time of the float model's prediction (tfjs, upload to read-back). */
  floatMs: number;
  /** Where the per-layer times come from. */
  timingSource: 'gpu-timestamp' | 'cpu-wall' | null;
}

/** A finished run's quantized model, as files: the packed codes for the shift kernels and the tfjs Layers model. */
export interface RunModelFiles {
  runId: string;
  bits: number;
  /** Packed format (packed.json + codes.bin); null when the run did not end with every kernel a level. */
  packed: { manifest: PackedManifest; codes: Uint8Array } | null;
  /** tfjs Layers format (model.json + weights.bin), with the run's configuration and summary in its metadata. */
  layers: { json: ModelJson; weights: ArrayBuffer };
}

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
  | { type: 'ready'; backend: BackendChoice; model: ModelSummary; trainCount: number; testCount: number }
  | { type: 'event'; runId: string; event: InqEvent }
  | { type: 'state'; runId: string; state: 'running' | 'paused' | 'done' | 'cancelled' }
  /** `recoverable`: the run was refused or stopped but the worker is fine, so Run works again (no restart). */
  | { type: 'error'; runId: string | null; message: string; deviceLost: boolean; recoverable?: boolean }
  | ({ type: 'debug-memory' } & WorkerMemory)
  | { type: 'kernel-check'; result: KernelCheckSummary | { error: string } }
  /** The final model's softmax on the run's test subset (count × classes), before 'done', when the start asked for it. */
  | { type: 'run-probabilities'; runId: string; probs: Float32Array; labels: Uint8Array; classes: number }
  /** Sent once a run ends (after its 'end' event, before its 'done' state). */
  | ({ type: 'run-model' } & RunModelFiles)
  | ({ type: 'demo-model' } & DemoModelInfo)
  | ({ type: 'demo-result' } & DemoResult)
  /** A demo problem; never stops a run. `id` is the request that failed, or null. */
  | { type: 'demo-error'; id: number | null; message: string }
  /** A model of the user's was refused (the model in use and the run history are unchanged); `fileName` is its model.json. */
  | { type: 'model-error'; fileName: string | null; message: string };

/** Typed arrays inside an event, to transfer instead of copy. */
export function transferablesOf(e: InqEvent): Transferable[] {
  if (e.type !== 'roundEnd') return [];
  const out: Transferable[] = [];
  for (const l of e.result.layers) out.push(l.weights.buffer, l.frozenRound.buffer, l.freeHistogram.buffer, l.levelCounts.buffer);
  return out;
}

/** Buffers inside a run's model files, to transfer instead of copy. */
export function runModelTransferables(f: RunModelFiles): Transferable[] {
  const out: Transferable[] = [f.layers.weights];
  if (f.packed) out.push(f.packed.codes.buffer);
  return out;
}

/** Typed arrays inside a demo result, to transfer instead of copy. */
export function demoTransferables(r: DemoResult): Transferable[] {
  const out: Transferable[] = [r.image.buffer, r.floatProbs.buffer];
  if (r.shiftProbs) out.push(r.shiftProbs.buffer);
  return out;
}
