import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../engine/types.ts';
import type { RunModelFiles } from '../engine/results.ts';
import { createPlaygroundStore, type PlaygroundStore } from './store.ts';
import { openRunsDb, RunsDbError, validateMeta, type RunsDb } from './runsDb.ts';
import { persistRuns, RUN_LOCK_PREFIX, type RunsPersistence } from './runsPersist.ts';
import { fakeLayers, fakeRound, fakeSummary, freshIndexedDb } from './runsTestFixtures.ts';

/** A LockManager stand-in: records requests and reports the given names as held by other tabs. */
function fakeLocks(heldElsewhere: string[] = []) {
  const requested: string[] = [];
  const released: string[] = [];
  const locks = {
    query: async () => ({ held: heldElsewhere.map((name) => ({ name, mode: 'exclusive' as const, clientId: 'other' })), pending: [] }),
    request: (name: string, cb: () => Promise<void>) => {
      requested.push(name);
      return cb().then(() => void released.push(name));
    },
  } as unknown as LockManager;
  return { locks, requested, released };
}

const modelFiles = (runId: string): RunModelFiles => ({
  runId,
  bits: 5,
  packed: null,
  layers: { json: { format: 'layers-model' } as unknown as RunModelFiles['layers']['json'], weights: new ArrayBuffer(8) },
});

let db: RunsDb;
let page: PlaygroundStore;
let problems: string[];
let persist: RunsPersistence | null;

beforeEach(async () => {
  db = await openRunsDb(freshIndexedDb());
  page = createPlaygroundStore({ trainSize: 256, testSize: 200, schedule: [0.5, 1] });
  page.setState({ status: 'ready' });
  problems = [];
  persist = null;
});

afterEach(() => {
  persist?.dispose();
  db.close();
});

function start(over: Partial<Parameters<typeof persistRuns>[0]> = {}) {
  persist = persistRuns({ store: page, db: Promise.resolve(db), onProblem: (m) => problems.push(m), locks: null, ...over });
  return persist;
}

/** What InqClient.start does to the store. */
const beginRun = (runId: string) => page.setState({ runId, status: 'running', rounds: [], layers: [], summary: null, runModel: null, floatAccuracy: null });

const addRound = (k: number, accuracy: number) => page.setState((s) => ({ rounds: [...s.rounds, fakeRound(k, accuracy, k / 2)] }));

describe('runsPersist', () => {
  it('saves a run as it happens: created, layers, each round, summary, model, done', async () => {
    const p = start();
    beginRun('r1');
    page.setState({ layers: fakeLayers(), floatAccuracy: 0.98 });
    addRound(1, 0.95);
    await p.flush();
    let saved = await db.loadRun('r1');
    expect(saved!.meta).toMatchObject({ status: 'running', completedRounds: 1, floatAccuracy: 0.98, trainSize: 256, testSize: 200, name: 'Run 1' });
    expect(saved!.meta.config.schedule).toEqual([0.5, 1]);
    expect(saved!.meta.layers.map((l) => l.name)).toEqual(['conv1', 'dense1']);

    addRound(2, 0.97);
    page.setState({ summary: fakeSummary(0.97, 2) });
    page.setState({ runModel: modelFiles('r1') });
    page.setState({ status: 'done' });
    await p.flush();
    saved = await db.loadRun('r1');
    expect(saved!.meta).toMatchObject({ status: 'done', completedRounds: 2, finalAccuracy: 0.97, packedBytes: 700 });
    expect(saved!.rounds.map((r) => r.accuracy)).toEqual([0.95, 0.97]);
    expect(saved!.model?.runId).toBe('r1');
    expect(problems).toEqual([]);
  });

  it('a seed of a repeat is saved with its repeat tag; a single run with none; a damaged tag reads back as none', async () => {
    const p = start();
    page.getState().startRun('r1', page.getState().config, { group: 'repeat-1', index: 1, of: 3 });
    await p.flush();
    expect((await db.getRun('r1'))!.repeat).toEqual({ group: 'repeat-1', index: 1, of: 3 });
    page.getState().startRun('r2', page.getState().config);
    await p.flush();
    expect((await db.getRun('r2'))!.repeat).toBeNull();
    const meta = (await db.getRun('r1'))!;
    for (const bad of [{ group: '', index: 0, of: 2 }, { group: 'g', index: 2, of: 2 }, { group: 'g', index: 0.5, of: 2 }, 'g', null]) {
      const back = validateMeta({ ...meta, repeat: bad });
      expect(typeof back === 'string' ? back : back.repeat, JSON.stringify(bad)).toBeNull();
    }
    // Clearing or opening another run forgets the tag in the page.
    page.getState().clearRun();
    expect(page.getState().repeat).toBeNull();
  });

  it("saves the float model's answers with the layers and each round's answers with the round, and an opened run shows them", async () => {
    const p = start();
    beginRun('r1');
    const answers = (k: number) => Uint8Array.from({ length: 200 }, (_, i) => (i * k) % 10);
    page.setState({ layers: fakeLayers(), floatAccuracy: 0.98, floatPredictions: { classes: answers(7), labels: answers(3) } });
    page.setState((s) => ({ rounds: [...s.rounds, { ...fakeRound(1, 0.95, 0.5), predictions: answers(9) }] }));
    await p.flush();
    const saved = await db.loadRun('r1');
    expect(Array.from(saved!.meta.floatPredictions!.classes)).toEqual(Array.from(answers(7)));
    expect(Array.from(saved!.rounds[0].predictions!)).toEqual(Array.from(answers(9)));
    page.getState().openSavedRun(saved!);
    expect(Array.from(page.getState().floatPredictions!.labels)).toEqual(Array.from(answers(3)));
    expect(Array.from(page.getState().rounds[0].predictions!)).toEqual(Array.from(answers(9)));
  });

  it('uses the exact engine configuration the client started the run with', async () => {
    const p = start({ runConfig: () => ({ ...DEFAULT_CONFIG, schedule: [0.5, 1], optimizer: 'adam', weightDecay: 0 }) });
    beginRun('r1');
    await p.flush();
    expect((await db.getRun('r1'))!.config).toMatchObject({ optimizer: 'adam', weightDecay: 0 });
  });

  it('records cancel, reset mid-run (cancelled) and errors, and a crash continuation back to running', async () => {
    const p = start();
    beginRun('a');
    page.setState({ status: 'paused' });
    page.setState({ status: 'cancelled' });
    await p.flush();
    expect((await db.getRun('a'))!.status).toBe('cancelled');

    beginRun('b');
    addRound(1, 0.9);
    page.setState({ status: 'error', message: 'The training worker crashed: boom. Completed rounds are kept.' });
    await p.flush();
    expect(await db.getRun('b')).toMatchObject({ status: 'error', error: expect.stringMatching(/boom/) });
    // continueOn: a fresh worker loads, then the same run goes on.
    page.setState({ status: 'loading' });
    page.setState({ status: 'ready' });
    page.setState({ status: 'running', message: null });
    await p.flush();
    expect(await db.getRun('b')).toMatchObject({ status: 'running', error: null });

    // Reset while it runs: the page drops it.
    page.setState({ runId: null, rounds: [], status: 'ready' });
    await p.flush();
    expect((await db.getRun('b'))!.status).toBe('cancelled');
    expect((await db.loadRun('b'))!.rounds).toHaveLength(1);
  });

  it('an opened run is not written; continuing it appends only the new rounds under the same id', async () => {
    await db.createRun({ id: 'old', config: { ...DEFAULT_CONFIG, schedule: [0.5, 0.8, 1] }, trainSize: 256, testSize: 200, modelName: 'lenet5', layers: fakeLayers(), floatAccuracy: 0.98 });
    await db.putRound('old', fakeRound(1, 0.9));
    await db.markInterrupted();
    const p = start();
    const loaded = await db.loadRun('old');
    // Open: history shown, nothing running.
    page.setState({ runId: 'old', status: 'cancelled', rounds: loaded!.rounds, layers: loaded!.meta.layers, floatAccuracy: 0.98 });
    await p.flush();
    expect((await db.getRun('old'))!.status).toBe('interrupted');
    // Continue: same id, running.
    page.setState({ status: 'running' });
    page.setState({ layers: fakeLayers() });
    addRound(2, 0.93);
    await p.flush();
    const after = await db.loadRun('old');
    expect(after!.meta).toMatchObject({ status: 'running', completedRounds: 2, name: 'Run 1' });
    expect(after!.meta.config.schedule).toEqual([0.5, 0.8, 1]);
    expect(after!.rounds.map((r) => r.round)).toEqual([1, 2]);
  });

  it('marks runs left running by a closed tab as interrupted, but not one another tab still holds', async () => {
    for (const id of ['gone', 'live']) await db.createRun({ id, config: DEFAULT_CONFIG, trainSize: 256, testSize: 200, modelName: 'lenet5' });
    const { locks } = fakeLocks([RUN_LOCK_PREFIX + 'live']);
    const p = start({ locks });
    expect((await p.interrupted).map((m) => m.id)).toEqual(['gone']);
    expect((await db.getRun('live'))!.status).toBe('running');
  });

  it('holds a lock named after the run while it trains and lets go when it ends', async () => {
    const { locks, requested, released } = fakeLocks();
    const p = start({ locks });
    beginRun('r1');
    expect(requested).toEqual([RUN_LOCK_PREFIX + 'r1']);
    page.setState({ status: 'cancelled' });
    await p.flush();
    await Promise.resolve();
    expect(released).toEqual([RUN_LOCK_PREFIX + 'r1']);
  });

  it('a failed write is said once and never stops the run', async () => {
    const quota = new RunsDbError("The browser's storage for this page is full, so round 1 could not be saved.", 'quota');
    db.putRound = () => Promise.reject(quota);
    const p = start();
    beginRun('r1');
    addRound(1, 0.9);
    addRound(2, 0.91);
    page.setState({ summary: fakeSummary(0.91, 2), status: 'done' });
    await p.flush();
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/storage .* full.*The run itself goes on/);
    expect(page.getState().status).toBe('done');
    expect(page.getState().rounds).toHaveLength(2);
  });

  it('does nothing (and throws nothing) where there is no database', async () => {
    const p = start({ db: Promise.resolve(null) });
    beginRun('r1');
    addRound(1, 0.9);
    await p.flush();
    await expect(p.interrupted).resolves.toEqual([]);
    expect(problems).toEqual([]);
  });
});
