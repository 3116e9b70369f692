/**
 * The INQ worker: loads the backend, MNIST and the pre-trained model, then runs the same engine as
 * the command line. The page only draws; everything heavy happens here.
 */
import * as tf from '@tensorflow/tfjs';
import { initBackend, type BackendChoice } from '../model/backend.ts';
import { WASM_PATHS } from './wasmAssets.ts';
import { concatBytes, ModelFormatError, modelFromArtifacts, modelToArtifacts, parseModelJson, weightPaths, type ModelJson } from '../model/io.ts';
import { MODEL_INFO, isModelName } from '../model/architectures.ts';
import { loadDatasetBrowser } from '../data/browserData.ts';
import { headSubset, pixels, randomSubset, type Dataset, type DatasetSplit } from '../data/dataset.ts';
import { checkSubsetFits, isAllocationFailure, probeSubset, subsetBudget, subsetTooLargeMessage } from './memoryBudget.ts';
import { runInq } from '../engine/session.ts';
import { subsetSeed } from '../engine/config.ts';
import { layerSensitivity, type SensitivityResult } from '../engine/sensitivity.ts';
import { datasetProbabilities, predictClasses } from '../model/evaluate.ts';
import { DATASETS, NUM_CLASSES } from '../data/datasets.ts';
import { RunControl, CancelledError } from '../engine/control.ts';
import { demoTransferables, runModelTransferables, transferablesOf, type DemoResult, type FromWorker, type ModelSummary, type TestImages, type ToWorker } from './protocol.ts';
import { MAX_TEST_IMAGES } from '../engine/results.ts';
import { DigitDemo } from './demo.ts';
import { packModel } from '../model/exportPacked.ts';
import { loadPackedModel, type PackedModel } from '../inq/packedModel.ts';
import { adapterName, runKernelCheck, type KernelCheckSummary } from '../kernels/check.ts';
import { checkByoModel, pickModelFiles, INPUT_SHAPE } from '../model/byoModel.ts';

interface Loaded {
  backend: BackendChoice;
  data: DatasetSplit;
  modelJson: ModelJson;
  weights: ArrayBuffer;
}

let loaded: Loaded | null = null;
let control: RunControl | null = null;
let deviceLost = false;
/** Test hook: bytes a training subset may take, standing in for a smaller device (null: the real one). */
let memoryBudgetOverride: number | null = null;
/** True while a model of the user's is being checked and built: runs wait for it. */
let modelLoading = false;

/** The browser's rough device memory in GiB (Chromium, also in workers), or null. */
function deviceMemoryGiB(): number | null {
  const m = (navigator as { deviceMemory?: unknown }).deviceMemory;
  return typeof m === 'number' ? m : null;
}
/** The draw-a-digit demo, being prepared or ready (prepared after 'ready', so loading is not slowed). */
let demo: Promise<DigitDemo> | null = null;

const post = (msg: FromWorker, transfer: Transferable[] = []): void => self.postMessage(msg, transfer);

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

async function fetchModel(url: string): Promise<{ json: ModelJson; weights: ArrayBuffer }> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`could not fetch the pre-trained model ${url}: HTTP ${res.status}`);
  const json = parseModelJson(await res.text(), url) as ModelJson;
  const base = url.slice(0, url.lastIndexOf('/') + 1);
  const parts = await Promise.all(
    weightPaths(json).map(async (p) => {
      const r = await fetch(base + p);
      if (!r.ok) throw new Error(`could not fetch the model's weights ${p}: HTTP ${r.status}`);
      return new Uint8Array(await r.arrayBuffer());
    }),
  );
  return { json, weights: concatBytes(parts) };
}

/** Watches the WebGPU device: a loss cancels the run and is reported so the page can continue elsewhere. */
function watchDevice(): void {
  if (tf.getBackend() !== 'webgpu') return;
  // The WebGPU backend's device is public in tfjs-backend-webgpu but not in tfjs-core's Backend type.
  const device = (tf.backend() as unknown as { device?: GPUDevice }).device;
  void device?.lost.then((info) => {
    deviceLost = true;
    control?.cancel();
    post({ type: 'error', runId: null, message: `the GPU device was lost (${info.message || info.reason}); completed rounds are kept`, deviceLost: true });
  });
}

async function init(msg: Extract<ToWorker, { type: 'init' }>): Promise<void> {
  post({ type: 'loading', stage: 'backend', fraction: null, text: 'Starting the tfjs backend…' });
  const backend = await initBackend(msg.backend, { node: false, wasmPaths: WASM_PATHS });
  watchDevice();
  post({ type: 'backend', backend });
  const datasetTitle = DATASETS[msg.dataset ?? 'mnist'].title;
  post({ type: 'loading', stage: 'data', fraction: 0, text: `Loading ${datasetTitle}…` });
  const data = await loadDatasetBrowser(msg.dataset ?? 'mnist', msg.dataUrl, (p) => {
    post({ type: 'loading', stage: 'data', fraction: p.totalBytes ? p.loadedBytes / p.totalBytes : null, text: `Loading ${datasetTitle}…` });
  });
  post({ type: 'loading', stage: 'model', fraction: null, text: 'Loading the pre-trained model…' });
  const { json, weights } = await fetchModel(msg.modelUrl);
  const model = await modelFromArtifacts(json, weights, msg.modelUrl);
  const meta = (json.userDefinedMetadata?.inq ?? {}) as { model?: string; testAccuracy?: number };
  const name = meta.model && isModelName(meta.model) ? meta.model : 'lenet5';
  const summary: ModelSummary = {
    name,
    title: MODEL_INFO[name].title,
    params: model.countParams(),
    pretrainedAccuracy: typeof meta.testAccuracy === 'number' ? meta.testAccuracy : null,
    layers: model.layers
      .filter((l) => l.getClassName() === 'Conv2D' || l.getClassName() === 'Dense')
      .map((l) => {
        const shape = l.getWeights()[0].shape;
        return { name: l.name, kind: l.getClassName(), shape, size: shape.reduce((a, b) => a * b, 1) };
      }),
  };
  loaded = { backend, data, modelJson: json, weights };
  // A restarted worker gets the user's model back; if it no longer loads, the built-in one stays.
  let readyModel = summary;
  if (msg.customModel) {
    const files = msg.customModel;
    readyModel = await loadCustomModel(files).catch((e: unknown) => {
      post({ type: 'model-error', loadId: null, fileName: files[0]?.name ?? null, message: customModelMessage(e) });
      return summary;
    });
  }
  post({ type: 'ready', backend, model: readyModel, trainCount: data.train.count, testCount: data.test.count });
  if ((msg.dataset ?? 'mnist') !== 'mnist') {
    model.dispose();
    demo = null;
    post({ type: 'demo-error', id: null, message: `The draw-a-digit demo reads handwritten digits: it runs with the MNIST models, not ${datasetTitle}.` });
    return;
  }
  // The demo keeps this float model for its comparisons.
  demo = DigitDemo.create({
    floatModel: model,
    test: data.test,
    packedUrl: msg.demoModelUrl ?? `${import.meta.env.BASE_URL}models/lenet5-inq5/`,
    title: summary.title,
    onModel: (info) => post({ type: 'demo-model', ...info }),
  });
  demo.catch((e: unknown) => {
    model.dispose();
    post({ type: 'demo-error', id: null, message: `the draw-a-digit demo could not start: ${messageOf(e)}` });
  });
}

/** Answers a demo request; a failure is reported for that request only. */
function demoRequest(id: number, run: (d: DigitDemo) => Promise<DemoResult>): void {
  if (!demo) {
    post({ type: 'demo-error', id, message: 'the worker is not ready yet' });
    return;
  }
  demo
    .then(run)
    .then((r) => post({ type: 'demo-result', ...r }, demoTransferables(r)))
    .catch((e: unknown) => post({ type: 'demo-error', id, message: messageOf(e) }));
}

/**
 * Bring your own model: checks the user's files (sizes first, then model.json against its weights),
 * builds the model with tfjs to be sure, and makes it the model later runs start from. Throws
 * (leaving the model in use untouched) when any step fails.
 */
async function loadCustomModel(files: File[]): Promise<ModelSummary> {
  if (!loaded) throw new Error('the worker is not ready yet');
  const { modelFile, weightFiles } = pickModelFiles(files);
  const text = await modelFile.text();
  const buffers = new Map(await Promise.all(weightFiles.map(async (f) => [f.name, await f.arrayBuffer()] as const)));
  const checked = checkByoModel(text, buffers, modelFile.name);
  const model = await modelFromArtifacts(checked.json, checked.weights.slice(0), modelFile.name);
  try {
    const inShape = model.inputs[0].shape.slice(1);
    const outShape = model.outputs[0].shape.slice(1);
    if (inShape.join() !== INPUT_SHAPE.join() || outShape.join() !== String(NUM_CLASSES)) {
      throw new ModelFormatError(`${modelFile.name}: tfjs built a model from [${inShape.join(', ')}] to [${outShape.join(', ')}]; the datasets need [${INPUT_SHAPE.join(', ')}] to [${NUM_CLASSES}]`);
    }
    // One forward pass on a blank image: a model that cannot run on this backend is refused here, not mid-run.
    const out = tf.tidy(() => model.predict(tf.zeros([1, ...INPUT_SHAPE])) as tf.Tensor);
    const logits = await out.data().finally(() => out.dispose());
    if (!Array.from(logits).every(Number.isFinite)) throw new ModelFormatError(`${modelFile.name}: the model's output on a blank image is not a number: its weights are unusable`);
    const summary: ModelSummary = {
      name: 'custom',
      title: modelFile.name,
      params: model.countParams(),
      pretrainedAccuracy: null,
      layers: checked.layers,
      notes: checked.notes,
    };
    loaded = { ...loaded, modelJson: checked.json, weights: checked.weights };
    return summary;
  } finally {
    model.dispose();
  }
}

/** A refused model's message: a ModelFormatError says what is wrong; anything else is a file that could not be read. */
function customModelMessage(e: unknown): string {
  if (e instanceof ModelFormatError) return e.message;
  return `the model could not be loaded: ${messageOf(e).split('\n')[0].slice(0, 200)}`;
}

async function start(msg: Extract<ToWorker, { type: 'start' }>): Promise<void> {
  if (!loaded) throw new Error('the worker is not ready yet');
  if (control) throw new Error('a run is already in progress');
  if (modelLoading) {
    post({ type: 'error', runId: msg.runId, message: 'a model is still loading: start the run once it is ready', deviceLost: false, recoverable: true });
    return;
  }
  const { data } = loaded;
  // The subset's copy is what a small device cannot hold: refuse it up front with a size that fits,
  // and answer an allocation that fails anyway the same way. The worker stays ready for another run.
  const px = pixels(data.train);
  const tooLarge = checkSubsetFits(msg.trainSize, data.train.count, px, subsetBudget({ deviceMemoryGiB: deviceMemoryGiB(), overrideBytes: memoryBudgetOverride }));
  if (tooLarge) {
    post({ type: 'error', runId: msg.runId, message: tooLarge, deviceLost: false, recoverable: true });
    return;
  }
  let train: Dataset;
  try {
    train = randomSubset(data.train, msg.trainSize, subsetSeed(msg.config));
  } catch (e) {
    if (!isAllocationFailure(e)) throw e;
    post({ type: 'error', runId: msg.runId, message: subsetTooLargeMessage(probeSubset(msg.trainSize, px)), deviceLost: false, recoverable: true });
    return;
  }
  const test = headSubset(data.test, msg.testSize);
  const model = await modelFromArtifacts(loaded.modelJson, loaded.weights.slice(0));
  const ctl = new RunControl();
  control = ctl;
  // Each layer's n1, from the run's 'start' event: the packed codes are offsets from it.
  let n1ByLayer = new Map<string, number>();
  ctl.onStateChange = (state) => post({ type: 'state', runId: msg.runId, state });
  post({ type: 'state', runId: msg.runId, state: 'running' });
  // Set from the engine's callback (an object: TypeScript does not follow assignments made in a closure).
  const lastRound: { answers: Uint8Array | null } = { answers: null };
  try {
    const summary = await runInq({
      model,
      train,
      test,
      config: msg.config,
      control: ctl,
      resume: msg.resume,
      onEvent: (event) => {
        if (event.type === 'start') n1ByLayer = new Map(event.layers.map((l) => [l.name, l.n1]));
        // The last round's answers are the final model's on the run's test images (copied: posting transfers them).
        if (event.type === 'roundEnd') lastRound.answers = event.result.predictions?.slice() ?? null;
        post({ type: 'event', runId: msg.runId, event }, transferablesOf(event));
      },
    });
    // The run's model as files (for saving and export) and, packed, for the demo: made now, while the worker still has it.
    const packedFiles = summary.allLevels
      ? await packModel(model, msg.config.bits, n1ByLayer, model.name).catch((e: unknown) => {
          post({ type: 'demo-error', id: null, message: `the run's model could not be packed: ${messageOf(e)}` });
          return null;
        })
      : null;
    let packed: PackedModel | null = null;
    if (packedFiles) {
      try {
        packed = loadPackedModel(packedFiles.manifest, packedFiles.codes.slice(), 'the run\'s packed model');
      } catch (e) {
        post({ type: 'demo-error', id: null, message: `the run's packed model is not valid: ${messageOf(e)}` });
      }
    }
    const layersFiles = await modelToArtifacts(model, { inq: { model: model.name, quantized: true, config: msg.config, summary } });
    // Its answers on the test images (all of them when asked: a paired comparison on 10,000 images tells far more runs apart).
    const finalTest = msg.finalTestSize && msg.finalTestSize > test.count ? headSubset(data.test, Math.min(msg.finalTestSize, data.test.count)) : test;
    // On the rounds' own test images the last round already scored the final model: no second pass.
    const answers = lastRound.answers;
    const classes = finalTest === test && answers?.length === test.count ? answers : Uint8Array.from(await predictClasses(model, finalTest));
    const predictions = { classes, labels: Uint8Array.from(finalTest.labels) };
    const files = { runId: msg.runId, bits: msg.config.bits, packed: packedFiles, layers: layersFiles, predictions };
    post({ type: 'run-model', ...files }, runModelTransferables(files));
    if (msg.probabilities) {
      const probs = await datasetProbabilities(model, test);
      const labels = test.labels.slice();
      post({ type: 'run-probabilities', runId: msg.runId, probs, labels, classes: test.numClasses }, [probs.buffer, labels.buffer]);
    }
    post({ type: 'state', runId: msg.runId, state: 'done' });
    if (packed) void demo?.then((d) => d.useRunModel(packed)).catch(() => undefined);
  } catch (e) {
    if (deviceLost) return;
    if (e instanceof CancelledError) post({ type: 'state', runId: msg.runId, state: 'cancelled' });
    else post({ type: 'error', runId: msg.runId, message: messageOf(e), deviceLost: false });
  } finally {
    control = null;
    model.dispose();
  }
}

/** Per-layer sensitivity of the loaded pre-trained model, on a copy of it (the runs' model stays untouched). */
async function sensitivity(msg: Extract<ToWorker, { type: 'sensitivity' }>): Promise<SensitivityResult> {
  if (!loaded) throw new Error('the worker is not ready yet');
  if (control) throw new Error('a run is in progress: measure the sensitivity before or after it');
  const test = headSubset(loaded.data.test, msg.testSize);
  const model = await modelFromArtifacts(loaded.modelJson, loaded.weights.slice(0));
  try {
    return await layerSensitivity({
      model,
      test,
      bits: msg.bits,
      levels: msg.levels,
      onLayer: (_row, index, count) => post({ type: 'sensitivity-progress', id: msg.id, done: index + 1, total: count }),
    });
  } finally {
    model.dispose();
  }
}

/** Test images by index as grey bytes (the first channel) with their labels: small, and cheap enough to answer during a run. */
function testImages(indices: readonly number[]): TestImages {
  if (!loaded) throw new Error('the worker is not ready yet');
  const test = loaded.data.test;
  if (indices.length > MAX_TEST_IMAGES) throw new RangeError(`at most ${MAX_TEST_IMAGES} test images at once (asked for ${indices.length})`);
  const [height, width, channels] = test.shape;
  const size = height * width * channels;
  const images = new Uint8Array(indices.length * height * width);
  const labels = new Uint8Array(indices.length);
  indices.forEach((index, k) => {
    if (!Number.isInteger(index) || index < 0 || index >= test.count) throw new RangeError(`test image ${index} does not exist (0–${test.count - 1})`);
    for (let p = 0; p < height * width; p++) images[k * height * width + p] = Math.round(255 * Math.min(1, Math.max(0, test.images[index * size + p * channels])));
    labels[k] = test.labels[index];
  });
  return { images, labels, count: indices.length, height, width };
}

/** Test hook: the shift kernels' parity check on this browser's WebGPU, on a device of its own. */
async function kernelCheck(cases: number, seed: number): Promise<KernelCheckSummary> {
  const adapter = await navigator.gpu?.requestAdapter();
  if (!adapter) throw new Error('no WebGPU adapter in this browser');
  const device = await adapter.requestDevice();
  try {
    return await runKernelCheck(device, cases, seed, adapterName(adapter.info));
  } finally {
    device.destroy();
  }
}

self.onmessage = (ev: MessageEvent<ToWorker>) => {
  const msg = ev.data;
  switch (msg.type) {
    case 'init':
      init(msg).catch((e: unknown) => post({ type: 'error', runId: null, message: messageOf(e), deviceLost: false }));
      break;
    case 'start':
      start(msg).catch((e: unknown) => post({ type: 'error', runId: msg.runId, message: messageOf(e), deviceLost: false }));
      break;
    case 'pause':
      control?.pause();
      break;
    case 'resume':
      control?.resume();
      break;
    case 'step':
      control?.step(msg.unit);
      break;
    case 'cancel':
      control?.cancel();
      break;
    case 'demo-predict':
      demoRequest(msg.id, (d) => d.predict(msg.id, msg.image));
      break;
    case 'demo-predict-test':
      demoRequest(msg.id, (d) => d.predictTest(msg.id, msg.index));
      break;
    case 'sensitivity':
      sensitivity(msg).then(
        (result) => post({ type: 'sensitivity', id: msg.id, result }),
        (e: unknown) => post({ type: 'sensitivity', id: msg.id, result: { error: messageOf(e) } }),
      );
      break;
    case 'test-images': {
      let reply: FromWorker;
      try {
        reply = { type: 'test-images', id: msg.id, result: testImages(msg.indices) };
      } catch (e) {
        reply = { type: 'test-images', id: msg.id, result: { error: messageOf(e) } };
      }
      post(reply, 'error' in reply.result ? [] : [reply.result.images.buffer, reply.result.labels.buffer]);
      break;
    }
    case 'debug-kernel-check':
      kernelCheck(msg.cases, msg.seed).then(
        (result) => post({ type: 'kernel-check', id: msg.id, result }),
        (e: unknown) => post({ type: 'kernel-check', id: msg.id, result: { error: messageOf(e) } }),
      );
      break;
    case 'debug-memory': {
      // Test hook for the leak tests; gc exists only with --js-flags=--expose-gc.
      const gc = (globalThis as { gc?: () => void }).gc;
      gc?.();
      const mem = tf.memory();
      // performance.memory is Chromium's, not in the DOM types.
      const heap = (performance as unknown as { memory?: { usedJSHeapSize?: number } }).memory?.usedJSHeapSize;
      post({ type: 'debug-memory', id: msg.id, numTensors: mem.numTensors, numBytes: mem.numBytes, jsHeapUsed: typeof heap === 'number' ? heap : null, gcRan: gc !== undefined });
      break;
    }
    case 'load-model': {
      const fileName = msg.files.find((f) => f.name.toLowerCase().endsWith('.json'))?.name ?? null;
      if (control || modelLoading || !loaded) {
        const why = !loaded ? 'the worker is not ready yet' : control ? 'a run is in progress: stop it before loading another model' : 'another model is still loading';
        post({ type: 'model-error', loadId: msg.id, fileName, message: why });
        break;
      }
      modelLoading = true;
      const { backend, data } = loaded;
      loadCustomModel(msg.files)
        .then((model) => post({ type: 'ready', backend, model, trainCount: data.train.count, testCount: data.test.count, loadId: msg.id }))
        .catch((e: unknown) => post({ type: 'model-error', loadId: msg.id, fileName, message: customModelMessage(e) }))
        .finally(() => {
          modelLoading = false;
        });
      break;
    }
    case 'debug-memory-budget':
      memoryBudgetOverride = msg.bytes;
      break;
    case 'debug-lose-device': {
      // Test hook for the fault tests: destroy the WebGPU device as a driver reset would.
      const device = (tf.backend() as unknown as { device?: GPUDevice }).device;
      device?.destroy();
      break;
    }
    default: {
      const never: never = msg;
      post({ type: 'error', runId: null, message: `unknown message ${JSON.stringify(never)}`, deviceLost: false });
    }
  }
};
