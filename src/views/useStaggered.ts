/**
 * Hands a new value to a heavy view later, in a timer task of its own, rendered there at once
 * (flushSync): a round's end then costs several short tasks (each layer's histogram, each layer's
 * mask, the charts) instead of one long one, so the page keeps answering input during a run.
 * Each delivery is timed as a User Timing measure (`chart-update:<name>`), which the page benchmark reads.
 */
import { useEffect, useState } from 'react';
import { flushSync } from 'react-dom';

/** Spacing between consecutive slots. */
export const STAGGER_MS = 10;

/** First slot of each round view (per-layer views add the layer's index); every slot is a task of its own, even when two share a time. */
export const SLOTS = { accuracy: 1, loss: 1, compare: 1, histograms: 2, masks: 2 } as const;

/** Prefix of the User Timing measures of chart updates. */
export const CHART_UPDATE_MEASURE = 'chart-update:';

/** `value`, delivered `slot × STAGGER_MS` ms after it changes; null until first delivered (so a mount is staggered too). `name` times each delivery. */
export function useStaggered<T>(value: T, slot: number, name?: string): T | null {
  const [shown, setShown] = useState<{ value: T } | null>(null);
  useEffect(() => {
    if (shown && Object.is(shown.value, value)) return;
    const id = setTimeout(() => {
      const start = performance.now();
      flushSync(() => setShown({ value }));
      if (name) performance.measure(`${CHART_UPDATE_MEASURE}${name}`, { start, end: performance.now() });
    }, slot * STAGGER_MS);
    return () => clearTimeout(id);
  }, [value, shown, slot, name]);
  return shown ? shown.value : null;
}
