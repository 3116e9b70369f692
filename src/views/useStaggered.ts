/**
 * Hands a new value to a heavy view later, in a timer task of its own: a round's end then costs
 * several short tasks (each layer's histogram, each layer's mask, the charts) instead of one long one,
 * so the page keeps answering input during a run.
 *
 * Two ways to render the delivery:
 * - 'sync' (the custom histograms and masks): rendered at once in that task (flushSync); each is a
 *   few milliseconds.
 * - 'yielding' (the recharts charts): rendered as a React transition, which React splits into
 *   slices of about 5 ms and gives way to input between them. One recharts chart costs tens of
 *   milliseconds to update on a slow machine, too much for one task (bench/page.ts measures both).
 *
 * Each delivery is timed as a User Timing measure (`chart-update:<name>`) from its timer to its
 * commit, which the page benchmark reads.
 */
import { startTransition, useEffect, useLayoutEffect, useState } from 'react';
import { flushSync } from 'react-dom';

/** Spacing between consecutive slots. */
export const STAGGER_MS = 10;

/** First slot of each round view (per-layer views add the layer's index); every slot is a task of its own, even when two share a time. */
export const SLOTS = { accuracy: 1, loss: 1, compare: 1, histograms: 2, masks: 2 } as const;

/** Prefix of the User Timing measures of chart updates. */
export const CHART_UPDATE_MEASURE = 'chart-update:';

/** How a delivery is rendered (see the module comment). */
export type StaggerMode = 'sync' | 'yielding';

interface Shown<T> {
  value: T;
  /** performance.now() when its timer fired. */
  since: number;
}

/** `value`, delivered `slot × STAGGER_MS` ms after it changes; null until first delivered (so a mount is staggered too). `name` times each delivery. */
export function useStaggered<T>(value: T, slot: number, name?: string, mode: StaggerMode = 'sync'): T | null {
  const [shown, setShown] = useState<Shown<T> | null>(null);
  useEffect(() => {
    if (shown && Object.is(shown.value, value)) return;
    const id = setTimeout(() => {
      const next = { value, since: performance.now() };
      if (mode === 'yielding') startTransition(() => setShown(next));
      else flushSync(() => setShown(next));
    }, slot * STAGGER_MS);
    return () => clearTimeout(id);
  }, [value, shown, slot, mode]);
  useLayoutEffect(() => {
    // The delivery is committed: its render and DOM changes are done (for 'yielding', with pauses between slices).
    if (shown && name) performance.measure(`${CHART_UPDATE_MEASURE}${name}`, { start: shown.since, end: performance.now() });
  }, [shown, name]);
  return shown ? shown.value : null;
}
