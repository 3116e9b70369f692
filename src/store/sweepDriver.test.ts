/** The sweep driver's repeat: N runs of the current settings from consecutive seeds, tagged as one repeat. */
import { describe, expect, it } from 'vitest';
import type { InqClient } from '../worker/client.ts';
import { createPlaygroundStore } from './store.ts';
import { createSweepStore } from './sweepStore.ts';
import { bitsPlan, SweepDriver } from './sweepDriver.ts';
import type { RepeatTag } from './types.ts';
import { fakeSummary } from './runsTestFixtures.ts';
import { OVERFIT_SUBSET, sweepPresetById } from '../engine/presets.ts';

/** A client stand-in: each start begins a run in the store as the real client does, and finishes it a moment later. */
function fakeClient(page: ReturnType<typeof createPlaygroundStore>, accuracyOf: (seed: number) => number) {
  const started: { seed: number; bits: number; schedule: number[]; repeat: RepeatTag | undefined }[] = [];
  let n = 0;
  const client = {
    onRunProbabilities: null,
    start(_signal?: AbortSignal, options: { repeat?: RepeatTag } = {}) {
      const s = page.getState();
      started.push({ seed: s.config.seed, bits: s.config.bits, schedule: [...s.config.schedule], repeat: options.repeat });
      const runId = `run-${++n}`;
      s.startRun(runId, s.config, options.repeat ?? null);
      const seed = s.config.seed;
      setTimeout(() => page.setState({ summary: fakeSummary(accuracyOf(seed), 2), status: 'done' }), 1);
    },
    cancel() {},
  };
  return { client: client as unknown as InqClient, started };
}

const settle = (sweep: ReturnType<typeof createSweepStore>) =>
  new Promise<void>((resolve) => {
    const check = () => (sweep.getState().status === 'running' ? setTimeout(check, 2) : resolve());
    check();
  });

describe('SweepDriver.startRepeat', () => {
  it('runs the current settings from seeds s…s+N−1, each tagged with one group, its place and N; the settings come back after', async () => {
    const page = createPlaygroundStore({ trainSize: 256, testSize: 200, schedule: [0.6, 1], seed: 40, bits: 4 });
    page.setState({ status: 'ready' });
    const sweep = createSweepStore();
    const { client, started } = fakeClient(page, (seed) => 0.9 + (seed - 40) / 100);
    new SweepDriver(page, client, sweep).startRepeat(3);
    await settle(sweep);
    expect(sweep.getState()).toMatchObject({ kind: 'repeat', status: 'done', message: null });
    expect(started.map((s) => s.seed)).toEqual([40, 41, 42]);
    expect(started.every((s) => s.bits === 4 && s.schedule.join() === '0.6,1')).toBe(true);
    const group = sweep.getState().group;
    expect(group).toMatch(/^repeat-/);
    expect(started.map((s) => s.repeat)).toEqual([0, 1, 2].map((index) => ({ group, index, of: 3 })));
    expect(sweep.getState().rows.map((r) => r.accuracy)).toEqual([0.9, 0.91, 0.92]);
    expect(page.getState().config.seed).toBe(40);
  });

  it('refuses a count outside the bounds with the reason, and starts nothing', () => {
    const page = createPlaygroundStore({});
    page.setState({ status: 'ready' });
    const sweep = createSweepStore();
    const { client, started } = fakeClient(page, () => 0.9);
    const d = new SweepDriver(page, client, sweep);
    for (const n of [1, 101, 2.5, NaN]) {
      d.startRepeat(n);
      expect(sweep.getState().status).toBe('idle');
      expect(sweep.getState().message).toMatch(/^Repeats must be a whole number from 2 to 100/);
    }
    expect(started).toEqual([]);
  });
});

describe('SweepDriver.startPreset', () => {
  it('Regulariser (seed 003): loads the over-fitting model with its own subset, then sweeps bit-widths 2–8 from the preset\'s seeds on that one subset', async () => {
    const page = createPlaygroundStore({ trainSize: 256, testSize: 200, seed: 5, pretrained: 'lenet5' });
    page.setState({ status: 'ready' });
    const sweep = createSweepStore();
    const { client, started } = fakeClient(page, (seed) => 0.9 + seed / 1000);
    const loaded: string[] = [];
    // The real client restarts its worker: status loading, then ready once the model is in.
    (client as unknown as { usePretrained: (id: string, base: string) => void }).usePretrained = (id, base) => {
      loaded.push(`${base}${id}`);
      page.setState({ status: 'loading' });
      setTimeout(() => page.setState({ status: 'ready' }), 1);
    };
    const preset = sweepPresetById('regulariser');
    if (!preset) throw new Error('no regulariser preset');
    new SweepDriver(page, client, sweep).startPreset(preset, '/');
    await new Promise((r) => setTimeout(r, 5));
    await settle(sweep);
    const part = preset.parts[0];
    expect(loaded).toEqual([`/${part.model}`]);
    // Every run re-trains on the subset the model was pre-trained on: the subset seed is fixed, the run's seed varies.
    expect(page.getState().config).toMatchObject({ pretrained: part.model, trainSize: part.trainSize, trainSeed: OVERFIT_SUBSET.seed, testSize: preset.finalTestSize, epochsPerRound: part.epochsPerRound, learningRate: part.learningRate, seed: part.seed });
    const n = preset.repeats;
    expect(n).toBeGreaterThanOrEqual(3);
    expect(started.map((s) => s.bits)).toEqual([2, 3, 4, 5, 6, 7, 8].flatMap((b) => Array<number>(n).fill(b)));
    expect(started.map((s) => s.seed)).toEqual([2, 3, 4, 5, 6, 7, 8].flatMap(() => Array.from({ length: n }, (_, k) => part.seed + k)));
    // Each bit-width's seeds are saved as one repeat: one group per bit-width, places 0…n−1 of n.
    const groups = new Set(started.map((s) => s.repeat?.group));
    expect(groups.size).toBe(7);
    expect(started.slice(0, n).map((s) => s.repeat && { index: s.repeat.index, of: s.repeat.of })).toEqual(Array.from({ length: n }, (_, index) => ({ index, of: n })));
    expect(sweep.getState()).toMatchObject({ kind: 'bits', status: 'done', repeats: n });
    expect(sweep.getState().rows).toHaveLength(7 * n);
  });
});

describe('bitsPlan', () => {
  it('one run per bit-width without repeats; with them, each bit-width from consecutive seeds, tagged by strategy and bits', () => {
    expect(bitsPlan(4, false).map((p) => [p.bits, p.seed, p.repeat])).toEqual([2, 3, 4, 5, 6, 7, 8].map((b) => [b, 4, undefined]));
    const plan = bitsPlan(10, true, 2);
    expect(plan).toHaveLength(28);
    expect(plan[0]).toEqual({ bits: 2, strategy: 'magnitude', seed: 10, repeat: { key: 'magnitude-2', index: 0, of: 2 } });
    expect(plan[1]).toEqual({ bits: 2, strategy: 'magnitude', seed: 11, repeat: { key: 'magnitude-2', index: 1, of: 2 } });
    expect(plan[27]).toEqual({ bits: 8, strategy: 'random', seed: 11, repeat: { key: 'random-8', index: 1, of: 2 } });
  });
});
