/**
 * The four readers of a run's settings agree on their bounds: the engine's check, the URL parser,
 * the command line's options and the page's inputs all take them from CONFIG_BOUNDS.
 */
import { describe, expect, it } from 'vitest';
import { CONFIG_BOUNDS, validateConfig, withinBound, type BoundedSetting } from '../engine/config.ts';
import { DEFAULT_CONFIG, PRUNED_ROUND, type InqConfig } from '../engine/types.ts';
import { URL_FIELDS } from '../store/url.ts';
import { boundedOption, configFromOptions, subsetSizesFromOptions, type CommonRunValues } from '../cli/runOptions.ts';
import { inputRange } from '../views/inputRange.ts';
import { MAX_SCHEDULE_STEPS } from '../inq/schedule.ts';

/** Each setting the page, the URL and the CLI all take: its URL field, its CLI flag, and whether the engine's config holds it. */
const SETTINGS: { name: BoundedSetting & keyof typeof URL_FIELDS; flag: string; inEngine: boolean }[] = [
  { name: 'bits', flag: 'bits', inEngine: true },
  { name: 'epochsPerRound', flag: 'epochs-per-round', inEngine: true },
  { name: 'batchSize', flag: 'batch-size', inEngine: true },
  { name: 'learningRate', flag: 'lr', inEngine: true },
  { name: 'seed', flag: 'seed', inEngine: true },
  { name: 'prune', flag: 'prune', inEngine: true },
  { name: 'trainSize', flag: 'train-size', inEngine: false },
  { name: 'testSize', flag: 'test-size', inEngine: false },
];

/** Values at and around a bound's edges. */
function probes(name: BoundedSetting): number[] {
  const b = CONFIG_BOUNDS[name];
  const step = b.integer ? 1 : Math.min(0.01, (b.max - b.min) / 10);
  return [b.min - step, b.min, b.min + step, (b.min + b.max) / 2, b.max - step, b.max, b.max + step, 0, -1, b.integer ? b.min + 0.5 : NaN];
}

const engineAccepts = (name: BoundedSetting, v: number): boolean => {
  try {
    validateConfig({ ...DEFAULT_CONFIG, [name]: v } as InqConfig);
    return true;
  } catch {
    return false;
  }
};

const cliAccepts = (name: BoundedSetting, flag: string, v: number): boolean => {
  try {
    if (name === 'bits') boundedOption(String(v), flag, 'bits', 5);
    else if (name === 'trainSize' || name === 'testSize') subsetSizesFromOptions({ [flag]: String(v) } as CommonRunValues);
    else configFromOptions({ [flag]: String(v) } as CommonRunValues, DEFAULT_CONFIG.bits);
    return true;
  } catch {
    return false;
  }
};

describe('configuration bounds: one table, four readers', () => {
  for (const { name, flag, inEngine } of SETTINGS) {
    it(`${name}: the engine, the URL, the CLI (--${flag}) and the page's input agree with the table`, () => {
      const b = CONFIG_BOUNDS[name];
      for (const v of probes(name)) {
        if (!Number.isFinite(v)) continue;
        const want = withinBound(b, v);
        if (inEngine) expect(engineAccepts(name, v), `engine ${name}=${v}`).toBe(want);
        expect(URL_FIELDS[name].parse(String(v)).ok, `URL ${name}=${v}`).toBe(want);
        expect(cliAccepts(name, flag, v), `--${flag} ${v}`).toBe(want);
      }
      const input = inputRange(name);
      expect([input.min, input.max, input.step]).toEqual([b.min, b.max, b.integer ? 1 : 'any']);
    });
  }

  it('the page lowers an input\'s max to the loaded dataset, never above the table', () => {
    expect(inputRange('trainSize', 1000).max).toBe(1000);
    expect(inputRange('trainSize', 10 ** 9).max).toBe(CONFIG_BOUNDS.trainSize.max);
  });

  it('the longest schedule leaves the pruned marker free', () => {
    expect(CONFIG_BOUNDS.rounds.max).toBe(MAX_SCHEDULE_STEPS);
    expect(MAX_SCHEDULE_STEPS).toBeLessThan(PRUNED_ROUND);
  });
});
