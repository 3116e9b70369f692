import { describe, it, expect } from 'vitest';
import { createPlaygroundStore, shownRound } from './store.ts';
import { DEFAULT_PLAYGROUND_CONFIG, engineConfig } from './types.ts';
import { subsetSeed, validateConfig } from '../engine/config.ts';
import type { RoundResult } from '../engine/types.ts';

function round(n: number): RoundResult {
  return { round: n, portion: n / 4, accuracy: 0.9, loss: 0.3, epochLosses: [], seconds: 1, trainSeconds: 1, layers: [] };
}

describe('engineConfig', () => {
  it('hands the worker the subset seed only when one is set (else the run\'s seed draws the subset), and the engine checks it', () => {
    expect(engineConfig(DEFAULT_PLAYGROUND_CONFIG)).not.toHaveProperty('trainSeed');
    const c = engineConfig({ ...DEFAULT_PLAYGROUND_CONFIG, seed: 4, trainSeed: 3 });
    expect(c).toMatchObject({ seed: 4, trainSeed: 3 });
    expect(() => validateConfig(c)).not.toThrow();
    expect(() => validateConfig({ ...c, trainSeed: 0.5 })).toThrow(/seed must be a whole number/);
    expect(subsetSeed(c)).toBe(3);
    expect(subsetSeed(engineConfig(DEFAULT_PLAYGROUND_CONFIG))).toBe(DEFAULT_PLAYGROUND_CONFIG.seed);
  });
});

describe('playground store', () => {
  it('starts from defaults merged with the URL configuration', () => {
    const s = createPlaygroundStore({ bits: 3 }, ['bad seed']);
    expect(s.getState().config).toEqual({ ...DEFAULT_PLAYGROUND_CONFIG, bits: 3 });
    expect(s.getState().urlErrors).toEqual(['bad seed']);
    expect(s.getState().scheduleText).toBe('0.5,0.75,0.875,1');
    expect(s.getState().status).toBe('loading');
  });

  it('validates the schedule as it is typed and keeps the last valid one', () => {
    const s = createPlaygroundStore();
    s.getState().setScheduleText('0.9,0.5');
    expect(s.getState().scheduleError).toMatch(/step 2 \(0\.5\) is below/);
    expect(s.getState().config.schedule).toEqual([0.5, 0.75, 0.875, 1]);
    expect(s.getState().scheduleText).toBe('0.9,0.5');
    s.getState().setScheduleText('0.3, 0.6, 1');
    expect(s.getState().scheduleError).toBeNull();
    expect(s.getState().config.schedule).toEqual([0.3, 0.6, 1]);
    s.getState().setSchedule([0.2, 0.4, 0.4, 1]);
    expect(s.getState().scheduleError).toMatch(/repeats/);
  });

  it('shows the selected round, or the latest one', () => {
    const s = createPlaygroundStore();
    expect(shownRound(s.getState())).toBeNull();
    s.setState({ rounds: [round(1), round(2), round(3)] });
    expect(shownRound(s.getState())).toBe(3);
    s.getState().selectRound(2);
    expect(shownRound(s.getState())).toBe(2);
    s.getState().selectRound(9);
    expect(shownRound(s.getState())).toBe(3);
    s.getState().selectRound(null);
    expect(shownRound(s.getState())).toBe(3);
  });

  it('notifies subscribers only for the slice that changed (narrow selectors)', () => {
    const s = createPlaygroundStore();
    let configChanges = 0;
    let last = s.getState().config;
    s.subscribe((st) => {
      if (st.config !== last) {
        configChanges++;
        last = st.config;
      }
    });
    s.setState({ progress: { round: 1, rounds: 4, epoch: 1, epochs: 1, batch: 3, batches: 10, loss: 0.5 } });
    s.getState().selectRound(1);
    expect(configChanges).toBe(0);
    s.getState().setConfig({ seed: 9 });
    expect(configChanges).toBe(1);
  });
});
