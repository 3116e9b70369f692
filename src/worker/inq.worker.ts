/**
 * The INQ worker: loads the backend, MNIST and the pre-trained model, then runs the same engine as
 * the command line. The page only draws; everything heavy happens here.
 */
import * as tf from '@tensorflow/tfjs';
import { initBackend, type BackendChoice } from '../model/backend.ts';
import { concatBytes, modelFromArtifacts, modelToArtifacts, parseModelJson, weightPaths, type ModelJson } from '../model/io.ts';
import { MODEL_INFO, isModelName } from '../model/architectures.ts';
import { loadMnistBrowser } from '../data/browserData.ts';
import { headSubset, randomSubset, type DatasetSplit } from '../data/dataset.ts';
import { runInq } from '../engine/session.ts';
import { RunControl, CancelledError } from '../engine/control.ts';
import { demoTransferables, runModelTransferables, transferablesOf, type DemoResult, type FromWorker, type ModelSummary, type ToWorker } from './protocol.ts';
import { DigitDemo } from './demo.ts';
import { packModel } from '../model/exportPacked.ts';
import { loadPackedModel, type PackedModel } from '../inq/packedModel.ts';
import { adapterName, runKernelCheck, type KernelCheckSummary } from '../kernels/check.ts';

interface Loaded {
  backend: BackendChoice;
  data: DatasetSplit;
  modelJson: ModelJson;
  weights: ArrayBuffer;
}

let loaded: Loaded | null = null;
let control: RunControl | null = null;
let deviceLost = false;
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
  const backend = await initBackend(msg.backend, { node: false });
  watchDevice();
  post({ type: 'backend', backend });
  post({ type: 'loading', stage: 'data', fraction: 0, text: 'Loading MNIST…' });
  const data = await loadMnistBrowser(msg.dataUrl, (p) => {
    post({ type: 'loading', stage: 'data', fraction: p.totalBytes ? p.loadedBytes / p.totalBytes : null, text: 'Loading MNIST…' });
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
  post({ type: 'ready', backend, model: summary, trainCount: data.train.count, testCount: data.test.count });
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

async function start(msg: Extract<ToWorker, { type: 'start' }>): Promise<void> {
  if (!loaded) throw new Error('the worker is not ready yet');
  if (control) throw new Error('a run is already in progress');
  const { data } = loaded;
  const model = await modelFromArtifacts(loaded.modelJson, loaded.weights.slice(0));
  const train = randomSubset(data.train, msg.trainSize, msg.config.seed);
  const test = headSubset(data.test, msg.testSize);
  const ctl = new RunControl();
  control = ctl;
  // Each layer's n1, from the run's 'start' event: the packed codes are offsets from it.
  let n1ByLayer = new Map<string, number>();
  ctl.onStateChange = (state) => post({ type: 'state', runId: msg.runId, state });
  post({ type: 'state', runId: msg.runId, state: 'running' });
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
    const files = { runId: msg.runId, bits: msg.config.bits, packed: packedFiles, layers: layersFiles };
    post({ type: 'run-model', ...files }, runModelTransferables(files));
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
    case 'debug-kernel-check':
      kernelCheck(msg.cases, msg.seed).then(
        (result) => post({ type: 'kernel-check', result }),
        (e: unknown) => post({ type: 'kernel-check', result: { error: messageOf(e) } }),
      );
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
