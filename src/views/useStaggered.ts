/**
 * Hands a new value to a heavy view later, in a timer task of its own, rendered there at once
 * (flushSync): a round's end then costs several short tasks (each layer's histogram, each layer's
 * mask, the charts) instead of one long one, so the page keeps answering input during a run.
 */
import { useEffect, useState } from 'react';
import { flushSync } from 'react-dom';

/** Spacing between consecutive slots. */
export const STAGGER_MS = 10;

/** First slot of each round view (per-layer views add the layer's index); every slot is a task of its own, even when two share a time. */
export const SLOTS = { accuracy: 1, loss: 1, histograms: 2, masks: 2 } as const;

/** `value`, delivered `slot × STAGGER_MS` ms after it changes; null until first delivered (so a mount is staggered too). */
export function useStaggered<T>(value: T, slot: number): T | null {
  const [shown, setShown] = useState<{ value: T } | null>(null);
  useEffect(() => {
    if (shown && Object.is(shown.value, value)) return;
    const id = setTimeout(() => flushSync(() => setShown({ value })), slot * STAGGER_MS);
    return () => clearTimeout(id);
  }, [value, shown, slot]);
  return shown ? shown.value : null;
}
