/**
 * The bounds of every run setting, written once: the engine's check (validateConfig), the URL
 * parser (src/store/url.ts), the command line's options (src/cli/runOptions.ts) and the page's
 * inputs all read this table, and config.test.ts checks that the four agree. Pure: no tfjs.
 */
import { LEVEL_KINDS, MAX_BITS, MIN_BITS } from '../inq/levels.ts';
import { MAX_SCHEDULE_STEPS, validateSchedule } from '../inq/schedule.ts';
import type { InqConfig } from './types.ts';

/** The allowed range of one numeric setting. */
export interface Bound {
  /** What a message calls it. */
  what: string;
  min: number;
  max: number;
  integer: boolean;
  /** The minimum itself is not allowed (a learning rate above 0). */
  minExclusive?: boolean;
  /** 0 is allowed besides the range and means "off" (pruning). */
  zeroMeansOff?: boolean;
}

/** Every bounded setting. Subset sizes are the datasets' own sizes (60,000 training, 10,000 test images). */
export const CONFIG_BOUNDS = {
  bits: { what: 'bits', min: MIN_BITS, max: MAX_BITS, integer: true },
  /** One portion of the schedule (the schedule's own rules are validateSchedule's). */
  portion: { what: 'a portion', min: 0, max: 1, integer: false, minExclusive: true },
  rounds: { what: 'rounds', min: 1, max: MAX_SCHEDULE_STEPS, integer: true },
  epochsPerRound: { what: 'epochs per round', min: 1, max: 100, integer: true },
  batchSize: { what: 'batch size', min: 1, max: 4096, integer: true },
  learningRate: { what: 'learning rate', min: 0, max: 10, integer: false, minExclusive: true },
  momentum: { what: 'momentum', min: 0, max: 0.999, integer: false },
  weightDecay: { what: 'weight decay', min: 0, max: 0.5, integer: false },
  trainSize: { what: 'training subset', min: 1, max: 60_000, integer: true },
  testSize: { what: 'test subset', min: 1, max: 10_000, integer: true },
  seed: { what: 'seed', min: -2_147_483_648, max: 2_147_483_647, integer: true },
  prune: { what: 'pruning sparsity', min: 0.05, max: 0.99, integer: false, zeroMeansOff: true },
  pruneEpochs: { what: 'pruning epochs', min: 1, max: 100, integer: true },
  /** Seeds of a repeated configuration (page: Repeat ×N; CLI: run --repeat N). */
  repeats: { what: 'repeats', min: 2, max: 100, integer: true },
} as const satisfies Record<string, Bound>;

/** A bounded setting's name. */
export type BoundedSetting = keyof typeof CONFIG_BOUNDS;

/** "a whole number from 1 to 100", "a number above 0 and at most 10", "0 (off) or from 0.05 to 0.99". */
export function boundText(b: Bound): string {
  const range = b.minExclusive ? `above ${b.min} and at most ${b.max}` : `from ${b.min} to ${b.max}`;
  if (b.zeroMeansOff) return `0 (off) or ${b.integer ? 'a whole number ' : ''}${range}`;
  return `${b.integer ? 'a whole number' : 'a number'} ${range}`;
}

/** Whether v is allowed by the bound. */
export function withinBound(b: Bound, v: number): boolean {
  if (!Number.isFinite(v)) return false;
  if (b.zeroMeansOff && v === 0) return true;
  if (b.integer && !Number.isInteger(v)) return false;
  return (b.minExclusive ? v > b.min : v >= b.min) && v <= b.max;
}

/** Null when `v` is allowed for `name`, otherwise the message: "epochs per round must be a whole number from 1 to 100". */
export function boundError(name: BoundedSetting, v: number): string | null {
  const b: Bound = CONFIG_BOUNDS[name];
  return withinBound(b, v) ? null : `${b.what} must be ${boundText(b)}`;
}

/** The seed that draws a run's training subset: its trainSeed where set, else its seed (worker and command line alike). */
export function subsetSeed(c: Pick<InqConfig, 'seed' | 'trainSeed'>): number {
  return c.trainSeed ?? c.seed;
}

/** Checks a configuration, throwing a RangeError that names the bad field. */
export function validateConfig(c: InqConfig): void {
  const check = (name: BoundedSetting, v: number): void => {
    const e = boundError(name, v);
    if (e) throw new RangeError(`${e} (got ${v})`);
  };
  check('bits', c.bits);
  const s = validateSchedule(c.schedule);
  if (!s.ok) throw new RangeError(`schedule: ${s.error}`);
  if (c.strategy !== 'magnitude' && c.strategy !== 'random') throw new RangeError(`strategy must be magnitude or random (got ${String(c.strategy)})`);
  check('epochsPerRound', c.epochsPerRound);
  check('batchSize', c.batchSize);
  check('learningRate', c.learningRate);
  check('weightDecay', c.weightDecay);
  check('momentum', c.momentum);
  check('seed', c.seed);
  if (c.trainSeed !== undefined) check('seed', c.trainSeed);
  if (c.prune !== undefined) check('prune', c.prune);
  if (c.pruneEpochs !== undefined) check('pruneEpochs', c.pruneEpochs);
  if (c.levels !== undefined && !(LEVEL_KINDS as readonly string[]).includes(c.levels)) throw new RangeError(`levels must be one of ${LEVEL_KINDS.join(', ')} (got ${String(c.levels)})`);
}
