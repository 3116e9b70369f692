/**
 * The draw-a-digit demo, worker side: the pre-trained float model on tfjs beside a packed quantized
 * model on the shift kernels. The shift kernels get their own GPUDevice from navigator.gpu, whatever
 * backend tfjs runs on (it may be WebGL); without WebGPU only the float model answers.
 */
import * as tf from '@tensorflow/tfjs';
import { LAYER_HEADER_BYTES } from '../inq/codec.ts';
import { loadPackedModel, type PackedManifest, type PackedModel } from '../inq/packedModel.ts';
import { createRng, type Rng } from '../inq/rng.ts';
import { shiftProgramFromPacked, type ShiftProgram } from '../kernels/packedLoader.ts';
import { ShiftKernels } from '../kernels/programs.ts';
import { ShiftNetwork } from '../kernels/shiftNetwork.ts';
import type { Dataset } from '../data/dataset.ts';
import type { DemoModelInfo, DemoResult } from './protocol.ts';

/** The packed model's manifest file inside its folder (as `inq run --out DIR` writes it). */
export const DEMO_MANIFEST_FILE = 'packed.json';

/** Seed of the "random test image" sequence: the same images in the same order on every page load. */
export const DEMO_TEST_SEED = 20170101;

/** Softmax of `logits` (numerically stable). */
export function softmax(logits: Float32Array): Float32Array {
  let max = -Infinity;
  for (const v of logits) max = Math.max(max, v);
  const out = new Float32Array(logits.length);
  let sum = 0;
  for (let i = 0; i < logits.length; i++) {
    out[i] = Math.exp(logits[i] - max);
    sum += out[i];
  }
  for (let i = 0; i < out.length; i++) out[i] /= sum;
  return out;
}

/** Packed size (codes + per-layer headers + float32 biases) and the same parameters as float32, from a manifest. */
export function packedSizes(manifest: PackedManifest): { packedBytes: number; floatBytes: number } {
  let packedBytes = 0;
  let floatBytes = 0;
  for (const l of manifest.layers) {
    packedBytes += l.byteLength + LAYER_HEADER_BYTES + 4 * l.bias.length;
    floatBytes += 4 * (l.count + l.bias.length);
  }
  return { packedBytes, floatBytes };
}

/** Fetches and validates DIR/packed.json and its codes file. */
export async function fetchPackedModel(dirUrl: string): Promise<PackedModel> {
  const base = dirUrl.endsWith('/') ? dirUrl : `${dirUrl}/`;
  const res = await fetch(base + DEMO_MANIFEST_FILE);
  if (!res.ok) throw new Error(`could not fetch ${base}${DEMO_MANIFEST_FILE}: HTTP ${res.status}`);
  // A single-page-app server answers a missing file with index.html.
  if ((res.headers.get('content-type') ?? '').includes('text/html')) throw new Error(`${base}${DEMO_MANIFEST_FILE} is missing (the server sent a page)`);
  const manifest = (await res.json()) as { codesFile?: unknown };
  const codesFile = manifest?.codesFile;
  // A plain file name beside the manifest: a manifest must not make us fetch elsewhere.
  if (typeof codesFile !== 'string' || !/^[\w.-]+$/.test(codesFile) || codesFile === '.' || codesFile === '..') {
    throw new Error(`${DEMO_MANIFEST_FILE}: codesFile must be a file name in the same folder`);
  }
  const codes = await fetch(base + codesFile);
  if (!codes.ok) throw new Error(`could not fetch ${base}${codesFile}: HTTP ${codes.status}`);
  return loadPackedModel(manifest, new Uint8Array(await codes.arrayBuffer()), DEMO_MANIFEST_FILE);
}

/** A WebGPU device of its own for the shift kernels, or why there is none. */
async function openShiftDevice(): Promise<{ device: GPUDevice } | { note: string }> {
  const gpu = (globalThis as { navigator?: { gpu?: GPU } }).navigator?.gpu;
  if (!gpu) return { note: 'This browser has no WebGPU, so the shift kernels cannot run: only the float model predicts.' };
  let adapter: GPUAdapter | null;
  try {
    adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  } catch {
    adapter = null;
  }
  if (!adapter) return { note: 'No WebGPU adapter, so the shift kernels cannot run: only the float model predicts.' };
  try {
    // GPU timestamps give per-layer times from one submit; without them each layer is timed on its own.
    const requiredFeatures: GPUFeatureName[] = adapter.features.has('timestamp-query') ? ['timestamp-query'] : [];
    return { device: await adapter.requestDevice({ requiredFeatures }) };
  } catch (e) {
    return { note: `The WebGPU device could not be opened (${e instanceof Error ? e.message : String(e)}): only the float model predicts.` };
  }
}

/** Labels of the two kinds of quantized model the demo runs. */
function labelOf(source: 'pretrained' | 'run', bits: number, title: string): string {
  return source === 'pretrained' ? `pre-quantized ${bits}-bit ${title}` : `your run: ${bits} bits`;
}

/** Owns the demo's models; predictions run one at a time in arrival order. */
export class DigitDemo {
  private net: ShiftNetwork | null = null;
  private kernels: ShiftKernels | null = null;
  private device: GPUDevice | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly rng: Rng = createRng(DEMO_TEST_SEED);
  private info: DemoModelInfo;

  private constructor(
    private readonly floatModel: tf.LayersModel,
    private readonly test: Dataset,
    private readonly title: string,
    private readonly onModel: (info: DemoModelInfo) => void,
  ) {
    this.info = { modelLabel: '', shiftAvailable: false, note: null, packedBytes: null, floatBytes: floatModel.countParams() * 4, bits: 0 };
  }

  /**
   * Loads the packed model, opens a device, compiles the kernels and warms both models up, so the
   * first prediction is fast. Never rejects for a shift-kernel problem: the demo then runs float only
   * and says why. Takes ownership of `floatModel`.
   */
  static async create(opts: {
    floatModel: tf.LayersModel;
    test: Dataset;
    packedUrl: string;
    title: string;
    onModel: (info: DemoModelInfo) => void;
  }): Promise<DigitDemo> {
    const demo = new DigitDemo(opts.floatModel, opts.test, opts.title, opts.onModel);
    await demo.warmFloat();
    let packed: PackedModel | null = null;
    try {
      packed = await fetchPackedModel(opts.packedUrl);
    } catch (e) {
      demo.info = { ...demo.info, note: `The pre-quantized model could not be loaded (${messageOf(e)}): only the float model predicts.` };
    }
    if (packed) await demo.install(packed, 'pretrained');
    demo.onModel(demo.info);
    return demo;
  }

  /** What the demo runs now. */
  get model(): DemoModelInfo {
    return this.info;
  }

  /** Switches the shift side to a finished run's packed model (after predictions already queued). */
  useRunModel(packed: PackedModel): Promise<void> {
    return this.serial(async () => {
      await this.install(packed, 'run');
      this.onModel(this.info);
    });
  }

  /** Classifies one 28×28 image with both models. */
  predict(id: number, image: Float32Array): Promise<DemoResult> {
    return this.serial(() => this.run(id, image));
  }

  /** Classifies MNIST test image `index` (the next of a seeded random sequence when absent). */
  predictTest(id: number, index?: number): Promise<DemoResult> {
    const n = this.test.count;
    const i = index ?? this.rng.int(n);
    if (!Number.isInteger(i) || i < 0 || i >= n) return Promise.reject(new RangeError(`test image ${i} does not exist (0–${n - 1})`));
    const size = this.test.shape[0] * this.test.shape[1] * this.test.shape[2];
    const image = this.test.images.slice(i * size, (i + 1) * size);
    return this.serial(async () => ({ ...(await this.run(id, image)), label: this.test.labels[i], index: i }));
  }

  private serial<T>(task: () => Promise<T>): Promise<T> {
    const next = this.queue.then(task, task);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async run(id: number, image: Float32Array): Promise<DemoResult> {
    const [h, w, c] = this.test.shape;
    if (image.length !== h * w * c) throw new RangeError(`the image has ${image.length} values; the models take ${h}×${w}×${c} = ${h * w * c}`);
    let shiftProbs: Float32Array | null = null;
    let shiftMs: number | null = null;
    let layerTimesMs: DemoResult['layerTimesMs'] = [];
    let timingSource: DemoResult['timingSource'] = null;
    if (this.net) {
      const t0 = performance.now();
      const r = await this.net.forward(image, 1);
      shiftMs = performance.now() - t0;
      shiftProbs = softmax(r.logits);
      layerTimesMs = r.timings.map((t) => ({ name: t.name, ms: t.ms }));
      timingSource = r.timingSource;
    }
    const t1 = performance.now();
    const logits = await this.floatLogits(image);
    const floatMs = performance.now() - t1;
    return { ...this.info, id, image: image.slice(), floatProbs: softmax(logits), shiftProbs, layerTimesMs, shiftMs, floatMs, timingSource };
  }

  private async floatLogits(image: Float32Array): Promise<Float32Array> {
    const [h, w, c] = this.test.shape;
    const out = tf.tidy(() => this.floatModel.predict(tf.tensor4d(image, [1, h, w, c])) as tf.Tensor);
    try {
      return new Float32Array(await out.data());
    } finally {
      out.dispose();
    }
  }

  private async warmFloat(): Promise<void> {
    const [h, w, c] = this.test.shape;
    await this.floatLogits(new Float32Array(h * w * c));
  }

  /** Builds the shift network for `packed` (device and kernels once), warms it up, and replaces the previous one. */
  private async install(packed: PackedModel, source: 'pretrained' | 'run'): Promise<void> {
    const bits = packed.manifest.layers[0]?.bits ?? 0;
    const sizes = packedSizes(packed.manifest);
    const base: DemoModelInfo = { ...this.info, modelLabel: labelOf(source, bits, this.title), bits, packedBytes: sizes.packedBytes, floatBytes: this.info.floatBytes };
    let program: ShiftProgram;
    try {
      program = shiftProgramFromPacked(packed, source === 'run' ? 'the run\'s packed model' : DEMO_MANIFEST_FILE);
      const [h, w, c] = this.test.shape;
      if (program.inputShape.join() !== [h, w, c].join() || program.numClasses !== this.test.numClasses) {
        throw new Error(`the packed model takes [${program.inputShape.join(', ')}] inputs, the test images are [${h}, ${w}, ${c}]`);
      }
    } catch (e) {
      this.fail(base, `${source === 'run' ? 'Your run' : 'The pre-quantized model'} cannot run on the shift kernels: ${messageOf(e)}`);
      return;
    }
    if (!this.device) {
      const opened = await openShiftDevice();
      if ('note' in opened) {
        this.info = { ...base, shiftAvailable: false, note: opened.note };
        return;
      }
      this.device = opened.device;
      void this.device.lost.then((info) => {
        if (info.reason === 'destroyed') return;
        this.net = null;
        this.device = null;
        this.kernels = null;
        this.info = { ...this.info, shiftAvailable: false, note: `The GPU device of the shift kernels was lost (${info.message || info.reason}): only the float model predicts.` };
        this.onModel(this.info);
      });
    }
    try {
      this.kernels ??= await ShiftKernels.create(this.device);
      const net = await ShiftNetwork.create(this.device, program.layers, program.inputShape, { kernels: this.kernels });
      // One pass now compiles and allocates everything the first real prediction needs.
      await net.forward(new Float32Array(program.inputShape[0] * program.inputShape[1] * program.inputShape[2]), 1);
      this.net?.destroy();
      this.net = net;
      this.info = { ...base, shiftAvailable: true, note: null };
    } catch (e) {
      this.fail(base, `The shift kernels failed to start (${messageOf(e)})`);
    }
  }

  /** A model that cannot run: the previous one stays if there is one, else the demo runs float only. */
  private fail(attempted: DemoModelInfo, why: string): void {
    if (this.net) this.info = { ...this.info, note: `${why}; still running the ${this.info.modelLabel}.` };
    else this.info = { ...attempted, shiftAvailable: false, note: `${why}: only the float model predicts.` };
  }
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
