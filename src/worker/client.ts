/**
 * The page's side of the worker: one object owns it, turns its messages into store updates
 * (throttled for per-batch progress), and on a crash reports it, keeps the history and can start a
 * fresh worker that continues from the last completed round.
 */
import type { PlaygroundStore } from '../store/store.ts';
import type { PlaygroundConfig, PlaygroundState } from '../store/types.ts';
import type { BackendPreference } from '../model/backendPrefs.ts';
import type { InqConfig, InqEvent, LayerInfo, ResumeState, RoundResult } from '../engine/types.ts';
import { DEFAULT_CONFIG, PRUNE_EPOCHS } from '../engine/types.ts';
import { DATASETS, type DatasetName } from '../data/datasets.ts';
import { PRETRAINED, pretrainedById } from '../model/pretrained.ts';
import type { StepUnit } from '../engine/control.ts';
import type { FromWorker, ToWorker, WorkerMemory } from './protocol.ts';
import type { KernelCheckSummary } from '../kernels/check.ts';

/** How often per-batch progress reaches the store, at most. */
export const PROGRESS_THROTTLE_MS = 100;

/** Engine configuration for the playground's settings. */
export function engineConfig(c: PlaygroundConfig): InqConfig {
  return {
    ...DEFAULT_CONFIG,
    bits: c.bits,
    schedule: [...c.schedule],
    strategy: c.strategy,
    seed: c.seed,
    epochsPerRound: c.epochsPerRound,
    learningRate: c.learningRate,
    batchSize: c.batchSize,
    ...(c.prune > 0 ? { prune: c.prune, pruneEpochs: PRUNE_EPOCHS } : {}),
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
  private kernelCheckWaiters: ((r: KernelCheckSummary | { error: string }) => void)[] = [];
  private memoryWaiters: ((m: WorkerMemory) => void)[] = [];
  private demoCounter = 0;
  /** The user's model files in use (sent again when the worker restarts), or null for the built-in model. */
  private customModel: File[] | null = null;
  /** Files of a 'load-model' request in flight, and the status to go back to if they are refused. */
  private pendingModel: { files: File[]; statusBefore: PlaygroundState['status'] } | null = null;

  constructor(
    private readonly store: PlaygroundStore,
    /** `demoModel`: folder of the demo's packed model (the worker's default when absent). */
    private urls: { model: string; data: string; demoModel?: string; dataset?: DatasetName },
    private readonly factory: WorkerFactory = defaultFactory,
  ) {}

  /** Starts (or restarts) the worker with a backend preference. */
  init(backend: BackendPreference = this.store.getState().config.backend): void {
    this.worker?.terminate();
    const w = this.factory();
    this.worker = w;
    w.onmessage = (ev: MessageEvent<FromWorker>) => this.onMessage(ev.data);
    w.onerror = (ev: ErrorEvent) => {
      ev.preventDefault();
      this.onCrash(ev.message || 'the worker stopped unexpectedly');
    };
    w.onmessageerror = () => this.onCrash('a message from the worker could not be read');
    this.store.setState({ status: 'loading', loadingText: 'Starting the worker…', loadingFraction: null, demoModel: null, demoRequestId: null, demoError: null });
    this.pendingModel = null;
    this.store.setState({ modelLoading: false });
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
    if (s.status === 'running' || s.status === 'paused') {
      this.store.setState({ modelError: 'A run is in progress: stop it before loading another model.' });
      return;
    }
    if (s.status === 'loading' || s.status === 'error' || !this.worker) {
      this.store.setState({ modelError: 'The worker is not ready: wait for it to load (or restart it).' });
      return;
    }
    this.pendingModel = { files: [...files], statusBefore: s.status };
    this.store.setState({ modelLoading: true, modelError: null, status: 'loading', loadingText: 'Checking and loading your model…', loadingFraction: null });
    this.send({ type: 'load-model', files: [...files] });
  }

  /** Goes back to the built-in pre-trained model (restarts the worker). */
  useBuiltinModel(): void {
    const s = this.store.getState();
    if (s.status === 'running' || s.status === 'paused') return;
    this.customModel = null;
    this.store.setState({ modelError: null });
    this.init();
  }

  /** Called with each finished run's test-set softmax, for runs started with `probabilities` (the ensemble sweep). */
  onRunProbabilities: ((p: RunProbabilities) => void) | null = null;

  /** Switches to another committed pre-trained model (and its dataset): a fresh worker loads it. Not during a run. */
  usePretrained(id: string, base: string): void {
    const s = this.store.getState();
    if (s.status === 'running' || s.status === 'paused') return;
    const u = pretrainedUrls(id, base);
    this.urls = { ...this.urls, model: u.model, data: u.data, dataset: u.dataset };
    this.init();
  }

  /**
   * Starts a new run with the current configuration; the previous run's history is replaced. Aborting `signal` cancels it.
   * `probabilities`: the worker also sends the final model's test-set softmax (onRunProbabilities).
   */
  start(signal?: AbortSignal, options: { probabilities?: boolean } = {}): void {
    const s = this.store.getState();
    if (s.scheduleError) {
      this.store.setState({ message: `The schedule is not valid: ${s.scheduleError}` });
      return;
    }
    if (s.status === 'running' || s.status === 'paused' || s.status === 'loading') return;
    const runId = `run-${Date.now()}-${++this.runCounter}`;
    this.runConfig = engineConfig(s.config);
    this.store.setState({
      runId,
      status: 'running',
      message: null,
      canContinue: false,
      rounds: [],
      epochLosses: [],
      layers: [],
      summary: null,
      pruning: null,
      runModel: null,
      floatAccuracy: null,
      selectedRound: null,
      progress: { round: 0, rounds: s.config.schedule.length, epoch: 0, epochs: s.config.epochsPerRound, batch: 0, batches: 0, loss: NaN },
    });
    this.send({ type: 'start', runId, config: this.runConfig, trainSize: s.config.trainSize, testSize: s.config.testSize, ...(options.probabilities ? { probabilities: true } : {}) });
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
    this.store.setState({ status: 'running' });
  }

  /** Runs one batch, epoch or round, then pauses; starts a run first if none is going. */
  step(unit: StepUnit): void {
    const s = this.store.getState();
    if (s.status !== 'running' && s.status !== 'paused') {
      this.start();
      if (this.store.getState().status !== 'running') return;
    }
    this.send({ type: 'step', unit });
    this.store.setState({ status: 'running' });
  }

  /** Cancels the run; completed rounds stay in the history. */
  cancel(): void {
    this.send({ type: 'cancel' });
  }

  /** Cancels any run and clears the history. */
  reset(): void {
    const s = this.store.getState();
    if (s.status === 'running' || s.status === 'paused') this.send({ type: 'cancel' });
    this.store.setState({
      status: s.model ? 'ready' : s.status,
      runId: null,
      rounds: [],
      epochLosses: [],
      layers: [],
      summary: null,
      pruning: null,
      runModel: null,
      floatAccuracy: null,
      selectedRound: null,
      progress: null,
      message: null,
      canContinue: false,
    });
  }

  /** After a crash or a lost device: a fresh worker on `backend` continues after the last completed round. */
  continueOn(backend: BackendPreference): void {
    const s = this.store.getState();
    const last = s.rounds.at(-1);
    const config = this.runConfig;
    this.store.getState().setConfig({ backend });
    if (!last || !config || s.floatAccuracy === null) {
      this.afterReady = null;
      this.init(backend);
      return;
    }
    const resume: ResumeState = {
      completedRounds: last.round,
      layers: s.layers,
      weights: last.layers.map((l) => l.weights.slice()),
      frozenRound: last.layers.map((l) => l.frozenRound.slice()),
      floatAccuracy: s.floatAccuracy,
      floatLoss: NaN,
      lastRound: last,
    };
    const runId = s.runId ?? `run-${Date.now()}-${++this.runCounter}`;
    this.afterReady = () => {
      this.store.setState({ status: 'running', message: null, canContinue: false });
      this.send({ type: 'start', runId, config, trainSize: s.config.trainSize, testSize: s.config.testSize, resume });
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
    if (s.status === 'running' || s.status === 'paused') return 'A run is in progress: stop it before continuing another.';
    if (s.status !== 'ready' && s.status !== 'done' && s.status !== 'cancelled') return 'The worker is not ready: wait for it to load (or restart it from the message above).';
    const last = saved.rounds.at(-1);
    if (!last) return `“${saved.name}” has no completed round to continue from; start a new run instead.`;
    const model = s.model;
    if (model && (model.layers.length !== saved.layers.length || model.layers.some((l, i) => l.size !== saved.layers[i].size))) {
      return `“${saved.name}” was made with the model “${saved.modelName}”, whose layers differ from the loaded “${model.name}”.`;
    }
    const config: InqConfig = { ...saved.config, schedule: [...saved.config.schedule] };
    const resume: ResumeState = {
      completedRounds: last.round,
      layers: saved.layers,
      weights: last.layers.map((l) => l.weights.slice()),
      frozenRound: last.layers.map((l) => l.frozenRound.slice()),
      floatAccuracy: saved.floatAccuracy,
      floatLoss: NaN,
      lastRound: last,
    };
    this.runConfig = config;
    s.setConfig({
      bits: config.bits,
      strategy: config.strategy,
      seed: config.seed,
      epochsPerRound: config.epochsPerRound,
      learningRate: config.learningRate,
      batchSize: config.batchSize,
      trainSize: saved.trainSize,
      testSize: saved.testSize,
      prune: config.prune ?? 0,
    });
    s.setSchedule(config.schedule);
    this.store.setState({
      runId: saved.runId,
      status: 'running',
      message: null,
      canContinue: false,
      layers: saved.layers,
      floatAccuracy: saved.floatAccuracy,
      rounds: saved.rounds,
      epochLosses: saved.rounds.flatMap((r) => r.epochLosses.map((loss, i) => ({ round: r.round, epoch: i + 1, loss }))),
      summary: null,
      pruning: null,
      runModel: null,
      selectedRound: null,
      progress: { round: last.round, rounds: config.schedule.length, epoch: 0, epochs: config.epochsPerRound, batch: 0, batches: 0, loss: NaN },
    });
    this.send({ type: 'start', runId: saved.runId, config, trainSize: saved.trainSize, testSize: saved.testSize, resume });
    return null;
  }

  /** Draw-a-digit: classifies a 28×28 image (0–1) with the float and the shift-kernel model; returns the request id. */
  demoPredict(image: Float32Array): number {
    const id = ++this.demoCounter;
    this.store.setState({ demoRequestId: id });
    this.send({ type: 'demo-predict', id, image }, [image.buffer]);
    return id;
  }

  /** Draw-a-digit: classifies MNIST test image `index` (a random one when absent); returns the request id. */
  demoPredictTest(index?: number): number {
    const id = ++this.demoCounter;
    this.store.setState({ demoRequestId: id });
    this.send(index === undefined ? { type: 'demo-predict-test', id } : { type: 'demo-predict-test', id, index });
    return id;
  }

  /** Test hook: runs the shift kernels' parity check in the worker on this browser's WebGPU. */
  debugKernelCheck(cases: number, seed: number): Promise<KernelCheckSummary | { error: string }> {
    return new Promise((resolve) => {
      this.kernelCheckWaiters.push(resolve);
      this.send({ type: 'debug-kernel-check', cases, seed });
    });
  }

  /** Test hook: the worker's tfjs tensors and bytes and its JS heap (after a GC where the browser allows one). */
  debugMemory(): Promise<WorkerMemory> {
    return new Promise((resolve) => {
      this.memoryWaiters.push(resolve);
      this.send({ type: 'debug-memory' });
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

  private send(msg: ToWorker, transfer: Transferable[] = []): void {
    this.worker?.postMessage(msg, transfer);
  }

  private onCrash(message: string): void {
    this.worker?.terminate();
    this.worker = null;
    const hadRun = this.store.getState().rounds.length > 0 || this.store.getState().status === 'running';
    this.store.setState({
      status: 'error',
      message: `The training worker crashed: ${message}. Completed rounds are kept.`,
      canContinue: hadRun,
    });
  }

  private onMessage(msg: FromWorker): void {
    const st = this.store;
    switch (msg.type) {
      case 'loading':
        st.setState({ status: 'loading', loadingText: msg.text, loadingFraction: msg.fraction });
        break;
      case 'backend':
        st.setState({ backend: msg.backend });
        break;
      case 'kernel-check':
        this.kernelCheckWaiters.shift()?.(msg.result);
        break;
      case 'ready':
        // The user's model, loaded now or again after a restart; or the built-in one.
        if (msg.model.name === 'custom') this.customModel = this.pendingModel?.files ?? this.customModel;
        else this.customModel = null;
        this.pendingModel = null;
        st.setState({ status: 'ready', backend: msg.backend, model: msg.model, trainCount: msg.trainCount, testCount: msg.testCount, modelLoading: false });
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
        st.setState({ status: msg.state });
        break;
      case 'error':
        if (msg.runId !== null && msg.runId !== st.getState().runId) break;
        st.setState({
          // A refused run (e.g. a training subset too large for this device) leaves the worker ready: Run works again.
          status: msg.recoverable && !msg.deviceLost ? 'ready' : 'error',
          message: msg.message,
          canContinue: msg.deviceLost || st.getState().rounds.length > 0,
        });
        break;
      case 'debug-memory': {
        const { type: _type, ...memory } = msg;
        this.memoryWaiters.shift()?.(memory);
        break;
      }
      case 'run-probabilities':
        if (msg.runId === st.getState().runId) this.onRunProbabilities?.({ runId: msg.runId, probs: msg.probs, labels: msg.labels, classes: msg.classes });
        break;
      case 'run-model': {
        if (msg.runId !== st.getState().runId) break;
        const { type: _type, ...files } = msg;
        st.setState({ runModel: files });
        break;
      }
      case 'demo-model': {
        const { type: _type, ...info } = msg;
        st.setState({ demoModel: info });
        break;
      }
      case 'demo-result': {
        const { type: _type, ...result } = msg;
        const { modelLabel, shiftAvailable, note, packedBytes, floatBytes, bits } = result;
        st.setState({ demoResult: result, demoModel: { modelLabel, shiftAvailable, note, packedBytes, floatBytes, bits }, demoError: null });
        break;
      }
      case 'demo-error':
        st.setState({ demoError: { id: msg.id, message: msg.message } });
        break;
      case 'model-error': {
        // Refused: back to where the page was; nothing else changes.
        const pending = this.pendingModel;
        this.pendingModel = null;
        st.setState({ modelLoading: false, modelError: msg.message, ...(pending ? { status: pending.statusBefore } : {}) });
        break;
      }
      default: {
        const never: never = msg;
        console.warn('unknown worker message', never);
      }
    }
  }

  private onEvent(e: InqEvent): void {
    const st = this.store;
    switch (e.type) {
      case 'pruneStart':
        st.setState((s) => ({
          floatAccuracy: e.floatAccuracy,
          pruning: { target: e.target, epochs: e.epochs, report: null },
          progress: { ...(s.progress ?? emptyProgress()), round: 0, epoch: 0, epochs: e.epochs, batch: 0 },
        }));
        break;
      case 'pruneEnd':
        this.flushProgress();
        st.setState((s) => ({ pruning: s.pruning ? { ...s.pruning, report: e.report } : { target: e.report.target, epochs: 0, report: e.report } }));
        break;
      case 'start':
        st.setState({ layers: e.layers, floatAccuracy: e.floatAccuracy });
        break;
      case 'roundStart':
        st.setState((s) => ({ progress: { ...(s.progress ?? emptyProgress()), round: e.round, rounds: s.config.schedule.length, epoch: 0, batch: 0 } }));
        break;
      case 'batch':
        this.pendingProgress = e;
        this.progressTimer ??= setTimeout(() => this.flushProgress(), PROGRESS_THROTTLE_MS);
        break;
      case 'epochEnd':
        this.flushProgress();
        st.setState((s) => ({ epochLosses: [...s.epochLosses, { round: e.round, epoch: e.epoch, loss: e.trainLoss }] }));
        break;
      case 'roundEnd':
        this.flushProgress();
        st.setState((s) => ({ rounds: [...s.rounds.filter((r) => r.round !== e.result.round), e.result] }));
        break;
      case 'end':
        st.setState({ summary: e.summary });
        break;
      default: {
        const never: never = e;
        console.warn('unknown engine event', never);
      }
    }
  }

  private flushProgress(): void {
    if (this.progressTimer) clearTimeout(this.progressTimer);
    this.progressTimer = null;
    const e = this.pendingProgress;
    this.pendingProgress = null;
    if (!e) return;
    this.store.setState((s) => ({
      progress: {
        round: e.round,
        rounds: s.config.schedule.length,
        epoch: e.epoch,
        epochs: e.round === 0 ? (s.pruning?.epochs ?? 0) : s.config.epochsPerRound,
        batch: e.batch,
        batches: e.batches,
        loss: e.loss,
      },
    }));
  }
}

function emptyProgress() {
  return { round: 0, rounds: 0, epoch: 0, epochs: 0, batch: 0, batches: 0, loss: NaN };
}
