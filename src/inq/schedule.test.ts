import { describe, expect, it } from 'vitest';
import type { ScheduleResult } from './schedule.ts';
import { MAX_SCHEDULE_STEPS, SCHEDULE_PRESETS, formatSchedule, parseSchedule, presetFor, validateSchedule } from './schedule.ts';
import { forCases } from '../testing/propertyCases.ts';


function portionsOf(r: ScheduleResult): number[] {
  if (!r.ok) throw new Error(`expected a valid schedule, got: ${r.error}`);
  return r.portions;
}
function errorOf(r: ScheduleResult): string {
  if (r.ok) throw new Error(`expected a refusal, got portions ${r.portions.join(',')}`);
  return r.error;
}

/** The paper's schedules, copied from INQ.md ("Settings the paper and its README report"). */
const PAPER: Record<number, number[]> = {
  5: [0.5, 0.75, 0.875, 1],
  4: [0.3, 0.5, 0.8, 0.9, 0.95, 1],
  3: [0.2, 0.4, 0.6, 0.7, 0.8, 0.9, 0.95, 1],
  2: [0.2, 0.4, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95, 0.975, 1],
};

describe('parseSchedule', () => {
  it('accepts commas, spaces and percentages', () => {
    expect(portionsOf(parseSchedule('0.5,0.75,0.875,1'))).toEqual([0.5, 0.75, 0.875, 1]);
    expect(portionsOf(parseSchedule('0.5 0.75 1'))).toEqual([0.5, 0.75, 1]);
    expect(portionsOf(parseSchedule('50%,100%'))).toEqual([0.5, 1]);
    expect(portionsOf(parseSchedule('  0.5, 0.75 ,\t0.875 , 1  '))).toEqual([0.5, 0.75, 0.875, 1]);
    expect(portionsOf(parseSchedule('1'))).toEqual([1]);
    expect(portionsOf(parseSchedule('.5,1'))).toEqual([0.5, 1]);
  });

  const refusals: [string, string, RegExp][] = [
    ['0.9,0.5', 'not increasing', /below the step before it.*larger than the last/],
    ['0.5,0.5,1', 'repeats', /repeats/],
    ['0.5,0.8', 'does not end at 1', /last portion is 0\.8.*must be 1/],
    ['1.5', 'above 1', /1\.5.*at most 1/],
    ['0', 'zero', /above 0/],
    ['-0.1,1', 'negative', /-0\.1.*above 0/],
    ['NaN', 'not a number', /"NaN".*not a number/],
    ['', 'empty', /empty/],
    ['   ', 'blank', /empty/],
    ['abc', 'not a number', /"abc".*not a number/],
    ['0.5,abc,1', 'second step not a number', /step 2.*not a number/],
    ['Infinity', 'not a number', /not a number/],
  ];
  for (const [text, why, pattern] of refusals) {
    it(`refuses ${JSON.stringify(text)} (${why}) and says why`, () => {
      const r = parseSchedule(text);
      expect(r.ok).toBe(false);
      expect(errorOf(r)).toMatch(pattern);
    });
  }

  it('refuses a 10,000-step schedule as too many steps', () => {
    const text = Array.from({ length: 10000 }, (_, i) => String((i + 1) / 10000)).join(',');
    const err = errorOf(parseSchedule(text));
    expect(err).toMatch(/10000 steps/);
    expect(err).toMatch(new RegExp(`at most ${MAX_SCHEDULE_STEPS}`));
    // Just at the limit is fine; one past it is not.
    const atLimit = Array.from({ length: MAX_SCHEDULE_STEPS }, (_, i) => (i + 1) / MAX_SCHEDULE_STEPS);
    expect(portionsOf(parseSchedule(atLimit.join(' ')))).toEqual(atLimit);
    const over = Array.from({ length: MAX_SCHEDULE_STEPS + 1 }, (_, i) => (i + 1) / (MAX_SCHEDULE_STEPS + 1));
    expect(errorOf(parseSchedule(over.join(',')))).toMatch(/steps/);
  });

  it('round-trips random valid schedules through formatSchedule, and percent form', () => {
    forCases(500, (rng) => {
      const k = 1 + rng.int(12);
      const set = new Set<number>([1]);
      for (let i = 1; i < k; i++) set.add(Math.round(rng.next() * 1000) / 1000 || 0.001);
      const portions = [...set].sort((a, b) => a - b);
      expect(portionsOf(validateSchedule(portions))).toEqual(portions);
      expect(portionsOf(parseSchedule(formatSchedule(portions)))).toEqual(portions);
      const sep = [',', ' ', ', ', ';'][rng.int(4)];
      expect(portionsOf(parseSchedule(portions.join(sep)))).toEqual(portions);
      const pct = parseSchedule(portions.map((p) => `${Math.round(p * 1000) / 10}%`).join(','));
      portionsOf(pct).forEach((p, i) => expect(p).toBeCloseTo(portions[i], 12));
    });
  });

  it('refuses random invalid schedules (a step out of order or out of range)', () => {
    forCases(500, (rng) => {
      const k = 2 + rng.int(8);
      const ps = Array.from({ length: k }, (_, i) => (i + 1) / k);
      const j = rng.int(k - 1);
      const mode = rng.int(4);
      if (mode === 0) ps[j + 1] = ps[j]; // repeat
      else if (mode === 1) ps[j + 1] = ps[j] - 0.01; // decrease
      else if (mode === 2) ps[j] = 1 + rng.next() + 0.01; // above 1
      else ps[j] = -rng.next(); // not above 0
      const err = errorOf(parseSchedule(ps.join(',')));
      expect(err).toMatch(/step \d+/);
      expect(err).toMatch(mode === 0 ? /repeats/ : mode === 1 ? /below/ : mode === 2 ? /at most 1/ : /above 0/);
    });
  });
});

describe('validateSchedule', () => {
  it('accepts valid portions and returns a copy', () => {
    const input = [0.5, 0.75, 0.875, 1];
    const out = portionsOf(validateSchedule(input));
    expect(out).toEqual(input);
    expect(out).not.toBe(input);
  });

  it('refuses non-finite steps, an empty list and too many steps', () => {
    expect(errorOf(validateSchedule([Number.NaN, 1]))).toMatch(/not a number/);
    expect(errorOf(validateSchedule([0.5, Infinity]))).toMatch(/not a number/);
    expect(errorOf(validateSchedule([]))).toMatch(/empty/);
    expect(errorOf(validateSchedule(new Array<number>(MAX_SCHEDULE_STEPS + 1).fill(0.5)))).toMatch(/at most/);
  });
});

describe('presets', () => {
  it("presetFor(5|4|3|2) equals the paper's schedules", () => {
    for (const bits of [5, 4, 3, 2]) {
      expect(presetFor(bits)).toEqual(PAPER[bits]);
      expect([...SCHEDULE_PRESETS[bits]]).toEqual(PAPER[bits]);
    }
    expect(Object.keys(SCHEDULE_PRESETS).map(Number).sort()).toEqual([2, 3, 4, 5]);
  });

  it('uses the 5-bit schedule above 5 bits, and every preset validates', () => {
    for (let bits = 2; bits <= 8; bits++) {
      const p = presetFor(bits);
      if (bits >= 5) expect(p).toEqual(PAPER[5]);
      expect(portionsOf(validateSchedule(p))).toEqual(p);
      expect(portionsOf(parseSchedule(formatSchedule(p)))).toEqual(p);
    }
  });

  it('returns a copy: editing it does not change the preset', () => {
    const p = presetFor(5);
    p[0] = 0.1;
    expect(presetFor(5)).toEqual(PAPER[5]);
  });
});
