/**
 * The saved runs as the page sees them: a small zustand store for the runs panel and the compare
 * view, and the actions on it (open into the page's views, continue, rename, delete, compare). It
 * owns the database connection and starts the persistence of the page's runs.
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import { useStore } from 'zustand';
import type { InqClient } from '../worker/client.ts';
import type { PlaygroundStore } from './store.ts';
import { isRunActive, type PlaygroundState } from './types.ts';
import { openRunsDb, RunsDbError, type LoadedRun, type RunMeta, type RunsDb } from './runsDb.ts';
import { persistRuns, type RunsPersistence } from './runsPersist.ts';

/** Most runs compared at once (one colour each). */
export const MAX_COMPARED = 8;

/** State of the runs panel. */
export interface RunsState {
  /** 'opening' until the database answers; 'unavailable' where runs cannot be saved. */
  availability: 'opening' | 'ready' | 'unavailable';
  /** Saved runs, newest first. */
  runs: RunMeta[];
  /** Records skipped as unreadable. */
  problems: string[];
  /** The latest saving or loading problem (the banner shows it); null when none. */
  notice: string | null;
  /** Runs found interrupted (left running by a closed or reloaded tab) when the page opened. */
  interrupted: RunMeta[];
  /** Ids ticked for comparison, in the order ticked. */
  compare: string[];
  /** A run being opened or continued. */
  busy: string | null;
}

/** The part of the page's client the runs need (tests pass a stand-in). */
export type RunsClient = Pick<InqClient, 'continueSaved' | 'activeRunConfig'>;

/** Whether the page can take another run's history now (nothing running or loading). */
export function pageIsIdle(s: PlaygroundState): boolean {
  return s.status === 'ready' || s.status === 'done' || s.status === 'cancelled';
}

/** Whether a saved run can be continued: stopped early with at least one round saved. */
export function canContinueRun(m: RunMeta): boolean {
  return (m.status === 'interrupted' || m.status === 'cancelled' || m.status === 'error') && m.completedRounds > 0 && m.layers.length > 0 && m.floatAccuracy !== null;
}

/** The saved runs and what can be done with them. */
export class SavedRuns {
  readonly store: StoreApi<RunsState> = createStore<RunsState>()(() => ({
    availability: 'opening',
    runs: [],
    problems: [],
    notice: null,
    interrupted: [],
    compare: [],
    busy: null,
  }));
  readonly persistence: RunsPersistence;
  private readonly db: Promise<RunsDb | null>;
  private refreshing: Promise<void> | null = null;
  private refreshAgain = false;

  constructor(
    private readonly page: PlaygroundStore,
    private readonly client: RunsClient,
    opts: { factory?: IDBFactory | null; locks?: LockManager | null } = {},
  ) {
    this.db = openRunsDb(opts.factory === undefined ? globalThis.indexedDB : opts.factory).then(
      (db) => {
        this.store.setState({ availability: 'ready' });
        return db;
      },
      (e: unknown) => {
        const why = e instanceof RunsDbError ? e.message : `Saved runs are not available: ${String(e)}.`;
        this.store.setState({ availability: 'unavailable', notice: `${why} Runs still train and show here; they are not kept after the page closes.` });
        return null;
      },
    );
    this.persistence = persistRuns({
      store: page,
      db: this.db,
      runConfig: () => this.client.activeRunConfig,
      onSaved: () => void this.refresh(),
      onProblem: (message) => this.store.setState({ notice: message }),
      locks: opts.locks,
    });
    void this.persistence.interrupted.then((interrupted) => this.store.setState({ interrupted }));
    void this.refresh();
  }

  /** Reads the list again (coalesced: at most one read in flight, one more queued). */
  refresh(): Promise<void> {
    if (this.refreshing) {
      this.refreshAgain = true;
      return this.refreshing;
    }
    this.refreshing = (async () => {
      do {
        this.refreshAgain = false;
        const db = await this.db;
        if (!db) break;
        try {
          const { runs, problems } = await db.listRuns();
          // A tick names a run, or a repeat's group (its runs are compared as one).
          const ids = new Set(runs.flatMap((r) => (r.repeat ? [r.id, r.repeat.group] : [r.id])));
          this.store.setState((s) => ({
            runs,
            problems,
            compare: s.compare.filter((id) => ids.has(id)),
            interrupted: s.interrupted.filter((m) => ids.has(m.id)).map((m) => runs.find((r) => r.id === m.id) ?? m),
          }));
        } catch (e) {
          this.say(e, 'The saved runs could not be listed');
        }
      } while (this.refreshAgain);
      this.refreshing = null;
    })();
    return this.refreshing;
  }

  /** Renames a run; an empty or unchanged name keeps the old one. Resolves false when refused. */
  async rename(id: string, name: string): Promise<boolean> {
    const db = await this.db;
    if (!db) return false;
    const old = this.store.getState().runs.find((r) => r.id === id);
    if (old && old.name === name.trim()) return true;
    try {
      await db.renameRun(id, name);
      await this.refresh();
      return true;
    } catch (e) {
      this.say(e, 'The run could not be renamed');
      return false;
    }
  }

  /** Deletes a run with its rounds and model (not the one this page is training). */
  async remove(id: string): Promise<boolean> {
    const db = await this.db;
    if (!db) return false;
    const p = this.page.getState();
    if (p.runId === id && isRunActive(p.status)) {
      this.store.setState({ notice: 'That run is training in this page: stop it before deleting it.' });
      return false;
    }
    try {
      await db.deleteRun(id);
      this.store.setState((s) => ({ compare: s.compare.filter((c) => c !== id), interrupted: s.interrupted.filter((m) => m.id !== id) }));
      await this.refresh();
      return true;
    } catch (e) {
      this.say(e, 'The run could not be deleted');
      return false;
    }
  }

  /** Deletes every run of a repeat (not while one of them trains in this page). */
  async removeRepeat(group: string): Promise<boolean> {
    const db = await this.db;
    if (!db) return false;
    const p = this.page.getState();
    const members = this.store.getState().runs.filter((r) => r.repeat?.group === group);
    if (members.some((r) => r.id === p.runId && isRunActive(p.status))) {
      this.store.setState({ notice: 'One of those runs is training in this page: stop it before deleting them.' });
      return false;
    }
    try {
      for (const r of members) await db.deleteRun(r.id);
      const gone = new Set([group, ...members.map((r) => r.id)]);
      this.store.setState((s) => ({ compare: s.compare.filter((c) => !gone.has(c)), interrupted: s.interrupted.filter((m) => !gone.has(m.id)) }));
      await this.refresh();
      return true;
    } catch (e) {
      this.say(e, 'The runs could not be deleted');
      await this.refresh();
      return false;
    }
  }

  private async load(id: string): Promise<LoadedRun | null> {
    const db = await this.db;
    if (!db) return null;
    const run = await db.loadRun(id);
    if (!run) {
      this.store.setState({ notice: 'That run is no longer saved (deleted in another tab?).' });
      await this.refresh();
      return null;
    }
    if (run.problems.length > 0) this.store.setState((s) => ({ problems: [...new Set([...s.problems, ...run.problems])] }));
    return run;
  }

  private async withBusy(id: string, what: string, body: () => Promise<boolean>): Promise<boolean> {
    if (this.store.getState().busy) return false;
    this.store.setState({ busy: id });
    try {
      return await body();
    } catch (e) {
      this.say(e, what);
      return false;
    } finally {
      this.store.setState({ busy: null });
    }
  }

  /** Shows a saved run in every view and the round scrubber (its settings too); nothing trains. */
  open(id: string): Promise<boolean> {
    return this.withBusy(id, 'The run could not be opened', async () => {
      if (!pageIsIdle(this.page.getState())) {
        this.store.setState({ notice: 'Wait until nothing is running or loading, then open the run.' });
        return false;
      }
      const run = await this.load(id);
      if (!run) return false;
      if (!pageIsIdle(this.page.getState())) return false;
      const p = this.page.getState();
      const c = run.meta.config;
      p.setConfig({
        bits: c.bits,
        strategy: c.strategy,
        seed: c.seed,
        epochsPerRound: c.epochsPerRound,
        learningRate: c.learningRate,
        batchSize: c.batchSize,
        trainSize: run.meta.trainSize,
        testSize: run.meta.testSize,
        prune: c.prune ?? 0,
      });
      p.setSchedule(c.schedule);
      p.openSavedRun(run);
      this.dismissInterrupted(id);
      return true;
    });
  }

  /** Continues a stopped run from its last saved round in this page (the worker picks it up; it keeps saving under its id). */
  continueRun(id: string): Promise<boolean> {
    return this.withBusy(id, 'The run could not be continued', async () => {
      const run = await this.load(id);
      if (!run) return false;
      const { meta, rounds } = run;
      if (meta.floatAccuracy === null || meta.layers.length === 0) {
        this.store.setState({ notice: `“${meta.name}” stopped before its first round; start a new run instead.` });
        return false;
      }
      const why = this.client.continueSaved({
        runId: meta.id,
        name: meta.name,
        config: meta.config,
        trainSize: meta.trainSize,
        testSize: meta.testSize,
        modelName: meta.modelName,
        layers: meta.layers,
        floatAccuracy: meta.floatAccuracy,
        floatPredictions: meta.floatPredictions,
        rounds,
      });
      if (why) {
        this.store.setState({ notice: why });
        return false;
      }
      this.dismissInterrupted(id);
      this.store.setState({ notice: null });
      return true;
    });
  }

  /** Ticks or unticks a run (or a repeat, by its group) for the compare view. */
  setCompared(id: string, on: boolean): void {
    this.store.setState((s) => {
      const rest = s.compare.filter((c) => c !== id);
      if (!on) return { compare: rest };
      if (rest.length >= MAX_COMPARED) return { notice: `At most ${MAX_COMPARED} runs can be compared at once; untick one first.` };
      return { compare: [...rest, id] };
    });
  }

  /** Hides the saving/loading notice. */
  dismissNotice(): void {
    this.store.setState({ notice: null });
  }

  /** Hides the interrupted-run message (for one run, or all). */
  dismissInterrupted(id?: string): void {
    this.store.setState((s) => ({ interrupted: id ? s.interrupted.filter((m) => m.id !== id) : [] }));
  }

  private say(e: unknown, fallback: string): void {
    const message = e instanceof RunsDbError ? e.message : `${fallback}: ${e instanceof Error ? e.message : String(e)}.`;
    this.store.setState({ notice: message });
  }
}

let pageRuns: SavedRuns | null = null;

/** Installs the page's saved runs (main.tsx, once). */
export function setPageRuns(runs: SavedRuns): void {
  pageRuns = runs;
}

/** The page's saved runs. */
export function getPageRuns(): SavedRuns {
  if (!pageRuns) throw new Error('the saved runs are not set up');
  return pageRuns;
}

/** React hook over the runs store with a narrow selector. */
export function useRuns<T>(selector: (s: RunsState) => T): T {
  return useStore(getPageRuns().store, selector);
}
