/** Property-test harness: many seeded random cases, a fresh base seed per run, replayable on failure. */
import { createRng, type Rng } from '../inq/rng.ts';

/** Base seed of this run: INQ_TEST_SEED when set (to replay a failure), else the clock. */
export const BASE_SEED = ((): number => {
  const env = process.env.INQ_TEST_SEED;
  return env !== undefined && env !== '' ? Number(env) >>> 0 : Date.now() % 0x7fffffff;
})();

/** Runs `fn` on `count` cases, each with its own seeded RNG; a failure names the case and how to replay it. */
export function forCases(count: number, fn: (rng: Rng, seed: number, i: number) => void): void {
  for (let i = 0; i < count; i++) {
    const seed = (BASE_SEED + Math.imul(i + 1, 0x9e3779b1)) | 0;
    try {
      fn(createRng(seed), seed, i);
    } catch (e) {
      if (e instanceof Error) e.message = `[case ${i}, seed ${seed}; replay with INQ_TEST_SEED=${BASE_SEED}] ${e.message}`;
      throw e;
    }
  }
}
