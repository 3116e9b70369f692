/** Narrow selectors for the round the views show (the scrubber's choice, or the latest). */
import { shownRound, usePlayground } from '../store/store.ts';
import type { RoundResult } from '../engine/types.ts';
import type { PlaygroundState } from '../store/types.ts';

/** The shown round's result (identity-stable until that round changes), or null before any round. */
export function shownResult(s: PlaygroundState): RoundResult | null {
  const k = shownRound(s);
  if (k === null) return null;
  return s.rounds.find((r) => r.round === k) ?? null;
}

/** Hook form of shownResult. */
export function useShownResult(): RoundResult | null {
  return usePlayground(shownResult);
}
