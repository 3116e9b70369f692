/**
 * What a run and the worker produce, as plain data: the model summary, the run's model files and the
 * draw-a-digit answers. The worker protocol, the page's store and the saved runs (IndexedDB) all use
 * these types, so none of them imports another's.
 */
import type { PackedManifest } from '../inq/packedModel.ts';
import type { ModelJson } from '../model/io.ts';

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
  /** The final model's class for each of the run's test images, and their labels (for paired comparisons); absent in runs saved before. */
  predictions?: RunPredictions;
}

/** Test images as the page draws them: `count` images of height×width grey bytes (0–255, row-major, first channel), and their labels. */
export interface TestImages {
  images: Uint8Array;
  labels: Uint8Array;
  count: number;
  height: number;
  width: number;
}

/** The most test images one request may ask for (a confusion-matrix cell shows fewer). */
export const MAX_TEST_IMAGES = 100;

/** A finished run's answers on its test images, in test-set order. */
export interface RunPredictions {
  classes: Uint8Array;
  labels: Uint8Array;
}
