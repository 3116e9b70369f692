import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../engine/types.ts';
import type { RunModelFiles } from '../engine/results.ts';
import { RUNS_DB_NAME, RunsDbError, openRunsDb, type RunsDb } from './runsDb.ts';
import { fakeLayers, fakeRound, fakeSummary as summary, freshIndexedDb } from './runsTestFixtures.ts';

const newRun = (id: string, createdAt = 1000) => ({ id, createdAt, config: { ...DEFAULT_CONFIG }, trainSize: 256, testSize: 200, modelName: 'lenet5' });

let factory: IDBFactory;
let db: RunsDb;

beforeEach(async () => {
  factory = freshIndexedDb();
  db = await openRunsDb(factory);
});

afterEach(() => db.close());

/** Writes a raw record past the API, as a damaged or foreign one would be. */
async function putRaw(store: string, value: unknown): Promise<void> {
  const raw = await new Promise<IDBDatabase>((resolve, reject) => {
    const req = factory.open(RUNS_DB_NAME);
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
  await new Promise<void>((resolve, reject) => {
    const t = raw.transaction(store, 'readwrite');
    t.objectStore(store).put(value);
    t.oncomplete = () => resolve();
    t.onerror = () => reject(t.error);
  });
  raw.close();
}

describe('runsDb', () => {
  it('saves a run round by round and reads it back with typed arrays intact', async () => {
    const meta = await db.createRun(newRun('run-a'));
    expect(meta).toMatchObject({ name: 'Run 1', status: 'running', completedRounds: 0 });
    await db.updateRun('run-a', { layers: fakeLayers(), floatAccuracy: 0.98 });
    expect(await db.putRound('run-a', fakeRound(1, 0.97))).toBe(true);
    expect(await db.putRound('run-a', fakeRound(2, 0.975))).toBe(true);

    const loaded = await db.loadRun('run-a');
    expect(loaded).not.toBeNull();
    expect(loaded!.problems).toEqual([]);
    expect(loaded!.meta.completedRounds).toBe(2);
    expect(loaded!.meta.history.map((p) => p.accuracy)).toEqual([0.97, 0.975]);
    expect(loaded!.rounds.map((r) => r.round)).toEqual([1, 2]);
    const w = loaded!.rounds[1].layers[0].weights;
    expect(w).toBeInstanceOf(Float32Array);
    expect(Array.from(w)).toEqual(Array.from(fakeRound(2, 0).layers[0].weights));
    expect(loaded!.rounds[1].layers[1].frozenRound).toBeInstanceOf(Uint8Array);
    expect(loaded!.meta.layers[0].levels).toBeInstanceOf(Float32Array);
    expect(loaded!.model).toBeNull();
  });

  it('a re-sent round replaces the earlier record instead of adding one', async () => {
    await db.createRun(newRun('run-a'));
    await db.putRound('run-a', fakeRound(1, 0.9));
    await db.putRound('run-a', fakeRound(1, 0.95));
    const loaded = await db.loadRun('run-a');
    expect(loaded!.rounds.map((r) => r.accuracy)).toEqual([0.95]);
    expect(loaded!.meta.completedRounds).toBe(1);
  });

  it('finishRun records the final accuracy and packed size; saveModel keeps the files', async () => {
    await db.createRun(newRun('run-a'));
    await db.putRound('run-a', fakeRound(1, 0.97));
    const done = await db.finishRun('run-a', summary(0.981));
    expect(done).toMatchObject({ status: 'done', finalAccuracy: 0.981, packedBytes: 700 });
    const files: RunModelFiles = {
      runId: 'whatever',
      bits: 5,
      packed: { manifest: { format: 'inq-packed' } as unknown as NonNullable<RunModelFiles['packed']>['manifest'], codes: new Uint8Array([1, 2, 3]) },
      layers: { json: { format: 'layers-model' } as unknown as RunModelFiles['layers']['json'], weights: new Float32Array([1, 2]).buffer },
    };
    expect(await db.saveModel('run-a', files)).toBe(true);
    const loaded = await db.loadRun('run-a');
    expect(loaded!.model?.runId).toBe('run-a');
    expect(Array.from(loaded!.model!.packed!.codes)).toEqual([1, 2, 3]);
    expect(new Float32Array(loaded!.model!.layers.weights)).toEqual(new Float32Array([1, 2]));
  });

  it("saveModel puts the final model's answers on the run's metadata; answers that do not fit its test size are dropped, not the run", async () => {
    await db.createRun(newRun('p'));
    const testSize = (await db.listRuns()).runs[0].testSize;
    const classes = Uint8Array.from({ length: testSize }, (_, i) => (i * 7) % 10);
    const labels = Uint8Array.from({ length: testSize }, (_, i) => (i * 3) % 10);
    const layers = { json: { format: 'layers-model' } as unknown as RunModelFiles['layers']['json'], weights: new ArrayBuffer(4) };
    expect((await db.listRuns()).runs[0].predictions).toBeNull();
    expect(await db.saveModel('p', { runId: 'p', bits: 5, packed: null, layers, predictions: { classes, labels } })).toBe(true);
    const [meta] = (await db.listRuns()).runs;
    expect(Array.from(meta.predictions!.classes)).toEqual(Array.from(classes));
    expect(Array.from(meta.predictions!.labels)).toEqual(Array.from(labels));
    // One answer short of the test size: the run still lists, without answers.
    await db.saveModel('p', { runId: 'p', bits: 5, packed: null, layers, predictions: { classes: classes.slice(1), labels: labels.slice(1) } });
    const { runs, problems } = await db.listRuns();
    expect(problems).toEqual([]);
    expect(runs[0].predictions).toBeNull();
  });

  it("keeps the float model's answers and each round's, typed and checked; runs and rounds saved before them, or with damaged ones, still load without them", async () => {
    await db.createRun(newRun('c'));
    const testSize = 200;
    const answers = (k: number) => Uint8Array.from({ length: testSize }, (_, i) => (i * k) % 10);
    await db.updateRun('c', { layers: fakeLayers(), floatAccuracy: 0.98, floatPredictions: { classes: answers(7), labels: answers(3) } });
    await db.putRound('c', { ...fakeRound(1, 0.9), predictions: answers(5) });
    await db.putRound('c', fakeRound(2, 0.95)); // as saved before the page kept answers
    await db.putRound('c', { ...fakeRound(3, 0.96), predictions: answers(5).slice(1) }); // one short: damaged
    let loaded = await db.loadRun('c');
    expect(loaded!.problems).toEqual([]);
    expect(loaded!.meta.floatPredictions!.classes).toBeInstanceOf(Uint8Array);
    expect(Array.from(loaded!.meta.floatPredictions!.classes)).toEqual(Array.from(answers(7)));
    expect(Array.from(loaded!.meta.floatPredictions!.labels)).toEqual(Array.from(answers(3)));
    expect(loaded!.rounds.map((r) => r.round)).toEqual([1, 2, 3]);
    expect(Array.from(loaded!.rounds[0].predictions!)).toEqual(Array.from(answers(5)));
    expect(loaded!.rounds[1].predictions).toBeUndefined();
    expect(loaded!.rounds[2].predictions).toBeUndefined();
    expect(loaded!.rounds[2].accuracy).toBe(0.96);

    // A run saved before: no field at all. And damaged answers: a class out of range, or the wrong type.
    await db.createRun(newRun('old'));
    expect((await db.loadRun('old'))!.meta.floatPredictions).toBeNull();
    const bad = answers(7);
    bad[5] = 12;
    await db.updateRun('c', { floatPredictions: { classes: bad, labels: answers(3) } });
    expect((await db.loadRun('c'))!.meta.floatPredictions).toBeNull();
    await db.updateRun('c', { floatPredictions: { classes: Array.from(answers(7)), labels: answers(3) } as unknown as { classes: Uint8Array; labels: Uint8Array } });
    loaded = await db.loadRun('c');
    expect(loaded!.meta.floatPredictions).toBeNull();
    expect(loaded!.meta.status).toBe('running');
    await putRaw('rounds', { v: 1, runId: 'c', round: 4, result: { ...fakeRound(4, 0.97), predictions: 'lots' } });
    loaded = await db.loadRun('c');
    expect(loaded!.rounds.map((r) => r.round)).toEqual([1, 2, 3, 4]);
    expect(loaded!.rounds[3].predictions).toBeUndefined();
  });

  it('lists runs newest first and names new ones Run N after the highest N', async () => {
    await db.createRun(newRun('a', 1));
    await db.createRun(newRun('b', 2));
    await db.renameRun('a', '  tuned  ');
    await db.createRun(newRun('c', 3));
    const { runs, problems } = await db.listRuns();
    expect(problems).toEqual([]);
    expect(runs.map((r) => [r.id, r.name])).toEqual([
      ['c', 'Run 3'],
      ['b', 'Run 2'],
      ['a', 'tuned'],
    ]);
  });

  it('refuses an empty name and keeps the old one', async () => {
    await db.createRun(newRun('a'));
    await expect(db.renameRun('a', '   ')).rejects.toBeInstanceOf(RunsDbError);
    expect((await db.getRun('a'))?.name).toBe('Run 1');
  });

  it('deleteRun removes the metadata, every round and the model, and leaves other runs alone', async () => {
    await db.createRun(newRun('a'));
    await db.createRun(newRun('ab'));
    for (const id of ['a', 'ab']) {
      await db.putRound(id, fakeRound(1, 0.9));
      await db.putRound(id, fakeRound(2, 0.91));
    }
    await db.saveModel('a', { runId: 'a', bits: 5, packed: null, layers: { json: { format: 'layers-model' } as never, weights: new ArrayBuffer(4) } });
    await db.deleteRun('a');
    expect(await db.loadRun('a')).toBeNull();
    expect((await db.listRuns()).runs.map((r) => r.id)).toEqual(['ab']);
    expect((await db.loadRun('ab'))!.rounds).toHaveLength(2);
    // A round arriving for a deleted run does not bring it back.
    expect(await db.putRound('a', fakeRound(3, 0.92))).toBe(false);
    expect(await db.saveModel('a', { runId: 'a', bits: 5, packed: null, layers: { json: {} as never, weights: new ArrayBuffer(4) } })).toBe(false);
    expect(await db.loadRun('a')).toBeNull();
  });

  it('marks runs left running as interrupted on load, except live ones, keeping their rounds', async () => {
    await db.createRun(newRun('left'));
    await db.putRound('left', fakeRound(1, 0.9));
    await db.createRun(newRun('live'));
    await db.createRun(newRun('fin'));
    await db.finishRun('fin', summary(0.99));
    const marked = await db.markInterrupted(new Set(['live']));
    expect(marked.map((m) => m.id)).toEqual(['left']);
    const { runs } = await db.listRuns();
    expect(Object.fromEntries(runs.map((r) => [r.id, r.status]))).toEqual({ left: 'interrupted', live: 'running', fin: 'done' });
    expect((await db.loadRun('left'))!.rounds).toHaveLength(1);
  });

  it('skips a corrupt run or round with a message instead of failing', async () => {
    await db.createRun(newRun('good'));
    await db.updateRun('good', { layers: fakeLayers() });
    await db.putRound('good', fakeRound(1, 0.9));
    await db.putRound('good', fakeRound(2, 0.91));
    await putRaw('runs', { id: 'bad', name: 'broken', createdAt: 5, status: 'running', config: { bits: 'five' } });
    await putRaw('runs', { id: 'weird', name: 'x', createdAt: 6, status: 'exploded' });
    const broken = fakeRound(2, 0.91);
    (broken.layers[0] as { weights: unknown }).weights = [1, 2, 3];
    await putRaw('rounds', { v: 1, runId: 'good', round: 2, result: broken });
    await putRaw('rounds', { v: 1, runId: 'good', round: 3, result: 'garbage' });
    await putRaw('models', { v: 1, runId: 'good', files: { runId: 'good', bits: 5, packed: null, layers: { json: {}, weights: 'nope' } } });

    const { runs, problems } = await db.listRuns();
    expect(runs.map((r) => r.id)).toEqual(['good']);
    expect(problems).toHaveLength(2);
    expect(problems.join(' ')).toMatch(/“bad”.*bit-width/);
    expect(problems.join(' ')).toMatch(/status "exploded"/);

    const loaded = await db.loadRun('good');
    expect(loaded!.rounds.map((r) => r.round)).toEqual([1]);
    expect(loaded!.model).toBeNull();
    expect(loaded!.problems).toHaveLength(3);
    expect(loaded!.problems[0]).toMatch(/round 2.*weights or freeze rounds are damaged/);
    // markInterrupted walks past the corrupt record too.
    await expect(db.markInterrupted()).resolves.toHaveLength(1);
  });

  it('a round whose layers do not match the run is skipped', async () => {
    await db.createRun(newRun('a'));
    const other = fakeLayers();
    other[1] = { ...other[1], size: 7 };
    await db.updateRun('a', { layers: other });
    await db.putRound('a', fakeRound(1, 0.9));
    const loaded = await db.loadRun('a');
    expect(loaded!.rounds).toEqual([]);
    expect(loaded!.problems[0]).toMatch(/does not match/);
  });

  it('says clearly when IndexedDB is missing, and when another tab blocks the upgrade', async () => {
    await expect(openRunsDb(null)).rejects.toMatchObject({ kind: 'unavailable', message: expect.stringMatching(/no IndexedDB.*not saved/) });
    // An old connection that ignores versionchange blocks an upgrade.
    const f = freshIndexedDb();
    const old = await new Promise<IDBDatabase>((resolve) => {
      const req = f.open(RUNS_DB_NAME, 1);
      req.onsuccess = () => resolve(req.result);
    });
    await expect(openRunsDb(f, { version: 2 })).rejects.toMatchObject({ kind: 'blocked', message: expect.stringMatching(/Another tab/) });
    old.close();
  });

  it('lets another tab upgrade (idb\'s blocking callback) and then says why saving stopped', async () => {
    await db.createRun(newRun('a'));
    const newer = await new Promise<IDBDatabase>((resolve, reject) => {
      const req = factory.open(RUNS_DB_NAME, 2);
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
    await expect(db.createRun(newRun('b'))).rejects.toMatchObject({ message: expect.stringMatching(/another tab updated the saved runs; reload/) });
    newer.close();
  });

  it('turns a full quota into a message that says what to do', async () => {
    await db.createRun(newRun('a'));
    const fullTx = Object.create(db) as RunsDb;
    // Simulate the browser refusing the write the way a full disk does.
    const quota = Object.assign(new Error('quota exceeded'), { name: 'QuotaExceededError' });
    (fullTx as unknown as { patchMeta: () => Promise<never> }).patchMeta = () => Promise.reject(quota);
    const err = await fullTx.putRound('a', fakeRound(1, 0.9)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RunsDbError);
    expect(err).toMatchObject({ kind: 'quota', message: expect.stringMatching(/storage .* is full.*Delete old runs/) });
    // Nothing half-written: the transaction was aborted.
    expect((await db.loadRun('a'))!.rounds).toEqual([]);
  });
});
