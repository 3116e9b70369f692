import 'fake-indexeddb/auto';
import { beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, type InqConfig } from '../engine/types.ts';
import type { SavedRunToContinue } from '../worker/client.ts';
import { createPlaygroundStore, type PlaygroundStore } from './store.ts';
import { openRunsDb } from './runsDb.ts';
import { canContinueRun, SavedRuns, MAX_COMPARED } from './runsStore.ts';
import { fakeLayers, fakeRound, fakeSummary, freshIndexedDb } from './runsTestFixtures.ts';

/** Stands in for InqClient: records what it was asked to continue, refuses when told to. */
function fakeClient(refuse: string | null = null) {
  const continued: SavedRunToContinue[] = [];
  return {
    continued,
    client: {
      activeRunConfig: null as InqConfig | null,
      continueSaved: (r: SavedRunToContinue) => {
        continued.push(r);
        return refuse;
      },
    },
  };
}

let factory: IDBFactory;
let page: PlaygroundStore;

beforeEach(() => {
  factory = freshIndexedDb();
  page = createPlaygroundStore();
  page.setState({ status: 'ready' });
});

/** Saves a run straight into the database: `rounds` rounds of a 3-round schedule, then the status. */
async function seed(id: string, rounds: number, status: 'done' | 'interrupted' | 'running', createdAt: number) {
  const db = await openRunsDb(factory);
  await db.createRun({ id, createdAt, config: { ...DEFAULT_CONFIG, bits: 4, schedule: [0.3, 0.7, 1], seed: 9 }, trainSize: 512, testSize: 300, modelName: 'lenet5', layers: fakeLayers(), floatAccuracy: 0.98 });
  for (let k = 1; k <= rounds; k++) await db.putRound(id, fakeRound(k, 0.9 + k / 100, [0.3, 0.7, 1][k - 1]));
  if (status === 'done') await db.finishRun(id, fakeSummary(0.93, 3));
  else if (status !== 'running') await db.updateRun(id, { status });
  db.close();
}

async function ready(runs: SavedRuns) {
  await runs.persistence.interrupted;
  await runs.refresh();
}

describe('SavedRuns', () => {
  it('lists saved runs and which were interrupted when the page opened', async () => {
    await seed('a', 3, 'done', 1);
    const db = await openRunsDb(factory);
    await db.createRun({ id: 'b', createdAt: 2, config: DEFAULT_CONFIG, trainSize: 256, testSize: 200, modelName: 'lenet5', layers: fakeLayers(), floatAccuracy: 0.98 });
    await db.putRound('b', fakeRound(1, 0.9));
    db.close();
    const runs = new SavedRuns(page, fakeClient().client, { factory, locks: null });
    await ready(runs);
    const s = runs.store.getState();
    expect(s.availability).toBe('ready');
    expect(s.runs.map((r) => [r.id, r.status])).toEqual([
      ['b', 'interrupted'],
      ['a', 'done'],
    ]);
    expect(s.interrupted.map((r) => r.id)).toEqual(['b']);
    expect(canContinueRun(s.runs[0])).toBe(true);
    expect(canContinueRun(s.runs[1])).toBe(false);
  });

  it('open shows a saved run in the page: settings, rounds, summary; nothing running', async () => {
    await seed('a', 3, 'done', 1);
    const runs = new SavedRuns(page, fakeClient().client, { factory, locks: null });
    await ready(runs);
    expect(await runs.open('a')).toBe(true);
    const s = page.getState();
    expect(s.status).toBe('done');
    expect(s.runId).toBe('a');
    expect(s.rounds.map((r) => r.round)).toEqual([1, 2, 3]);
    expect(s.rounds[0].layers[0].weights).toBeInstanceOf(Float32Array);
    expect(s.summary?.finalAccuracy).toBe(0.93);
    expect(s.layers.map((l) => l.name)).toEqual(['conv1', 'dense1']);
    expect(s.config).toMatchObject({ bits: 4, schedule: [0.3, 0.7, 1], seed: 9, trainSize: 512, testSize: 300 });
    expect(s.scheduleText).toBe('0.3,0.7,1');
    expect(s.progress).toMatchObject({ round: 3, rounds: 3 });
    expect(s.epochLosses).toHaveLength(3);
  });

  it('an interrupted run opens as stopped, and is refused while the page trains', async () => {
    await seed('b', 1, 'interrupted', 1);
    const runs = new SavedRuns(page, fakeClient().client, { factory, locks: null });
    await ready(runs);
    page.setState({ status: 'running', runId: 'other' });
    expect(await runs.open('b')).toBe(false);
    expect(runs.store.getState().notice).toMatch(/nothing is running/);
    page.setState({ status: 'done' });
    expect(await runs.open('b')).toBe(true);
    expect(page.getState()).toMatchObject({ status: 'cancelled', runId: 'b' });
    expect(page.getState().rounds).toHaveLength(1);
  });

  it('continue hands the saved rounds, settings and layers to the client, and shows its refusal', async () => {
    // Left running by a tab that closed: found interrupted when this page opens.
    await seed('b', 2, 'running', 1);
    const ok = fakeClient();
    const runs = new SavedRuns(page, ok.client, { factory, locks: null });
    await ready(runs);
    expect(runs.store.getState().interrupted).toHaveLength(1);
    expect(await runs.continueRun('b')).toBe(true);
    expect(ok.continued).toHaveLength(1);
    const c = ok.continued[0];
    expect(c).toMatchObject({ runId: 'b', trainSize: 512, testSize: 300, floatAccuracy: 0.98, modelName: 'lenet5' });
    expect(c.config.schedule).toEqual([0.3, 0.7, 1]);
    expect(c.rounds.map((r) => r.round)).toEqual([1, 2]);
    expect(runs.store.getState().interrupted).toEqual([]);

    const no = fakeClient('A run is in progress: stop it before continuing another.');
    const runs2 = new SavedRuns(page, no.client, { factory, locks: null });
    await ready(runs2);
    expect(await runs2.continueRun('b')).toBe(false);
    expect(runs2.store.getState().notice).toMatch(/in progress/);
  });

  it('rename keeps the old name on empty input; delete drops the run and its comparison tick', async () => {
    await seed('a', 3, 'done', 1);
    await seed('b', 1, 'interrupted', 2);
    const runs = new SavedRuns(page, fakeClient().client, { factory, locks: null });
    await ready(runs);
    expect(await runs.rename('a', 'baseline 4-bit')).toBe(true);
    expect(runs.store.getState().runs.find((r) => r.id === 'a')?.name).toBe('baseline 4-bit');
    expect(await runs.rename('a', '   ')).toBe(false);
    expect(runs.store.getState().notice).toMatch(/needs a name.*old one is kept/);
    expect(runs.store.getState().runs.find((r) => r.id === 'a')?.name).toBe('baseline 4-bit');

    runs.setCompared('a', true);
    runs.setCompared('b', true);
    expect(runs.store.getState().compare).toEqual(['a', 'b']);
    expect(await runs.remove('a')).toBe(true);
    expect(runs.store.getState().runs.map((r) => r.id)).toEqual(['b']);
    expect(runs.store.getState().compare).toEqual(['b']);
    // A fresh page sees the same.
    const again = new SavedRuns(page, fakeClient().client, { factory, locks: null });
    await ready(again);
    expect(again.store.getState().runs.map((r) => [r.id, r.name])).toEqual([['b', 'Run 2']]);
  });

  it('will not delete the run this page is training', async () => {
    await seed('a', 1, 'interrupted', 1);
    const runs = new SavedRuns(page, fakeClient().client, { factory, locks: null });
    await ready(runs);
    page.setState({ runId: 'a', status: 'paused' });
    expect(await runs.remove('a')).toBe(false);
    expect(runs.store.getState().notice).toMatch(/stop it before deleting/);
  });

  it(`compares at most ${MAX_COMPARED} runs`, async () => {
    const runs = new SavedRuns(page, fakeClient().client, { factory, locks: null });
    for (let i = 0; i < MAX_COMPARED + 1; i++) runs.setCompared(`r${i}`, true);
    expect(runs.store.getState().compare).toHaveLength(MAX_COMPARED);
    expect(runs.store.getState().notice).toMatch(/At most/);
    runs.setCompared('r0', false);
    expect(runs.store.getState().compare).not.toContain('r0');
  });

  it('without IndexedDB: says so, and runs still train', async () => {
    const runs = new SavedRuns(page, fakeClient().client, { factory: null, locks: null });
    await ready(runs);
    expect(runs.store.getState().availability).toBe('unavailable');
    expect(runs.store.getState().notice).toMatch(/no IndexedDB.*still train/);
    page.setState({ runId: 'x', status: 'running' });
    page.setState({ rounds: [fakeRound(1, 0.9)] });
    await runs.persistence.flush();
    expect(page.getState().status).toBe('running');
  });
});
