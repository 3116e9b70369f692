/**
 * The page's side of the worker: one object owns it, turns its messages into store updates
 * (throttled for per-batch progress), and on a crash reports it, keeps the history and can start a
 * fresh worker that continues from the last completed round.
 */
import type { PlaygroundStore } from '../store/store.ts';
import type { PlaygroundConfig } from '../store/types.ts';
import type { BackendPreference } from '../model/backendPrefs.ts';
import type { InqConfig, InqEvent, ResumeState } from '../engine/types.ts';
import { DEFAULT_CONFIG } from '../engine/types.ts';
import type { StepUnit } from '../engine/control.ts';
import type { FromWorker, ToWorker } from './protocol.ts';
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
  };
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
  private demoCounter = 0;

  constructor(
    private readonly store: PlaygroundStore,
    /** `demoModel`: folder of the demo's packed model (the worker's default when absent). */
    private readonly urls: { model: string; data: string; demoModel?: string },
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
    this.send({ type: 'init', backend, modelUrl: this.urls.model, dataUrl: this.urls.data, ...(this.urls.demoModel ? { demoModelUrl: this.urls.demoModel } : {}) });
  }

  /** Starts a new run with the current configuration; the previous run's history is replaced. Aborting `signal` cancels it. */
  start(signal?: AbortSignal): void {
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
    this.send({ type: 'start', runId, config: this.runConfig, trainSize: s.config.trainSize, testSize: s.config.testSize });
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
        st.setState({ status: 'ready', backend: msg.backend, model: msg.model, trainCount: msg.trainCount, testCount: msg.testCount });
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
        st.setState({ status: 'error', message: msg.message, canContinue: msg.deviceLost || st.getState().rounds.length > 0 });
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
