/**
 * The page's long tasks (Long Tasks API: main-thread tasks over 50 ms of wall time), each with the
 * CPU time the main thread spent in it, read from a Chromium trace taken at the same time (CDP
 * `Tracing`, category `toplevel`: one `RunTask` event per task, `dur` wall and `tdur` thread time,
 * in µs). Used by the playground e2e test and `bench/page.ts`.
 *
 * Why both: the Long Tasks API reports wall time only. On a 2-core machine where the worker trains
 * on one core and the GPU process composites (in software) on the other, the main thread waits
 * for a core inside its own tasks: tasks of 3–20 ms of CPU measured 50–120 ms of wall time here.
 * The CPU time is what the page's code costs; the wall time is what a user on that machine feels.
 * The trace's tasks are matched to the Long Tasks API's entries (which count only the page's own
 * event loop, not DevTools traffic such as Playwright's polling) by their start time.
 */
import type { CDPSession, Page } from '@playwright/test';

export interface LongTask {
  /** Wall time, ms (Long Tasks API). */
  wall: number;
  /** Main-thread CPU time inside the task, ms (trace); NaN when no trace task overlaps it (the trace lost it). */
  cpu: number;
  /** Start, ms after `start()`. */
  at: number;
}

interface TraceEvent {
  name: string;
  ph: string;
  pid: number;
  tid: number;
  ts: number;
  dur?: number;
  tdur?: number;
  args?: { name?: string };
}

/** User Timing mark that ties the page's clock to the trace's. */
const MARK = 'main-thread-tasks:start';

export interface LongTaskWatch {
  /** Ends both: the long tasks since `watchLongTasks` returned, each with its CPU time. */
  stop(): Promise<LongTask[]>;
}

/** Starts tracing the page and observing its long tasks; call just before the action to watch. */
export async function watchLongTasks(page: Page): Promise<LongTaskWatch> {
  const cdp: CDPSession = await page.context().newCDPSession(page);
  const events: TraceEvent[] = [];
  cdp.on('Tracing.dataCollected', (d: { value: object[] }) => events.push(...(d.value as TraceEvent[])));
  await cdp.send('Tracing.start', { categories: 'toplevel,blink.user_timing,__metadata', transferMode: 'ReportEvents' });
  // Starting a trace makes tasks of its own in the renderer (30–45 ms here); the mark comes after them.
  const markAt = await page.evaluate((name) => {
    const w = window as unknown as { __longTaskWatch: { start: number; duration: number }[] };
    w.__longTaskWatch = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) w.__longTaskWatch.push({ start: e.startTime, duration: e.duration });
    }).observe({ type: 'longtask', buffered: false });
    return performance.mark(name).startTime;
  }, MARK);
  return {
    async stop() {
      const entries = await page.evaluate(() => (window as unknown as { __longTaskWatch: { start: number; duration: number }[] }).__longTaskWatch.slice());
      const done = new Promise<void>((resolve) => cdp.once('Tracing.tracingComplete', () => resolve()));
      await cdp.send('Tracing.end');
      await done;
      await cdp.detach();
      const mark = events.find((e) => e.name === MARK);
      if (!mark) throw new Error('the trace holds no start mark: was the page traced?');
      const thread = `${mark.pid}/${mark.tid}`;
      const tasks = events.filter((e) => e.ph === 'X' && e.name === 'ThreadControllerImpl::RunTask' && `${e.pid}/${e.tid}` === thread);
      // Page clock (ms) to trace clock (µs).
      const toTrace = (t: number): number => mark.ts + (t - markAt) * 1000;
      return entries.map((e) => {
        const from = toTrace(e.start);
        const to = from + e.duration * 1000;
        // The trace task this entry measured: the one on the page's main thread that overlaps it most.
        let best: TraceEvent | null = null;
        let bestOverlap = 0;
        for (const t of tasks) {
          const overlap = Math.min(to, t.ts + (t.dur ?? 0)) - Math.max(from, t.ts);
          if (overlap > bestOverlap) [best, bestOverlap] = [t, overlap];
        }
        return { wall: e.duration, cpu: best ? (best.tdur ?? 0) / 1000 : NaN, at: e.start - markAt };
      });
    },
  };
}
