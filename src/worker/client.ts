/**
 * The page's side of the worker: transport and worker lifecycle. One object owns the worker, sends
 * it requests (those that expect a reply carry an id), hands its messages to the store's named run
 * actions (src/store/runActions.ts; per-batch progress throttled), and on a crash starts a fresh
 * worker that continues from the last completed round. It never patches the store itself.
 */
import type { PlaygroundStore } from '../store/store.ts';
import { engineConfig, isRunActive, type RepeatTag, type RunStatus } from '../store/types.ts';
import { runBlocked } from '../store/runActions.ts';
import type { BackendPreference } from '../model/backendPrefs.ts';
import type { InqConfig, InqEvent, LayerInfo, ResumeState, RoundResult } from '../engine/types.ts';
import { DATASETS, type DatasetName } from '../data/datasets.ts';
import { PRETRAINED, pretrainedById } from '../model/pretrained.ts';
import type { StepUnit } from '../engine/control.ts';
import type { FromWorker, ToWorker, WorkerMemory } from './protocol.ts';
import type { KernelCheckSummary } from '../kernels/check.ts';
import type { RunPredictions, TestImages } from '../engine/results.ts';
import type { LevelKind } from '../inq/levels.ts';

/** How often per-batch progress reaches the store, at most. */
export const PROGRESS_THROTTLE_MS = 100;

/** The engine's resume point after the last of `rounds` (private copies of its weights and masks). */
function resumeAfter(rounds: readonly RoundResult[], layers: LayerInfo[], floatAccuracy: number, floatPredictions: RunPredictions | null): ResumeState | null {
  const last = rounds.at(-1);
  if (!last) return null;
  return {
    ...(floatPredictions ? { floatPredictions: floatPredictions.classes.slice() } : {}),
    completedRounds: last.round,
    layers,
    weights: last.layers.map((l) => l.weights.slice()),
    frozenRound: last.layers.map((l) => l.frozenRound.slice()),
    floatAccuracy,
    floatLoss: NaN,
    lastRound: last,
  };
}

/** Where the worker finds a committed pre-trained model and its dataset (the demo runs on MNIST only). */
export function pretrainedUrls(id: string, base: string): { model: string; data: string; dataset: DatasetName } {
  const p = pretrainedById(id) ?? PRETRAINED[0];
  return { model: `${base}${p.dir}model.json`, data: `${base}${DATASETS[p.dataset].publicPath}`, dataset: p.dataset };
}

/** A finished run's test-set softmax (see the 'run-probabilities' message). */
export interface RunProbabilities {
  runId: string;
  probs: Float32Array;
  labels: Uint8Array;
  classes: number;
}

/** A saved run to continue after its last completed round (see InqClient.continueSaved). */
export interface SavedRunToContinue {
  runId: string;
  name: string;
  config: InqConfig;
  trainSize: number;
  testSize: number;
  modelName: string;
  layers: LayerInfo[];
  floatAccuracy: number;
  /** The float model's answers on its test images, when saved (else the worker predicts them again). */
  floatPredictions?: RunPredictions | null;
  /** Its completed rounds, in order. */
  rounds: RoundResult[];
}

/** Makes the worker; replaceable so tests can count restarts. */
export type WorkerFactory = () => Worker;

const defaultFactory: WorkerFactory = () => new Worker(new URL('./inq.worker.ts', import.meta.url), { type: 'module', name: 'inq' });

/** Owns the INQ worker for the page. */
export class InqClient {
  private worker: Worker | null = null;
  private pendingProgress: Extract<InqEvent, { type: 'batch' }> | null = null;
  private progressTimer: ReturnType<typeof setTimeout> | null = null;
  private runCounter = 0;
  private afterReady: (() => void) | null = null;
  private runConfig: InqConfig | null = null;
  /** Id of the next request that expects a reply (demo, model loading, test hooks). */
  private nextRequestId = 0;
  /** Replies awaited, by request id; settled with `lost` when the worker goes away first. */
  private waiting = new Map<number, { answer: (msg: FromWorker) => void; lost: () => void }>();
  /** The user's model files in use (sent again when the worker restarts), or null for the built-in model. */
  private customModel: File[] | null = null;
  /** A 'load-model' request in flight: its id, files, and the status to go back to if they are refused. */
  private pendingModel: { id: number; files: File[]; statusBefore: RunStatus } | null = null;

  constructor(
    private readonly store: PlaygroundStore,
    /** `demoModel`: folder of the demo's packed model (the worker's default when absent). */
    private urls: { model: string; data: string; demoModel?: string; dataset?: DatasetName },
    private readonly factory: WorkerFactory = defaultFactory,
  ) {}

  /** Starts (or restarts) the worker with a backend preference. */
  init(backend: BackendPreference = this.store.getState().config.backend): void {
    this.worker?.terminate();
    this.dropWaiting();
    const w = this.factory();
    this.worker = w;
    w.onmessage = (ev: MessageEvent<FromWorker>) => this.onMessage(ev.data);
    w.onerror = (ev: ErrorEvent) => {
      ev.preventDefault();
      this.onCrash(ev.message || 'the worker stopped unexpectedly');
    };
    w.onmessageerror = () => this.onCrash('a message from the worker could not be read');
    this.pendingModel = null;
    this.actions.workerStarting();
    this.send({
      type: 'init',
      backend,
      modelUrl: this.urls.model,
      dataUrl: this.urls.data,
      ...(this.urls.dataset ? { dataset: this.urls.dataset } : {}),
      ...(this.urls.demoModel ? { demoModelUrl: this.urls.demoModel } : {}),
      ...(this.customModel ? { customModel: this.customModel } : {}),
    });
  }

  /**
   * Bring your own model: sends model.json and its weight files to the worker, which checks and
   * builds them. Later runs start from it once the worker answers 'ready'; a refusal is shown next
   * to the picker (`modelError`) and changes nothing else: the model in use and the history stay.
   */
  loadModelFiles(files: File[]): void {
    const s = this.store.getState();
    if (isRunActive(s.status)) {
      this.actions.modelRefused('A run is in progress: stop it before loading another model.');
      return;
    }
    if (s.status === 'loading' || s.status === 'error' || !this.worker) {
      this.actions.modelRefused('The worker is not ready: wait for it to load (or restart it).');
      return;
    }
    const id = ++this.nextRequestId;
    this.pendingModel = { id, files: [...files], statusBefore: s.status };
    this.actions.modelLoadStarted();
    this.send({ type: 'load-model', id, files: [...files] });
  }

  /** Goes back to the built-in pre-trained model (restarts the worker). */
  useBuiltinModel(): void {
    if (isRunActive(this.store.getState().status)) return;
    this.customModel = null;
    this.actions.modelErrorCleared();
    this.init();
  }

  /** Called with each finished run's test-set softmax, for runs started with `probabilities` (the ensemble sweep). */
  onRunProbabilities: ((p: RunProbabilities) => void) | null = null;

  /** Switches to another committed pre-trained model (and its dataset): a fresh worker loads it. Not during a run. */
  usePretrained(id: string, base: string): void {
    if (isRunActive(this.store.getState().status)) return;
    const u = pretrainedUrls(id, base);
    this.urls = { ...this.urls, model: u.model, data: u.data, dataset: u.dataset };
    this.init();
  }

  /**
   * Starts a new run with the current configuration; the previous run's history is replaced. Aborting `signal` cancels it.
   * `probabilities`: the worker also sends the final model's test-set softmax (onRunProbabilities).
   * `repeat`: the run is one seed of a repeated configuration (saved and compared with its group).
   */
  start(signal?: AbortSignal, options: { probabilities?: boolean; repeat?: RepeatTag } = {}): void {
    const s = this.store.getState();
    if (s.scheduleError) {
      this.actions.say(`The schedule is not valid: ${s.scheduleError}`);
      return;
    }
    if (runBlocked(s)) return;
    const runId = `run-${Date.now()}-${++this.runCounter}`;
    this.runConfig = engineConfig(s.config);
    this.actions.startRun(runId, s.config, options.repeat ?? null);
    this.send({
      type: 'start',
      runId,
      config: this.runConfig,
      trainSize: s.config.trainSize,
      testSize: s.config.testSize,
      ...(options.probabilities ? { probabilities: true } : {}),
      ...this.finalTest(),
    });
    signal?.addEventListener(
      'abort',
      () => {
        if (this.store.getState().runId === runId) this.cancel();
      },
      { once: true },
    );
  }

  /** Pauses at the next batch boundary. */
  pause(): void {
    this.send({ type: 'pause' });
  }

  /** Resumes a paused run. */
  resume(): void {
    this.send({ type: 'resume' });
    this.actions.resumeRun();
  }

  /** Runs one batch, epoch or round, then pauses; starts a run first if none is going. */
  step(unit: StepUnit): void {
    if (!isRunActive(this.store.getState().status)) {
      this.start();
      if (this.store.getState().status !== 'running') return;
    }
    this.send({ type: 'step', unit });
    this.actions.resumeRun();
  }

  /** Cancels the run; completed rounds stay in the history. */
  cancel(): void {
    this.send({ type: 'cancel' });
  }

  /** Cancels any run and clears the history. */
  reset(): void {
    if (isRunActive(this.store.getState().status)) this.send({ type: 'cancel' });
    this.actions.clearRun();
  }

  /** After a crash or a lost device: a fresh worker on `backend` continues after the last completed round. */
  continueOn(backend: BackendPreference): void {
    const s = this.store.getState();
    const config = this.runConfig;
    s.setConfig({ backend });
    const resume = config && s.floatAccuracy !== null ? resumeAfter(s.rounds, s.layers, s.floatAccuracy, s.floatPredictions) : null;
    if (!resume || !config) {
      this.afterReady = null;
      this.init(backend);
      return;
    }
    const runId = s.runId ?? `run-${Date.now()}-${++this.runCounter}`;
    this.afterReady = () => {
      this.actions.resumeAfterCrash();
      this.send({ type: 'start', runId, config, trainSize: s.config.trainSize, testSize: s.config.testSize, resume, ...this.finalTest() });
    };
    this.init(backend);
  }

  /** The engine configuration of the current (or last) run, or null before any. */
  get activeRunConfig(): InqConfig | null {
    return this.runConfig;
  }

  /**
   * Continues a saved run (interrupted by a reload, cancelled or failed) after its last completed
   * round, under its own id and settings: its rounds become the page's history, then the worker
   * resumes from the last one. Returns why it cannot, or null once started.
   */
  continueSaved(saved: SavedRunToContinue): string | null {
    const s = this.store.getState();
    if (isRunActive(s.status)) return 'A run is in progress: stop it before continuing another.';
    if (s.status !== 'ready' && s.status !== 'done' && s.status !== 'cancelled') return 'The worker is not ready: wait for it to load (or restart it from the message above).';
    const resume = resumeAfter(saved.rounds, saved.layers, saved.floatAccuracy, saved.floatPredictions ?? null);
    if (!resume) return `“${saved.name}” has no completed round to continue from; start a new run instead.`;
    const model = s.model;
    if (model && (model.layers.length !== saved.layers.length || model.layers.some((l, i) => l.size !== saved.layers[i].size))) {
      return `“${saved.name}” was made with the model “${saved.modelName}”, whose layers differ from the loaded “${model.name}”.`;
    }
    const config: InqConfig = { ...saved.config, schedule: [...saved.config.schedule] };
    this.runConfig = config;
    s.setConfig({
      bits: config.bits,
      strategy: config.strategy,
      seed: config.seed,
      trainSeed: config.trainSeed ?? null,
      epochsPerRound: config.epochsPerRound,
      learningRate: config.learningRate,
      batchSize: config.batchSize,
      trainSize: saved.trainSize,
      testSize: saved.testSize,
      prune: config.prune ?? 0,
    });
    s.setSchedule(config.schedule);
    this.actions.continueRun({
      runId: saved.runId,
      layers: saved.layers,
      floatAccuracy: saved.floatAccuracy,
      floatPredictions: saved.floatPredictions ?? null,
      rounds: saved.rounds,
      totalRounds: config.schedule.length,
      epochsPerRound: config.epochsPerRound,
    });
    this.send({ type: 'start', runId: saved.runId, config, trainSize: saved.trainSize, testSize: saved.testSize, resume, ...this.finalTest() });
    return null;
  }

  /** The start message's final-test field: every test image when the user asked for it. */
  private finalTest(): { finalTestSize?: number } {
    const s = this.store.getState();
    return s.config.finalFull && s.testCount > 0 ? { finalTestSize: s.testCount } : {};
  }

  /** Draw-a-digit: classifies a 28×28 image (0–1) with the float and the shift-kernel model; returns the request id. */
  demoPredict(image: Float32Array): number {
    const id = ++this.nextRequestId;
    this.actions.demoRequested(id);
    this.send({ type: 'demo-predict', id, image }, [image.buffer]);
    return id;
  }

  /** Draw-a-digit: classifies MNIST test image `index` (a random one when absent); returns the request id. */
  demoPredictTest(index?: number): number {
    const id = ++this.nextRequestId;
    this.actions.demoRequested(id);
    this.send(index === undefined ? { type: 'demo-predict-test', id } : { type: 'demo-predict-test', id, index });
    return id;
  }

  /** Per-layer sensitivity of the pre-trained model at `bits` on the first `testSize` test images; the answer goes to the store. */
  sensitivity(bits: number, levels: LevelKind, testSize: number): void {
    const id = this.expectReply(
      (msg) => {
        if (msg.type === 'sensitivity' && !('error' in msg.result)) this.actions.sensitivityAnswered(id, msg.result);
        else this.actions.sensitivityFailed(id, msg.type === 'sensitivity' && 'error' in msg.result ? msg.result.error : `unexpected reply ${msg.type}`);
      },
      () => this.actions.sensitivityFailed(id, 'the worker stopped before answering; measure again once it is ready'),
    );
    this.actions.sensitivityRequested(id, bits, levels, testSize);
    this.send({ type: 'sensitivity', id, bits, levels, testSize });
  }

  /** Pixels and labels of test images by index (e.g. a confusion-matrix cell's), for the caller to draw; rejects with the worker's reason. */
  testImages(indices: readonly number[]): Promise<TestImages> {
    if (!this.worker) return Promise.reject(new Error('the worker is not running'));
    return new Promise((resolve, reject) => {
      const id = this.expectReply(
        (msg) => {
          if (msg.type !== 'test-images') reject(new Error(`unexpected reply ${msg.type}`));
          else if ('error' in msg.result) reject(new Error(msg.result.error));
          else resolve(msg.result);
        },
        () => reject(new Error('the worker stopped before sending the images')),
      );
      this.send({ type: 'test-images', id, indices: [...indices] });
    });
  }

  /** Test hook: runs the shift kernels' parity check in the worker on this browser's WebGPU. */
  debugKernelCheck(cases: number, seed: number): Promise<KernelCheckSummary | { error: string }> {
    return new Promise((resolve) => {
      const id = this.expectReply(
        (msg) => resolve(msg.type === 'kernel-check' ? msg.result : { error: `unexpected reply ${msg.type}` }),
        () => resolve({ error: 'the worker stopped before answering' }),
      );
      this.send({ type: 'debug-kernel-check', id, cases, seed });
    });
  }

  /** Test hook: the worker's tfjs tensors and bytes and its JS heap (after a GC where the browser allows one). */
  debugMemory(): Promise<WorkerMemory> {
    return new Promise((resolve, reject) => {
      const id = this.expectReply(
        (msg) => {
          if (msg.type !== 'debug-memory') return reject(new Error(`unexpected reply ${msg.type}`));
          const { type: _type, id: _id, ...memory } = msg;
          resolve(memory);
        },
        () => reject(new Error('the worker stopped before answering')),
      );
      this.send({ type: 'debug-memory', id });
    });
  }

  /** Test hook: makes the worker treat `bytes` as all the memory a training subset may take (null: the real device). */
  debugMemoryBudget(bytes: number | null): void {
    this.send({ type: 'debug-memory-budget', bytes });
  }

  /** Test hook: destroys the worker's WebGPU device. */
  debugLoseDevice(): void {
    this.send({ type: 'debug-lose-device' });
  }

  /** Test hook: kills the worker as a crash would. */
  debugKillWorker(): void {
    this.worker?.terminate();
    this.onCrash('the worker was stopped');
  }

  /** Stops the worker. */
  dispose(): void {
    this.worker?.terminate();
    this.worker = null;
  }

  private get actions(): ReturnType<PlaygroundStore['getState']> {
    return this.store.getState();
  }

  private send(msg: ToWorker, transfer: Transferable[] = []): void {
    this.worker?.postMessage(msg, transfer);
  }

  /** A new request id whose reply goes to `answer` (or `lost` if the worker stops first). */
  private expectReply(answer: (msg: FromWorker) => void, lost: () => void): number {
    const id = ++this.nextRequestId;
    this.waiting.set(id, { answer, lost });
    return id;
  }

  /** Hands a reply to its request; false when nothing waits for that id. */
  private reply(id: number, msg: FromWorker): boolean {
    const w = this.waiting.get(id);
    if (!w) return false;
    this.waiting.delete(id);
    w.answer(msg);
    return true;
  }

  /** The worker is gone: no reply will come to the requests still waiting. */
  private dropWaiting(): void {
    const lost = [...this.waiting.values()];
    this.waiting.clear();
    for (const w of lost) w.lost();
  }

  private onCrash(message: string): void {
    this.worker?.terminate();
    this.worker = null;
    this.dropWaiting();
    this.actions.workerCrashed(message);
  }

  private onMessage(msg: FromWorker): void {
    const st = this.store;
    switch (msg.type) {
      case 'loading':
        this.actions.workerLoading(msg.text, msg.fraction);
        break;
      case 'backend':
        this.actions.backendChosen(msg.backend);
        break;
      case 'kernel-check':
      case 'sensitivity':
      case 'test-images':
        this.reply(msg.id, msg);
        break;
      case 'sensitivity-progress':
        this.actions.sensitivityProgress(msg.id, msg.done, msg.total);
        break;
      case 'ready':
        // The user's model (the answer to the load-model request `loadId`, or loaded again after a restart); or the built-in one.
        if (msg.model.name === 'custom') this.customModel = msg.loadId !== undefined && msg.loadId === this.pendingModel?.id ? this.pendingModel.files : this.customModel;
        else this.customModel = null;
        if (msg.loadId === undefined || msg.loadId === this.pendingModel?.id) this.pendingModel = null;
        this.actions.workerReady({ backend: msg.backend, model: msg.model, trainCount: msg.trainCount, testCount: msg.testCount });
        if (this.afterReady) {
          const go = this.afterReady;
          this.afterReady = null;
          go();
        }
        break;
      case 'event':
        if (msg.runId === st.getState().runId) this.onEvent(msg.event);
        break;
      case 'state':
        if (msg.runId !== st.getState().runId) break;
        // Show where the run stopped before saying it stopped.
        if (msg.state !== 'running') this.flushProgress();
        if (msg.state === 'paused') this.actions.pauseRun();
        else if (msg.state === 'running') this.actions.resumeRun();
        else this.actions.finishRun(msg.state);
        break;
      case 'error':
        if (msg.runId !== null && msg.runId !== st.getState().runId) break;
        this.actions.failRun({ message: msg.message, recoverable: msg.recoverable === true, deviceLost: msg.deviceLost });
        break;
      case 'debug-memory':
        this.reply(msg.id, msg);
        break;
      case 'run-probabilities':
        if (msg.runId === st.getState().runId) this.onRunProbabilities?.({ runId: msg.runId, probs: msg.probs, labels: msg.labels, classes: msg.classes });
        break;
      case 'run-model': {
        if (msg.runId !== st.getState().runId) break;
        const { type: _type, ...files } = msg;
        this.actions.runModelReady(files);
        break;
      }
      case 'demo-model': {
        const { type: _type, ...info } = msg;
        this.actions.demoModelReady(info);
        break;
      }
      case 'demo-result': {
        const { type: _type, ...result } = msg;
        this.actions.demoAnswered(result);
        break;
      }
      case 'demo-error':
        this.actions.demoFailed(msg.id, msg.message);
        break;
      case 'model-error': {
        // Refused: back to where the page was; nothing else changes. (A null id: the user's model did not load again after a restart.)
        const pending = msg.loadId !== null && msg.loadId === this.pendingModel?.id ? this.pendingModel : null;
        if (pending) this.pendingModel = null;
        this.actions.modelRefused(msg.message, pending?.statusBefore);
        break;
      }
      default: {
        const never: never = msg;
        console.warn('unknown worker message', never);
      }
    }
  }

  private onEvent(e: InqEvent): void {
    if (e.type === 'batch') {
      this.pendingProgress = e;
      this.progressTimer ??= setTimeout(() => this.flushProgress(), PROGRESS_THROTTLE_MS);
      return;
    }
    // Show where the run stood before what ends an epoch, a round or the pruning stage.
    if (e.type === 'epochEnd' || e.type === 'roundEnd' || e.type === 'pruneEnd') this.flushProgress();
    this.actions.runEvent(e);
  }

  private flushProgress(): void {
    if (this.progressTimer) clearTimeout(this.progressTimer);
    this.progressTimer = null;
    const e = this.pendingProgress;
    this.pendingProgress = null;
    if (e) this.actions.progressed(e);
  }
}
