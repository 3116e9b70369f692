/** `run --preset lenet5|paper`: LeNet-5's measured setups fill the options not given (no training here). */
import { describe, expect, it } from 'vitest';
import { LENET5_PRESETS } from '../engine/presets.ts';
import { presetFor } from '../inq/schedule.ts';
import { applyRunPreset, configFromOptions, subsetSizesFromOptions, type CommonRunValues } from './runOptions.ts';

describe('run --preset', () => {
  it('lenet5: each measured setup becomes the schedule, epochs per round, learning rate and training images; options given win', () => {
    expect(LENET5_PRESETS.length).toBeGreaterThan(0);
    for (const p of LENET5_PRESETS) {
      const values: CommonRunValues & { preset?: string } = { preset: 'lenet5' };
      applyRunPreset(values, p.bits);
      const c = configFromOptions(values, p.bits);
      expect(c).toMatchObject({ bits: p.bits, schedule: [...p.schedule], epochsPerRound: p.epochsPerRound, learningRate: p.learningRate });
      expect(subsetSizesFromOptions(values).trainSize).toBe(p.trainSize);
      const mine: CommonRunValues & { preset?: string } = { preset: 'lenet5', lr: '0.005' };
      applyRunPreset(mine, p.bits);
      expect(configFromOptions(mine, p.bits).learningRate).toBe(0.005);
    }
  });

  it('paper (and none): the paper schedule and the usual defaults; an unknown preset or a bit-width without a setup is refused', () => {
    const values: CommonRunValues & { preset?: string } = { preset: 'paper' };
    applyRunPreset(values, 3);
    expect(configFromOptions(values, 3).schedule).toEqual(presetFor(3));
    expect(() => applyRunPreset({ preset: 'resnet' }, 5)).toThrow('--preset must be lenet5 or paper (got "resnet")');
    const missing = [2, 3, 4, 5, 6, 7, 8].find((b) => !LENET5_PRESETS.some((p) => p.bits === b));
    if (missing !== undefined) expect(() => applyRunPreset({ preset: 'lenet5' }, missing)).toThrow(/no measured setup/);
  });
});
