/**
 * Saves the page's run as it happens: a new run → createRun, each completed round → putRound, the
 * summary → finishRun, the model files → saveModel, cancel/error → its status. Writes go through one
 * queue off the store's update path, so saving never blocks or stops the run; a failure is reported
 * once per run and the run goes on unsaved. A run that continues a saved one (same id) is picked up
 * where it stood. While a run is saving, this tab holds a Web Lock named after it, so another tab
 * opening the page does not mistake it for one left behind by a closed tab.
 */
import type { InqConfig, LayerInfo, RoundResult, RunSummary } from '../engine/types.ts';
import type { RunModelFiles } from '../engine/results.ts';
import type { PlaygroundStore } from './store.ts';
import { engineConfig, type PlaygroundState, type RunStatus } from './types.ts';
import { RunsDbError, type RunMeta, type RunsDb, type SavedRunStatus } from './runsDb.ts';

/** Prefix of the Web Lock a tab holds while its run is saving. */
export const RUN_LOCK_PREFIX = 'inq-playground-run:';

/** What persistRuns needs. */
export interface PersistOptions {
  store: PlaygroundStore;
  /** The database, or null where runs cannot be saved (that was already said). */
  db: Promise<RunsDb | null>;
  /** The engine configuration of the run being started (the client knows it exactly); falls back to the page's settings. */
  runConfig?: () => InqConfig | null;
  /** Called after each write, so a runs list can refresh. */
  onSaved?: () => void;
  /** A saving problem, worded for the user. */
  onProblem: (message: string) => void;
  /** Web Locks (navigator.locks); null where there are none. */
  locks?: LockManager | null;
}

/** Handle on the running persistence. */
export interface RunsPersistence {
  /** Runs found left 'running' by a closed tab and marked 'interrupted' when this started. */
  interrupted: Promise<RunMeta[]>;
  /** Resolves once every write queued so far has finished (tests, and before reading back). */
  flush: () => Promise<void>;
  /** Stops following the store. */
  dispose: () => void;
}

interface Tracked {
  id: string;
  /** Saved (created or taken up) and followed from here on. */
  followed: boolean;
  /** Rounds already in the database. */
  saved: Set<number>;
  /** Last status written. */
  status: SavedRunStatus | null;
  layers: LayerInfo[] | null;
  summary: RunSummary | null;
  model: RunModelFiles | null;
  /** A write failed: said once, then quiet. */
  failed: boolean;
  releaseLock: (() => void) | null;
}

/** The saved status a page status means, or null for states that change nothing (loading, ready). */
function savedStatus(status: RunStatus): SavedRunStatus | null {
  switch (status) {
    case 'running':
    case 'paused':
      return 'running';
    case 'cancelled':
      return 'cancelled';
    case 'error':
      return 'error';
    default:
      return null;
  }
}

/** Starts saving the page's runs; first marks runs left running by closed tabs as interrupted. */
export function persistRuns(opts: PersistOptions): RunsPersistence {
  const { store, onProblem } = opts;
  const locks = opts.locks === undefined ? (globalThis.navigator?.locks ?? null) : opts.locks;
  let tracked: Tracked | null = null;

  const interrupted = (async (): Promise<RunMeta[]> => {
    const db = await opts.db;
    if (!db) return [];
    try {
      const live = new Set<string>();
      if (locks) {
        const snap = await locks.query();
        for (const l of snap.held ?? []) if (l.name?.startsWith(RUN_LOCK_PREFIX)) live.add(l.name.slice(RUN_LOCK_PREFIX.length));
      }
      const out = await db.markInterrupted(live);
      if (out.length > 0) opts.onSaved?.();
      return out;
    } catch (e) {
      onProblem(problemText(e, 'Runs left running by a closed tab could not be checked'));
      return [];
    }
  })();

  // Every write waits for the one before it (and for the interrupted-run check).
  let chain: Promise<unknown> = interrupted;
  const enqueue = (t: Tracked, op: (db: RunsDb) => Promise<unknown>): void => {
    chain = chain.then(async () => {
      const db = await opts.db;
      if (!db || t.failed) return;
      try {
        await op(db);
      } catch (e) {
        t.failed = true;
        onProblem(problemText(e, `The run could not be saved`) + ' The run itself goes on; it is just not saved.');
      }
      opts.onSaved?.();
    });
  };

  const hold = (t: Tracked): void => {
    if (!locks || t.releaseLock) return;
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    t.releaseLock = release;
    locks.request(RUN_LOCK_PREFIX + t.id, () => held).catch(() => undefined);
  };
  const unhold = (t: Tracked): void => {
    t.releaseLock?.();
    t.releaseLock = null;
  };

  const writeStatus = (t: Tracked, status: SavedRunStatus, error: string | null = null): void => {
    t.status = status;
    if (status === 'running') hold(t);
    else unhold(t);
    enqueue(t, (db) => db.updateRun(t.id, { status, error }));
  };

  const follow = (t: Tracked, s: PlaygroundState): void => {
    t.followed = true;
    t.status = 'running';
    hold(t);
    const config = opts.runConfig?.() ?? engineConfig(s.config);
    const input = {
      id: t.id,
      config,
      trainSize: s.config.trainSize,
      testSize: s.config.testSize,
      modelName: s.model?.name ?? 'unknown',
      layers: s.layers,
      floatAccuracy: s.floatAccuracy,
      repeat: s.repeat,
      floatPredictions: s.floatPredictions,
    };
    enqueue(t, async (db) => {
      // A continued run is already saved: pick it up; anything else is new.
      if (await db.getRun(t.id)) await db.updateRun(t.id, { status: 'running', error: null });
      else await db.createRun(input);
    });
  };

  const leave = (t: Tracked): void => {
    // The page dropped a run mid-way (Reset, or a new run started): it was cancelled.
    if (t.followed && t.status === 'running') writeStatus(t, 'cancelled');
    unhold(t);
  };

  const sync = (s: PlaygroundState): void => {
    if (s.runId !== (tracked?.id ?? null)) {
      if (tracked) leave(tracked);
      tracked = s.runId
        ? {
            id: s.runId,
            followed: false,
            saved: new Set(s.rounds.map((r) => r.round)),
            status: null,
            layers: s.layers.length > 0 ? s.layers : null,
            summary: s.summary,
            model: s.runModel,
            failed: false,
            releaseLock: null,
          }
        : null;
    }
    const t = tracked;
    if (!t) return;
    if (!t.followed) {
      // Only a run this page trains is saved; an opened one is already in the database as it was.
      if (s.status !== 'running') return;
      follow(t, s);
    }
    if (s.layers.length > 0 && s.layers !== t.layers) {
      t.layers = s.layers;
      // The start event brings the layers with the float model's answers (kept for the confusion matrices).
      const patch = { layers: s.layers, floatAccuracy: s.floatAccuracy, oneShotAccuracy: s.oneShotAccuracy, ...(s.floatPredictions ? { floatPredictions: s.floatPredictions } : {}) };
      enqueue(t, (db) => db.updateRun(t.id, patch));
    }
    for (const r of s.rounds) {
      if (t.saved.has(r.round)) continue;
      t.saved.add(r.round);
      const round: RoundResult = r;
      enqueue(t, (db) => db.putRound(t.id, round));
    }
    if (s.summary && s.summary !== t.summary) {
      const summary = s.summary;
      t.summary = summary;
      t.status = 'done';
      unhold(t);
      enqueue(t, (db) => db.finishRun(t.id, summary));
    }
    if (s.runModel && s.runModel !== t.model && s.runModel.runId === t.id) {
      const files = s.runModel;
      t.model = files;
      enqueue(t, (db) => db.saveModel(t.id, files));
    }
    const status = savedStatus(s.status);
    if (status && status !== t.status && t.status !== 'done') writeStatus(t, status, status === 'error' ? s.message : null);
  };

  sync(store.getState());
  const unsubscribe = store.subscribe((s) => sync(s));
  return {
    interrupted,
    flush: async () => {
      // Writes queued while waiting join the chain; wait until it stops growing.
      let seen: Promise<unknown> | null = null;
      while (seen !== chain) {
        seen = chain;
        await chain;
      }
    },
    dispose: () => {
      unsubscribe();
      if (tracked) unhold(tracked);
    },
  };
}

function problemText(e: unknown, fallback: string): string {
  if (e instanceof RunsDbError) return e.message;
  return `${fallback}: ${e instanceof Error ? e.message : String(e)}.`;
}
