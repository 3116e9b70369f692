/** Portion schedules: parsing, validation with reasons a user understands, and the paper's presets. */

/** Longest schedule accepted; the paper's longest (2 bits) has 10 steps. */
export const MAX_SCHEDULE_STEPS = 64;

/** Longest text one step may have ("0.87500000000000000001" is 22). */
const MAX_STEP_CHARS = 32;

/** Outcome of parsing a schedule: the portions, or the reason they were refused. */
export type ScheduleResult = { ok: true; portions: number[] } | { ok: false; error: string };

/** Presets from the paper and its README, by bit-width (INQ.md, "Settings"). */
export const SCHEDULE_PRESETS: Readonly<Record<number, readonly number[]>> = {
  5: [0.5, 0.75, 0.875, 1],
  4: [0.3, 0.5, 0.8, 0.9, 0.95, 1],
  3: [0.2, 0.4, 0.6, 0.7, 0.8, 0.9, 0.95, 1],
  2: [0.2, 0.4, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95, 0.975, 1],
};

/** The preset for a bit-width: the paper's where it has one, the 5-bit schedule above 5 bits. */
export function presetFor(bits: number): number[] {
  const key = bits >= 5 ? 5 : Math.max(2, Math.round(bits));
  return [...SCHEDULE_PRESETS[key]];
}

/** Validates cumulative portions: strictly increasing, each in (0, 1], ending at 1. */
export function validateSchedule(portions: readonly number[]): ScheduleResult {
  if (portions.length === 0) return { ok: false, error: 'the schedule is empty: give at least one portion, ending at 1' };
  if (portions.length > MAX_SCHEDULE_STEPS) {
    return { ok: false, error: `the schedule has ${portions.length} steps; at most ${MAX_SCHEDULE_STEPS} are allowed` };
  }
  for (let i = 0; i < portions.length; i++) {
    const p = portions[i];
    if (!Number.isFinite(p)) return { ok: false, error: `step ${i + 1} is not a number` };
    if (p <= 0 || p > 1) {
      return { ok: false, error: `step ${i + 1} is ${p}: every portion must be above 0 and at most 1` };
    }
    if (i > 0 && p <= portions[i - 1]) {
      const why = p === portions[i - 1] ? 'repeats the step before it' : `is below the step before it (${portions[i - 1]})`;
      return {
        ok: false,
        error: `step ${i + 1} (${p}) ${why}: portions are cumulative, so each must be larger than the last`,
      };
    }
  }
  const last = portions[portions.length - 1];
  if (last !== 1) {
    return { ok: false, error: `the last portion is ${last}, but it must be 1 so that every weight ends up quantized` };
  }
  return { ok: true, portions: [...portions] };
}

/** Parses "0.5, 0.75, 0.875, 1" (commas or spaces; percentages like "50%" allowed) and validates it. */
export function parseSchedule(text: string): ScheduleResult {
  const trimmed = text.trim();
  if (trimmed === '') return validateSchedule([]);
  const parts = trimmed.split(/[\s,;]+/).filter((s) => s !== '');
  if (parts.length > MAX_SCHEDULE_STEPS) return validateSchedule(new Array<number>(parts.length).fill(0));
  const portions: number[] = [];
  for (let i = 0; i < parts.length; i++) {
    const raw = parts[i];
    const pct = raw.endsWith('%');
    const body = pct ? raw.slice(0, -1) : raw;
    // Length first, and a pattern without nested choices: a pasted wall of digits must not stall the editor.
    if (body.length > MAX_STEP_CHARS || !/^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?$/.test(body)) {
      return { ok: false, error: `step ${i + 1} ("${raw.slice(0, 20)}") is not a number` };
    }
    portions.push(pct ? Number(body) / 100 : Number(body));
  }
  return validateSchedule(portions);
}

/** Formats portions as the canonical comma-separated text. */
export function formatSchedule(portions: readonly number[]): string {
  return portions.map((p) => String(p)).join(',');
}
