/**
 * Saved runs in IndexedDB (no React), through the `idb` package (promises, `tx.done`, and its
 * blocked / blocking / terminated callbacks): each run's metadata, one record per completed round,
 * and the finished run's model files. Everything read back is validated; a corrupt record is skipped
 * with a message, never a crash. Failures become RunsDbError with a message a user can act on.
 */
import { openDB, type DBSchema, type IDBPDatabase, type IDBPTransaction, type StoreNames } from 'idb';
import type { InqConfig, LayerInfo, RoundResult, RunSummary } from '../engine/types.ts';
import { boundError } from '../engine/config.ts';
import type { RunModelFiles, RunPredictions } from '../engine/results.ts';
import type { RepeatTag } from './types.ts';
import { NUM_CLASSES } from '../data/datasets.ts';

/** Database name and version (bump the version with a migration in `upgrade`). */
export const RUNS_DB_NAME = 'inq-playground-runs';
export const RUNS_DB_VERSION = 1;

const RUNS = 'runs';
const ROUNDS = 'rounds';
const MODELS = 'models';

/** What the object stores hold as written; values read back are `unknown` until validated. */
interface RunsSchema extends DBSchema {
  runs: { key: string; value: RunMeta };
  rounds: { key: [string, number]; value: RoundRecord };
  models: { key: string; value: ModelRecord };
}

type Db = IDBPDatabase<RunsSchema>;
type Store = StoreNames<RunsSchema>;
type Tx<S extends Store[], M extends IDBTransactionMode> = IDBPTransaction<RunsSchema, S, M>;

/** Longest run name kept. */
export const MAX_RUN_NAME = 100;

/** Where a saved run stands: 'interrupted' is a run left 'running' by a closed or reloaded tab. */
export type SavedRunStatus = 'running' | 'done' | 'cancelled' | 'interrupted' | 'error';

const STATUSES: readonly SavedRunStatus[] = ['running', 'done', 'cancelled', 'interrupted', 'error'];

/** One point of a run's accuracy curve, kept in its metadata so lists and comparisons need no round records. */
export interface RoundPoint {
  round: number;
  portion: number;
  accuracy: number;
  loss: number;
}

/** A saved run's metadata. */
export interface RunMeta {
  id: string;
  name: string;
  createdAt: number;
  updatedAt: number;
  status: SavedRunStatus;
  config: InqConfig;
  trainSize: number;
  testSize: number;
  /** The pre-trained model the run quantized. */
  modelName: string;
  /** Empty until the run's 'start' event. */
  layers: LayerInfo[];
  floatAccuracy: number | null;
  /** Every weight snapped at once, no re-training; null in runs saved before it was measured. */
  oneShotAccuracy: number | null;
  completedRounds: number;
  /** Accuracy after each completed round, in round order. */
  history: RoundPoint[];
  finalAccuracy: number | null;
  packedBytes: number | null;
  summary: RunSummary | null;
  /** Why the run stopped, for status 'error'. */
  error: string | null;
  /** The final model's answers on the run's test images (saved with its model); null before that or in older runs. */
  predictions: RunPredictions | null;
  /** One seed of a repeated configuration (its group is listed and compared as one entry); null for a single run. */
  repeat: RepeatTag | null;
  /**
   * The float (pre-trained) model's answers on the run's test images (testSize of them) with their
   * labels, from its 'start' event; null before that, or in runs saved before the page kept them.
   */
  floatPredictions: RunPredictions | null;
}

/** What a new run is saved with. */
export interface NewRun {
  id: string;
  name?: string;
  createdAt?: number;
  config: InqConfig;
  trainSize: number;
  testSize: number;
  modelName: string;
  layers?: LayerInfo[];
  floatAccuracy?: number | null;
  repeat?: RepeatTag | null;
  floatPredictions?: RunPredictions | null;
}

/** Fields of a run's metadata that may be changed after it is created. */
export type RunPatch = Partial<Pick<RunMeta, 'status' | 'layers' | 'floatAccuracy' | 'oneShotAccuracy' | 'floatPredictions' | 'error' | 'name'>>;

/** A run read back: metadata, its valid rounds in order, and what was skipped. */
export interface LoadedRun {
  meta: RunMeta;
  rounds: RoundResult[];
  model: RunModelFiles | null;
  problems: string[];
}

/** A saved-runs failure, with a message meant for the user. */
export class RunsDbError extends Error {
  constructor(
    message: string,
    /** 'unavailable': no IndexedDB here; 'blocked': another tab holds an older version; 'quota': storage full; 'failed': anything else. */
    readonly kind: 'unavailable' | 'blocked' | 'quota' | 'failed',
  ) {
    super(message);
    this.name = 'RunsDbError';
  }
}

interface RoundRecord {
  v: 1;
  runId: string;
  round: number;
  result: RoundResult;
}

interface ModelRecord {
  v: 1;
  runId: string;
  files: RunModelFiles;
}

const errorText = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** Turns a DOMException from IndexedDB into a RunsDbError the user can act on. */
function toRunsDbError(e: unknown, what: string): RunsDbError {
  if (e instanceof RunsDbError) return e;
  const name = (e as { name?: unknown } | null)?.name;
  if (name === 'QuotaExceededError') {
    return new RunsDbError(`The browser's storage for this page is full, so ${what} could not be saved. Delete old runs in the Runs panel to make room.`, 'quota');
  }
  if (name === 'SecurityError' || name === 'InvalidStateError') {
    return new RunsDbError(`Saved runs are not available in this browser window (${errorText(e)}).`, 'unavailable');
  }
  return new RunsDbError(`Could not save or read runs (${what}): ${errorText(e) || 'unknown IndexedDB error'}.`, 'failed');
}

/**
 * Opens (creating or upgrading) the saved-runs database; rejects with a RunsDbError. `factory` is
 * where runs are kept: the page's IndexedDB (idb opens the global `indexedDB`, so it must be that
 * one; tests install a fresh in-memory one as the global), or null where there is none.
 */
export async function openRunsDb(
  factory: IDBFactory | null | undefined = globalThis.indexedDB,
  { name = RUNS_DB_NAME, version = RUNS_DB_VERSION, timeoutMs = 15_000 }: { name?: string; version?: number; timeoutMs?: number } = {},
): Promise<RunsDb> {
  if (!factory || factory !== globalThis.indexedDB) {
    throw new RunsDbError('This browser has no IndexedDB, so runs are not saved; they still run and show here until the page closes.', 'unavailable');
  }
  let runs: RunsDb | null = null;
  let refuse: (e: RunsDbError) => void = () => undefined;
  // Blocked by an older connection in another tab, or no answer in time: runs go on unsaved.
  const refused = new Promise<never>((_, reject) => (refuse = reject));
  const timer = setTimeout(
    () => refuse(new RunsDbError('The saved runs did not open in time (another tab may be upgrading them); runs go on unsaved. Reload to try again.', 'blocked')),
    timeoutMs,
  );
  const opening = openDB<RunsSchema>(name, version, {
    upgrade: (db) => upgrade(db),
    blocked: () => refuse(new RunsDbError('Another tab of the playground has an older version of the saved runs open; close it and reload this page to save runs.', 'blocked')),
    // Another tab wants a newer version: let it, and say why saving stopped here.
    blocking: () => runs?.closeFor('another tab updated the saved runs; reload this page to keep saving'),
    terminated: () => runs?.closeFor('the browser closed the saved runs (storage was cleared or is unavailable)'),
  });
  try {
    runs = new RunsDb(await Promise.race([opening, refused]));
    return runs;
  } catch (e) {
    // A connection that opens after the refusal is closed at once.
    void opening.then(
      (db) => db.close(),
      () => undefined,
    );
    throw toRunsDbError(e, 'opening the saved runs');
  } finally {
    clearTimeout(timer);
  }
}

function upgrade(db: Db): void {
  if (!db.objectStoreNames.contains(RUNS)) db.createObjectStore(RUNS, { keyPath: 'id' });
  if (!db.objectStoreNames.contains(ROUNDS)) db.createObjectStore(ROUNDS, { keyPath: ['runId', 'round'] });
  if (!db.objectStoreNames.contains(MODELS)) db.createObjectStore(MODELS, { keyPath: 'runId' });
}

const roundsOf = (runId: string): IDBKeyRange => IDBKeyRange.bound([runId, 0], [runId, Infinity]);

/** The run-metadata store of a read-write transaction, whichever other stores it spans. */
interface MetaStore {
  get(id: string): Promise<unknown>;
  put(meta: RunMeta): Promise<unknown>;
}

/** The saved runs: one open connection. */
export class RunsDb {
  private closedReason: string | null = null;

  constructor(private readonly db: Db) {}

  /** Stops saving (idb's blocking / terminated callbacks): closes the connection and keeps the reason to tell the user. */
  closeFor(reason: string): void {
    this.closedReason ??= reason;
    this.db.close();
  }

  /** Runs `body` in one transaction; resolves with its result once the transaction commits (`tx.done`), aborts it on a failure. */
  private async tx<S extends Store[], M extends IDBTransactionMode, T>(stores: S, mode: M, what: string, body: (t: Tx<S, M>) => Promise<T>): Promise<T> {
    if (this.closedReason) throw new RunsDbError(`Runs are no longer being saved: ${this.closedReason}.`, 'failed');
    let t: Tx<S, M>;
    try {
      t = this.db.transaction(stores, mode);
    } catch (e) {
      throw toRunsDbError(e, what);
    }
    // Awaited below; this keeps an early rejection (while `body` still awaits) from counting as unhandled.
    t.done.catch(() => undefined);
    try {
      const out = await body(t);
      await t.done;
      return out;
    } catch (e) {
      try {
        t.abort();
      } catch {
        // Already finished or aborted: nothing to undo.
      }
      await t.done.catch(() => undefined);
      throw toRunsDbError(e, what);
    }
  }

  /** Saves a new run's metadata (status 'running'); returns it. */
  async createRun(input: NewRun): Promise<RunMeta> {
    const now = Date.now();
    return this.tx([RUNS], 'readwrite', 'the new run', async (t) => {
      const store = t.objectStore(RUNS);
      let name = input.name?.trim().slice(0, MAX_RUN_NAME);
      if (!name) {
        // "Run N": one more than the highest N in use, so names stay unique after deletions.
        const metas = (await store.getAll()) as unknown[];
        let top = 0;
        for (const m of metas) {
          const k = /^Run (\d+)$/.exec(String((m as { name?: unknown } | null)?.name ?? ''));
          if (k) top = Math.max(top, Number(k[1]));
        }
        name = `Run ${top + 1}`;
      }
      const meta: RunMeta = {
        id: input.id,
        name,
        createdAt: input.createdAt ?? now,
        updatedAt: now,
        status: 'running',
        config: input.config,
        trainSize: input.trainSize,
        testSize: input.testSize,
        modelName: input.modelName,
        layers: input.layers ?? [],
        floatAccuracy: input.floatAccuracy ?? null,
        oneShotAccuracy: null,
        completedRounds: 0,
        history: [],
        finalAccuracy: null,
        packedBytes: null,
        summary: null,
        error: null,
        predictions: null,
        repeat: input.repeat ?? null,
        floatPredictions: input.floatPredictions ?? null,
      };
      await store.put(meta);
      return meta;
    });
  }

  /** The metadata of one run, or null when it is missing or unreadable. */
  async getRun(id: string): Promise<RunMeta | null> {
    return this.tx([RUNS], 'readonly', 'reading a run', async (t) => {
      const raw = await t.objectStore(RUNS).get(id);
      const r = validateMeta(raw);
      return typeof r === 'string' ? null : r;
    });
  }

  private async patchMeta(store: MetaStore, id: string, change: (m: RunMeta) => void): Promise<RunMeta | null> {
    const meta = validateMeta(await store.get(id));
    if (typeof meta === 'string') return null;
    change(meta);
    meta.updatedAt = Date.now();
    await store.put(meta);
    return meta;
  }

  /** Changes fields of a run's metadata; null when the run is not saved (e.g. deleted meanwhile). */
  async updateRun(id: string, patch: RunPatch): Promise<RunMeta | null> {
    return this.tx([RUNS], 'readwrite', 'the run', (t) => this.patchMeta(t.objectStore(RUNS), id, (m) => Object.assign(m, patch)));
  }

  /** Saves a completed round and adds it to the run's accuracy curve; false when the run is not saved (a deleted run stays deleted). */
  async putRound(id: string, result: RoundResult): Promise<boolean> {
    return this.tx([RUNS, ROUNDS], 'readwrite', `round ${result.round}`, async (t) => {
      const meta = await this.patchMeta(t.objectStore(RUNS), id, (m) => {
        const point: RoundPoint = { round: result.round, portion: result.portion, accuracy: result.accuracy, loss: result.loss };
        m.history = [...m.history.filter((p) => p.round !== result.round), point].sort((a, b) => a.round - b.round);
        m.completedRounds = m.history.length;
      });
      if (!meta) return false;
      const record: RoundRecord = { v: 1, runId: id, round: result.round, result };
      await t.objectStore(ROUNDS).put(record);
      return true;
    });
  }

  /** Marks a run done with its summary (final accuracy, packed size). */
  async finishRun(id: string, summary: RunSummary): Promise<RunMeta | null> {
    return this.tx([RUNS], 'readwrite', 'the run\'s summary', (t) =>
      this.patchMeta(t.objectStore(RUNS), id, (m) => {
        m.status = 'done';
        m.summary = summary;
        m.finalAccuracy = summary.finalAccuracy;
        m.packedBytes = summary.packedBytes;
        m.floatAccuracy ??= summary.floatAccuracy;
        m.error = null;
      }),
    );
  }

  /** Saves a finished run's model files; false when the run is not saved. */
  async saveModel(id: string, files: RunModelFiles): Promise<boolean> {
    return this.tx([RUNS, MODELS], 'readwrite', 'the quantized model', async (t) => {
      const meta = await t.objectStore(RUNS).get(id);
      if (meta === undefined) return false;
      const record: ModelRecord = { v: 1, runId: id, files: { ...files, runId: id } };
      await t.objectStore(MODELS).put(record);
      // The answers go on the run's metadata too: the compare view pairs runs from the list alone.
      if (files.predictions) {
        const predictions = files.predictions;
        await this.patchMeta(t.objectStore(RUNS), id, (m) => {
          m.predictions = predictions;
        });
      }
      return true;
    });
  }

  /** Every readable run, newest first, and a message for each record skipped. */
  async listRuns(): Promise<{ runs: RunMeta[]; problems: string[] }> {
    return this.tx([RUNS], 'readonly', 'the list of runs', async (t) => {
      const raws = (await t.objectStore(RUNS).getAll()) as unknown[];
      const runs: RunMeta[] = [];
      const problems: string[] = [];
      for (const raw of raws) {
        const r = validateMeta(raw);
        if (typeof r === 'string') problems.push(`A saved run${describeKey(raw)} could not be read and is skipped: ${r}.`);
        else runs.push(r);
      }
      runs.sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? 1 : -1));
      return { runs, problems };
    });
  }

  /** One run with its valid rounds (in order) and model; null when it is not saved or its metadata is unreadable. */
  async loadRun(id: string): Promise<LoadedRun | null> {
    return this.tx([RUNS, ROUNDS, MODELS], 'readonly', 'reading the run', async (t) => {
      const meta = validateMeta(await t.objectStore(RUNS).get(id));
      if (typeof meta === 'string') return null;
      const problems: string[] = [];
      const raws = (await t.objectStore(ROUNDS).getAll(roundsOf(id))) as unknown[];
      const rounds: RoundResult[] = [];
      for (const raw of raws) {
        const r = validateRoundRecord(raw, meta);
        if (typeof r === 'string') problems.push(`A saved round of “${meta.name}”${roundKey(raw)} could not be read and is skipped: ${r}.`);
        else rounds.push(r);
      }
      rounds.sort((a, b) => a.round - b.round);
      let model: RunModelFiles | null = null;
      const rawModel = await t.objectStore(MODELS).get(id);
      if (rawModel !== undefined) {
        const m = validateModelRecord(rawModel);
        if (typeof m === 'string') problems.push(`The saved model of “${meta.name}” could not be read and is skipped: ${m}.`);
        else model = m;
      }
      return { meta, rounds, model, problems };
    });
  }

  /** Renames a run (trimmed, at most MAX_RUN_NAME characters); refuses an empty name. */
  async renameRun(id: string, name: string): Promise<RunMeta | null> {
    const clean = name.trim().slice(0, MAX_RUN_NAME);
    if (!clean) throw new RunsDbError('A run needs a name: the old one is kept.', 'failed');
    return this.updateRun(id, { name: clean });
  }

  /** Deletes a run with its rounds and model. */
  async deleteRun(id: string): Promise<void> {
    await this.tx([RUNS, ROUNDS, MODELS], 'readwrite', 'deleting the run', async (t) => {
      await t.objectStore(ROUNDS).delete(roundsOf(id));
      await t.objectStore(MODELS).delete(id);
      await t.objectStore(RUNS).delete(id);
    });
  }

  /** On page load: runs left 'running' (except those in `live`, still running in some tab) become 'interrupted'; returns them. */
  async markInterrupted(live: ReadonlySet<string> = new Set()): Promise<RunMeta[]> {
    return this.tx([RUNS], 'readwrite', 'marking interrupted runs', async (t) => {
      const store = t.objectStore(RUNS);
      const raws = (await store.getAll()) as unknown[];
      const out: RunMeta[] = [];
      for (const raw of raws) {
        const m = validateMeta(raw);
        if (typeof m === 'string' || m.status !== 'running' || live.has(m.id)) continue;
        m.status = 'interrupted';
        m.updatedAt = Date.now();
        await store.put(m);
        out.push(m);
      }
      return out;
    });
  }

  /** Closes the connection. */
  close(): void {
    this.closeFor('the saved runs were closed');
  }
}

// ---------------------------------------------------------------------------------------------
// Validation of records read back: each check returns the value or a short reason.

type Obj = Record<string, unknown>;

const isObj = (x: unknown): x is Obj => typeof x === 'object' && x !== null && !Array.isArray(x);
const isNum = (x: unknown): x is number => typeof x === 'number' && !Number.isNaN(x);
const isInt = (x: unknown): x is number => Number.isInteger(x);
const isStr = (x: unknown): x is string => typeof x === 'string';
const isNumOrNull = (x: unknown): x is number | null => x === null || isNum(x);

function describeKey(raw: unknown): string {
  const id = isObj(raw) ? raw.id : undefined;
  return isStr(id) ? ` (id “${id.slice(0, 60)}”)` : '';
}

function roundKey(raw: unknown): string {
  const r = isObj(raw) ? raw.round : undefined;
  return isInt(r) ? ` (round ${r})` : '';
}

/** Checks an InqConfig read back; returns the reason it is unusable, or null. */
export function configProblem(c: unknown): string | null {
  if (!isObj(c)) return 'its configuration is missing';
  if (!isInt(c.bits) || boundError('bits', c.bits) !== null) return 'its bit-width is not 2–8';
  if (!Array.isArray(c.schedule) || c.schedule.length === 0 || !c.schedule.every(isNum)) return 'its schedule is not a list of numbers';
  for (const k of ['epochsPerRound', 'learningRate', 'momentum', 'weightDecay', 'batchSize', 'seed'] as const) {
    if (!isNum(c[k])) return `its ${k} is not a number`;
  }
  if (!isStr(c.strategy) || !isStr(c.optimizer)) return 'its strategy or optimizer is missing';
  return null;
}

function layerProblem(l: unknown, i: number): string | null {
  if (!isObj(l)) return `layer ${i + 1} is not an object`;
  if (!isStr(l.name) || !isStr(l.kind)) return `layer ${i + 1} has no name`;
  if (!Array.isArray(l.shape) || !l.shape.every(isInt)) return `layer ${l.name} has no shape`;
  if (!isInt(l.size) || l.size <= 0) return `layer ${l.name} has no size`;
  if (!isInt(l.n1) || !isInt(l.n2) || !isNum(l.preMaxAbs)) return `layer ${l.name} has no n1/n2`;
  if (!(l.levels instanceof Float32Array)) return `layer ${l.name} has no levels`;
  return null;
}

/**
 * Saved answers, or null (absent or damaged: the run is still usable, just not paired). They cover
 * the run's test subset, or every test image when the run was asked to: at least `testSize`.
 */
function predictionsOf(raw: unknown, testSize: number): RunPredictions | null {
  if (!isObj(raw) || !(raw.classes instanceof Uint8Array) || !(raw.labels instanceof Uint8Array)) return null;
  if (raw.classes.length !== raw.labels.length || raw.classes.length < testSize) return null;
  return { classes: raw.classes, labels: raw.labels };
}

/** A repeat tag read back, or null (absent or damaged: the run then stands alone). */
function repeatOf(raw: unknown): RepeatTag | null {
  if (!isObj(raw) || !isStr(raw.group) || raw.group === '' || !isInt(raw.index) || !isInt(raw.of)) return null;
  if (raw.index < 0 || raw.of < 1 || raw.index >= raw.of) return null;
  return { group: raw.group, index: raw.index, of: raw.of };
}

/** Whether `x` is one class per test image: a Uint8Array of exactly `testSize` values below NUM_CLASSES. */
function isAnswers(x: unknown, testSize: number): x is Uint8Array {
  return x instanceof Uint8Array && x.length === testSize && x.every((v) => v < NUM_CLASSES);
}

/** The float model's saved answers with their labels, or null (absent, as in older runs, or damaged: the run still loads). */
function floatPredictionsOf(raw: unknown, testSize: number): RunPredictions | null {
  if (!isObj(raw) || !isAnswers(raw.classes, testSize) || !isAnswers(raw.labels, testSize)) return null;
  return { classes: raw.classes, labels: raw.labels };
}

/** A run's metadata read back, or the reason it cannot be used. */
export function validateMeta(raw: unknown): RunMeta | string {
  if (raw === undefined) return 'it is missing';
  if (!isObj(raw)) return 'it is not an object';
  if (!isStr(raw.id) || raw.id === '') return 'it has no id';
  if (!isStr(raw.name)) return 'it has no name';
  if (!isNum(raw.createdAt)) return 'it has no date';
  if (!STATUSES.includes(raw.status as SavedRunStatus)) return `its status "${String(raw.status).slice(0, 20)}" is unknown`;
  const cp = configProblem(raw.config);
  if (cp) return cp;
  if (!isInt(raw.trainSize) || !isInt(raw.testSize)) return 'its subset sizes are missing';
  if (!Array.isArray(raw.layers)) return 'its layers are not a list';
  for (let i = 0; i < raw.layers.length; i++) {
    const p = layerProblem(raw.layers[i], i);
    if (p) return p;
  }
  if (!isNumOrNull(raw.floatAccuracy) || !isNumOrNull(raw.finalAccuracy) || !isNumOrNull(raw.packedBytes)) return 'its accuracies or size are not numbers';
  const history = raw.history ?? [];
  if (!Array.isArray(history) || !history.every((p) => isObj(p) && isInt(p.round) && isNum(p.portion) && isNum(p.accuracy) && isNum(p.loss))) {
    return 'its accuracy curve is not a list of rounds';
  }
  const summary = raw.summary ?? null;
  if (summary !== null && !(isObj(summary) && isNum(summary.finalAccuracy) && isNum(summary.packedBytes) && isNum(summary.floatAccuracy))) {
    return 'its summary is incomplete';
  }
  return {
    id: raw.id,
    name: raw.name || 'Unnamed run',
    createdAt: raw.createdAt,
    updatedAt: isNum(raw.updatedAt) ? raw.updatedAt : raw.createdAt,
    status: raw.status as SavedRunStatus,
    config: raw.config as unknown as InqConfig,
    trainSize: raw.trainSize,
    testSize: raw.testSize,
    modelName: isStr(raw.modelName) ? raw.modelName : '',
    layers: raw.layers as LayerInfo[],
    floatAccuracy: raw.floatAccuracy,
    oneShotAccuracy: isNum(raw.oneShotAccuracy) ? raw.oneShotAccuracy : null,
    completedRounds: history.length,
    history: history as RoundPoint[],
    finalAccuracy: raw.finalAccuracy,
    packedBytes: raw.packedBytes,
    summary: summary as RunSummary | null,
    error: isStr(raw.error) ? raw.error : null,
    predictions: predictionsOf(raw.predictions, raw.testSize),
    repeat: repeatOf(raw.repeat),
    floatPredictions: floatPredictionsOf(raw.floatPredictions, raw.testSize),
  };
}

/** A round record read back (checked against the run's layers), or the reason it cannot be used. */
export function validateRoundRecord(raw: unknown, meta: RunMeta): RoundResult | string {
  if (!isObj(raw) || !isObj(raw.result)) return 'it is not a round record';
  const r = raw.result;
  if (!isInt(r.round) || r.round < 1 || r.round !== raw.round) return 'its round number is wrong';
  if (!isNum(r.portion) || !isNum(r.accuracy) || !isNum(r.loss) || !isNum(r.seconds) || !isNum(r.trainSeconds)) return 'its numbers are missing';
  if (!Array.isArray(r.epochLosses) || !r.epochLosses.every(isNum)) return 'its epoch losses are not numbers';
  if (!Array.isArray(r.layers) || r.layers.length === 0) return 'it has no layers';
  if (meta.layers.length > 0 && r.layers.length !== meta.layers.length) return `it has ${r.layers.length} layers, the run ${meta.layers.length}`;
  for (let i = 0; i < r.layers.length; i++) {
    const l: unknown = r.layers[i];
    if (!isObj(l) || !isStr(l.name)) return `layer ${i + 1} is not a layer`;
    if (!(l.weights instanceof Float32Array) || !(l.frozenRound instanceof Uint8Array) || l.weights.length !== l.frozenRound.length) {
      return `layer ${l.name}'s weights or freeze rounds are damaged`;
    }
    const info = meta.layers[i];
    if (info && (info.name !== l.name || info.size !== l.weights.length)) return `layer ${l.name} does not match the run's layer ${info.name}`;
    if (!(l.freeHistogram instanceof Uint32Array) || !(l.levelCounts instanceof Uint32Array)) return `layer ${l.name}'s histograms are damaged`;
    if (!isInt(l.frozenCount) || !isNum(l.histMin) || !isNum(l.histMax)) return `layer ${l.name}'s counts are damaged`;
  }
  if (r.integrity !== undefined && !(isObj(r.integrity) && isInt(r.integrity.moved) && isInt(r.integrity.offLevel))) return 'its integrity check is damaged';
  // The round's answers per test image: absent in older rounds; damaged ones are dropped, the round is kept.
  if (r.predictions !== undefined && !isAnswers(r.predictions, meta.testSize)) {
    const { predictions: _dropped, ...rest } = r;
    return rest as unknown as RoundResult;
  }
  return r as unknown as RoundResult;
}

/** A model record read back, or the reason it cannot be used. */
export function validateModelRecord(raw: unknown): RunModelFiles | string {
  if (!isObj(raw) || !isObj(raw.files)) return 'it is not a model record';
  const f = raw.files;
  if (!isStr(f.runId) || !isInt(f.bits)) return 'its run or bit-width is missing';
  if (!isObj(f.layers) || !isObj(f.layers.json) || !(f.layers.weights instanceof ArrayBuffer)) return 'its Layers model is damaged';
  if (f.packed !== null && !(isObj(f.packed) && isObj(f.packed.manifest) && f.packed.codes instanceof Uint8Array)) return 'its packed codes are damaged';
  return f as unknown as RunModelFiles;
}
