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
  it('Regulariser (seed 003): each model in turn, loaded with its own subset, bit-widths 2–8 from the preset\'s seeds; the over-fitting one keeps one subset', async () => {
    const page = createPlaygroundStore({ trainSize: 256, testSize: 200, seed: 5, pretrained: 'lenet5' });
    page.setState({ status: 'ready' });
    const sweep = createSweepStore();
    const { client, started } = fakeClient(page, (seed) => 0.9 + seed / 1000);
    const loaded: string[] = [];
    const configs: { pretrained: string; trainSeed: number | null; trainSize: number }[] = [];
    page.subscribe((st, prev) => {
      if (st.runId !== prev.runId && st.runId) configs.push({ pretrained: st.config.pretrained, trainSeed: st.config.trainSeed, trainSize: st.config.trainSize });
    });
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
    const [over, small] = preset.parts;
    expect(loaded).toEqual([`/${over.model}`, `/${small.model}`]);
    const n = preset.repeats;
    expect(n).toBeGreaterThanOrEqual(3);
    const perPart = 7 * n;
    expect(started).toHaveLength(2 * perPart);
    expect(started.map((s) => s.bits)).toEqual([0, 1].flatMap(() => [2, 3, 4, 5, 6, 7, 8].flatMap((b) => Array<number>(n).fill(b))));
    expect(started.map((s) => s.seed)).toEqual([over, small].flatMap((p) => [2, 3, 4, 5, 6, 7, 8].flatMap(() => Array.from({ length: n }, (_, k) => p.seed + k))));
    // The over-fitting model's runs all re-train on the subset it was pre-trained on; the small model's draw theirs from each seed.
    expect(configs.slice(0, perPart).every((c) => c.pretrained === over.model && c.trainSeed === OVERFIT_SUBSET.seed && c.trainSize === OVERFIT_SUBSET.size)).toBe(true);
    expect(configs.slice(perPart).every((c) => c.pretrained === small.model && c.trainSeed === null && c.trainSize === small.trainSize)).toBe(true);
    // Each bit-width's seeds of each model are saved as one repeat: 14 groups, places 0…n−1 of n.
    expect(new Set(started.map((s) => s.repeat?.group)).size).toBe(14);
    expect(started.slice(0, n).map((s) => s.repeat && { index: s.repeat.index, of: s.repeat.of })).toEqual(Array.from({ length: n }, (_, index) => ({ index, of: n })));
    expect(sweep.getState()).toMatchObject({ kind: 'bits', status: 'done', repeats: n, parts: [{ model: over.model }, { model: small.model }] });
    const rows = sweep.getState().rows;
    expect(rows.map((r) => r.model)).toEqual([...Array<string>(perPart).fill(over.model), ...Array<string>(perPart).fill(small.model)]);
    // The settings stay at the last part's.
    expect(page.getState().config).toMatchObject({ pretrained: small.model, trainSize: small.trainSize, trainSeed: null, testSize: preset.finalTestSize });
  });

  it('a model that fails to load stops the preset with its name, keeping the runs done', async () => {
    const page = createPlaygroundStore({ pretrained: 'lenet5' });
    page.setState({ status: 'ready' });
    const sweep = createSweepStore();
    const { client, started } = fakeClient(page, () => 0.9);
    (client as unknown as { usePretrained: () => void }).usePretrained = () => {
      page.setState({ status: 'loading' });
      setTimeout(() => page.setState({ status: 'error' }), 1);
    };
    const preset = sweepPresetById('regulariser');
    if (!preset) throw new Error('no regulariser preset');
    new SweepDriver(page, client, sweep).startPreset(preset, '/');
    await new Promise((r) => setTimeout(r, 5));
    await settle(sweep);
    expect(started).toEqual([]);
    expect(sweep.getState()).toMatchObject({ status: 'stopped', message: `${preset.title}: ${preset.parts[0].model} could not be loaded.` });
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
