/**
 * The page, built for production and served by `vite preview`, in the system Chromium (the e2e
 * tests' launch arguments): time until the first screen is ready (the Run button enabled), the
 * JavaScript loaded before that on the main thread and in the worker (tfjs must be only in the
 * worker), and main-thread long tasks (PerformanceObserver 'longtask', i.e. over 50 ms) during a
 * short run set through the URL hash, with the longest task during each chart update in it (the
 * `chart-update:<name>` User Timing measures src/views/useStaggered.ts makes: recharts line charts
 * beside the custom SVG histograms and canvas masks, measured in the same run). The run is also
 * ticked for comparison once it is saved, so the compare chart redraws after every round too.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from '@playwright/test';
import playwrightConfig from '../playwright.config.ts';
import { watchLongTasks } from '../e2e/mainThreadTasks.ts';
import { median, type Table } from './table.ts';
import { CHART_UPDATE_MEASURE } from '../src/views/useStaggered.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Page-suite knobs. */
export interface PageBenchOptions {
  port?: number;
  outDir?: string;
  /** URL hash of the short run (small subsets; see src/store/url.ts). */
  runHash?: string;
  /** Skip `vite build` when the folder already holds a build. */
  reuseBuild?: boolean;
}

interface ResourceEntry {
  name: string;
  responseEnd: number;
  decodedBodySize: number;
}

/** What the init script records in the page. */
interface PageProbe {
  readyAt: number | null;
  longTasks: { start: number; duration: number }[];
  /** Long animation frames (over 50 ms) with the scripts that ran in them, to say what a long task was. */
  frames: { start: number; duration: number; scripts: { what: string; duration: number }[] }[];
}

// Runs in the page before any of its scripts: records long tasks and when the Run button first becomes enabled.
const INIT_SCRIPT = `(() => {
  const probe = { readyAt: null, longTasks: [], frames: [] };
  window.__bench = probe;
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) probe.longTasks.push({ start: e.startTime, duration: e.duration });
    }).observe({ type: 'longtask', buffered: true });
  } catch {}
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        const scripts = (e.scripts || []).map((s) => ({
          what: (s.invoker || s.invokerType || 'script') + ' ' + (s.sourceFunctionName || '') + ' ' + String(s.sourceURL || '').split('/').pop(),
          duration: s.duration,
        }));
        probe.frames.push({ start: e.startTime, duration: e.duration, scripts });
      }
    }).observe({ type: 'long-animation-frame', buffered: true });
  } catch {}
  const check = () => {
    if (probe.readyAt !== null) return;
    for (const b of document.querySelectorAll('button')) {
      if (b.textContent && b.textContent.trim() === 'Run' && !b.disabled) {
        probe.readyAt = performance.now();
        return;
      }
    }
  };
  const start = () => new MutationObserver(check).observe(document, { subtree: true, childList: true, attributes: true, characterData: true });
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start); else start();
})();`;

export async function waitForServer(url: string, server: ChildProcess, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (server.exitCode !== null) throw new Error(`vite preview exited with code ${server.exitCode} (is port ${new URL(url).port} taken?)`);
    try {
      const r = await fetch(url);
      if (r.ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`vite preview did not answer at ${url} within ${timeoutMs / 1000} s`);
}

/** Paths of the scripts the page's entry reaches through static and dynamic imports (never the worker's: `new Worker(new URL(…))` is no import). */
async function reachableScripts(base: string): Promise<Set<string>> {
  const html = await (await fetch(`${base}/`)).text();
  const todo = [...html.matchAll(/<script[^>]*type="module"[^>]*src="([^"]+)"/g)].map((m) => new URL(m[1], `${base}/`).pathname);
  const seen = new Set<string>();
  while (todo.length) {
    const path = todo.pop() as string;
    if (seen.has(path)) continue;
    seen.add(path);
    const text = await (await fetch(`${base}${path}`)).text();
    for (const m of text.matchAll(/(?:from\s*|import\s*\(?\s*)["'](\.{1,2}\/[^"']+\.js)["']/g)) todo.push(new URL(m[1], `${base}${path}`).pathname);
  }
  return seen;
}

const kib = (b: number): string => `${(b / 1024).toFixed(0)} KiB`;

/** Builds, serves and measures the page. */
export async function benchPage(options: PageBenchOptions = {}): Promise<Table> {
  const port = options.port ?? Number(process.env.BENCH_PORT || 4184);
  const outDir = options.outDir ?? 'dist-bench';
  const runHash = options.runHash ?? '#train=256&test=100&schedule=0.25,0.5,0.75,1&epochs=1';
  if (!existsSync(`${ROOT}/public/data/mnist`)) throw new Error('public/data/mnist is missing: run `npm run -s prepare-data` first');
  let buildSeconds = NaN;
  if (!options.reuseBuild || !existsSync(`${ROOT}/${outDir}/index.html`)) {
    const t0 = performance.now();
    const b = spawnSync('npx', ['vite', 'build', '--outDir', outDir, '--emptyOutDir', '--logLevel', 'error'], { cwd: ROOT, encoding: 'utf8' });
    if (b.status !== 0) throw new Error(`vite build failed: ${(b.stderr || b.stdout).trim().split('\n').slice(-3).join(' / ')}`);
    buildSeconds = (performance.now() - t0) / 1000;
  }
  const tfjsVersion = (JSON.parse(readFileSync(`${ROOT}/node_modules/@tensorflow/tfjs-core/package.json`, 'utf8')) as { version: string }).version;
  const server = spawn('npx', ['vite', 'preview', '--port', String(port), '--strictPort', '--outDir', outDir], { cwd: ROOT, stdio: 'ignore', detached: true });
  const base = `http://localhost:${port}`;
  let browser: Browser | null = null;
  try {
    await waitForServer(base, server, 60_000);
    const launch = playwrightConfig.use?.launchOptions ?? {};
    browser = await chromium.launch({ ...launch, executablePath: process.env.CHROMIUM_PATH || launch.executablePath || '/usr/bin/chromium', headless: true });
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.addInitScript(INIT_SCRIPT);
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const workerReady = page.waitForEvent('worker', { timeout: 60_000 });

    // 1. Load until ready.
    await page.goto(`${base}/${runHash}`);
    const run = page.getByRole('button', { name: 'Run', exact: true });
    await run.waitFor({ state: 'visible', timeout: 60_000 });
    await page.waitForFunction(() => (window as unknown as { __bench: PageProbe }).__bench.readyAt !== null, undefined, { timeout: 240_000, polling: 100 });
    const worker = await workerReady;
    const main = await page.evaluate(() => ({
      origin: performance.timeOrigin,
      probe: (window as unknown as { __bench: PageProbe }).__bench,
      resources: performance.getEntriesByType('resource').map((e) => {
        const r = e as PerformanceResourceTiming;
        return { name: r.name, responseEnd: r.responseEnd, decodedBodySize: r.decodedBodySize };
      }),
    }));
    const inWorker = await worker.evaluate(() => ({
      origin: performance.timeOrigin,
      resources: performance.getEntriesByType('resource').map((e) => {
        const r = e as PerformanceResourceTiming;
        return { name: r.name, responseEnd: r.responseEnd, decodedBodySize: r.decodedBodySize };
      }),
    }));
    const readyAt = main.probe.readyAt ?? NaN;
    const readyAbs = main.origin + readyAt;
    const isJs = (e: ResourceEntry): boolean => /\.m?js(\?|$)/.test(new URL(e.name).pathname);
    const workerUrl = worker.url();
    // The worker's own script is fetched for the worker; everything in its timeline is the worker's too.
    // The page's timeline also lists module files the worker imports (Chromium fetches a module
    // worker's imports for the page), so the main thread's files are those its entry script reaches.
    const mainReach = await reachableScripts(base);
    const onMain = (e: ResourceEntry): boolean => mainReach.has(new URL(e.name).pathname);
    const mainJs = main.resources.filter((e) => isJs(e) && onMain(e) && e.responseEnd <= readyAt);
    const workerJs = [
      ...main.resources.filter((e) => isJs(e) && !onMain(e) && e.responseEnd <= readyAt),
      ...inWorker.resources.filter((e) => isJs(e) && inWorker.origin + e.responseEnd <= readyAbs),
    ];
    const unique = (list: ResourceEntry[]): ResourceEntry[] => [...new Map(list.map((e) => [e.name, e])).values()];
    let workerFiles = unique(workerJs);
    if (!workerFiles.some((e) => e.name === workerUrl)) {
      // Chromium may list a worker's main script in neither timeline: count it from the file served.
      const body = await (await fetch(workerUrl)).arrayBuffer();
      workerFiles = [...workerFiles, { name: workerUrl, responseEnd: 0, decodedBodySize: body.byteLength }];
    }
    const mainFiles = unique(mainJs);
    const bytes = (l: ResourceEntry[]): number => l.reduce((a, e) => a + e.decodedBodySize, 0);
    // tfjs in the main thread? Look for tfjs-core's version string and its URL-flag name in the main-thread files.
    let tfjsOnMain = false;
    for (const f of mainFiles) {
      const text = await (await fetch(f.name)).text();
      if (text.includes('tfjsflags') || text.includes(`"${tfjsVersion}"`)) tfjsOnMain = true;
    }
    const loadLongTasks = main.probe.longTasks.filter((t) => t.start <= readyAt);

    // 2. A short run: long tasks from the click to the end.
    // The same tasks with their main-thread CPU time, from a trace (e2e/mainThreadTasks.ts says why).
    const watch = await watchLongTasks(page);
    const runStart = await page.evaluate(() => performance.now());
    await run.click();
    // Tick the run for comparison as soon as it is listed (it is saved at its start).
    const compare = page.getByRole('checkbox', { name: /^Compare / }).first();
    await compare.waitFor({ state: 'visible', timeout: 120_000 });
    await compare.check();
    await page.waitForFunction(
      () => {
        // Test hook installed by main.tsx.
        const s = (window as unknown as { __inq: { store: { getState(): { status: string } } } }).__inq.store.getState().status;
        return s === 'done' || s === 'error' || s === 'cancelled';
      },
      undefined,
      { timeout: 300_000, polling: 500 },
    );
    // Let the last round's staggered chart updates land.
    await page.waitForTimeout(1000);
    const end = await page.evaluate((prefix) => ({
      at: performance.now(),
      chartUpdates: performance
        .getEntriesByType('measure')
        .filter((m) => m.name.startsWith(prefix))
        .map((m) => ({ name: m.name.slice(prefix.length), start: m.startTime, duration: m.duration })),
      status: (window as unknown as { __inq: { store: { getState(): { status: string; message: string | null } } } }).__inq.store.getState(),
      longTasks: (window as unknown as { __bench: PageProbe }).__bench.longTasks,
      frames: (window as unknown as { __bench: PageProbe }).__bench.frames,
    }), CHART_UPDATE_MEASURE);
    const withCpu = await watch.stop();
    const maxCpu = withCpu.reduce((m, t) => (Number.isFinite(t.cpu) ? Math.max(m, t.cpu) : m), 0);
    const cpuOver = withCpu.filter((t) => t.cpu > 50);
    if (end.status.status !== 'done') throw new Error(`the short run ended as "${end.status.status}": ${end.status.message ?? 'no message'}`);
    const runTasks = end.longTasks.filter((t) => t.start >= runStart);
    // What ran in the long animation frames that overlap those tasks (the frame API names scripts; longtask does not).
    const culprits = new Map<string, number>();
    for (const f of end.frames) {
      if (!runTasks.some((t) => t.start < f.start + f.duration && f.start < t.start + t.duration)) continue;
      for (const sc of f.scripts) culprits.set(sc.what.trim(), (culprits.get(sc.what.trim()) ?? 0) + sc.duration);
    }
    const culpritLine = [...culprits.entries()].sort((a, b) => b[1] - a[1]).slice(0, 4).map(([w, d]) => `${w} (${d.toFixed(0)} ms)`).join('; ');
    const maxTask = runTasks.reduce((m, t) => Math.max(m, t.duration), 0);
    // Per chart: its updates during the run, each from its new data to its commit (the recharts charts
    // render in slices with pauses between, so that span is latency, not main-thread time), and the
    // longest main-thread task inside each span: the figure the 50 ms target is about.
    const CHARTS: Record<string, string> = {
      accuracy: 'accuracy per round (recharts)',
      loss: 'training loss (recharts)',
      compare: 'compare overlay (recharts)',
      histogram: 'weight histogram, one layer (SVG)',
      mask: 'partition mask, one layer (canvas)',
    };
    interface Update {
      span: number;
      /** Longest long task (over 50 ms) overlapping the update; 0 when none did. */
      task: number;
    }
    const byChart = new Map<string, Update[]>();
    for (const u of end.chartUpdates) {
      if (u.start < runStart) continue;
      const task = end.longTasks.filter((t) => t.start < u.start + u.duration && u.start < t.start + t.duration).reduce((m, t) => Math.max(m, t.duration), 0);
      byChart.set(u.name, [...(byChart.get(u.name) ?? []), { span: u.duration, task }]);
    }
    const describe = (d: Update[]): string => {
      const worst = Math.max(...d.map((u) => u.task));
      return `${d.length} updates; longest task ${worst ? `${worst.toFixed(0)} ms` : 'under 50 ms'}; new data to drawn median ${median(d.map((u) => u.span)).toFixed(0)} ms`;
    };
    const chartRows = Object.keys(CHARTS).map((k) => {
      const d = byChart.get(k) ?? [];
      return [`chart update: ${CHARTS[k]}`, d.length ? describe(d) : 'no update', 'no task over 50 ms', d.length === 0 ? '—' : d.every((u) => u.task === 0) ? 'yes' : 'no'];
    });
    const recharts = ['accuracy', 'loss', 'compare'].flatMap((k) => byChart.get(k) ?? []);
    const custom = ['histogram', 'mask'].flatMap((k) => byChart.get(k) ?? []);
    const maxLoadTask = loadLongTasks.reduce((m, t) => Math.max(m, t.duration), 0);
    if (errors.length) throw new Error(`page errors: ${errors.slice(0, 3).join(' / ')}`);
    const name = (u: string): string => new URL(u).pathname.replace(/^\/assets\//, '');
    const longest = runTasks.reduce((a, t) => (t.duration > a.duration ? t : a), { start: 0, duration: 0 });
    return {
      title: 'The page: production build in Chromium (headless, --enable-unsafe-webgpu)',
      targets: [
        {
          figure: 'Main-thread long tasks during a short run',
          ours: `${runTasks.length} (longest ${maxTask.toFixed(0)} ms)`,
          peer: `${loadLongTasks.length} while loading (longest ${maxLoadTask.toFixed(0)} ms)`,
          target: 'none over 50 ms',
          met: runTasks.length === 0,
          ...(runTasks.length
            ? { why: `the longest began ${((longest.start - runStart) / 1000).toFixed(1)} s after clicking Run; scripts in it: ${culpritLine || 'not named by the browser'}` }
            : {}),
        },
        {
          figure: 'Longest main-thread task during a chart update: recharts line charts',
          ours: recharts.length ? describe(recharts) : 'none measured',
          peer: custom.length ? `custom histograms and masks: ${describe(custom)}` : '—',
          target: 'no task over 50 ms',
          met: recharts.length > 0 && recharts.every((u) => u.task === 0),
          ...(recharts.length === 0 ? { why: 'no recharts update was measured' } : recharts.some((u) => u.task > 0) ? { why: 'a task over 50 ms ran during a recharts update' } : {}),
        },
        {
          figure: 'Main-thread CPU in each long task during the short run',
          ours: withCpu.length ? `at most ${maxCpu.toFixed(0)} ms (${withCpu.map((t) => `${t.wall.toFixed(0)}/${Number.isFinite(t.cpu) ? t.cpu.toFixed(0) : '?'}`).join(', ')} ms wall/CPU; ? = not found in the trace)` : 'no long task',
          peer: '—',
          target: 'none over 50 ms',
          met: cpuOver.length === 0,
          ...(cpuOver.length ? { why: `${cpuOver.length} long task(s) spent over 50 ms of main-thread CPU` } : {}),
        },
        { figure: 'Time to first screen ready (Run enabled)', ours: `${(readyAt / 1000).toFixed(2)} s`, peer: '—', target: '—', met: null },
        {
          figure: 'JavaScript before first screen: main thread / worker',
          ours: `${kib(bytes(mainFiles))} / ${kib(bytes(workerFiles))}`,
          peer: '—',
          target: 'tfjs only in the worker',
          met: !tfjsOnMain,
          ...(tfjsOnMain ? { why: 'tfjs-core code was found in a main-thread file' } : {}),
        },
      ],
      columns: ['measure', 'value', 'target', 'met'],
      rows: [
        ['time to first screen ready (Run enabled), from navigation', `${(readyAt / 1000).toFixed(2)} s`, '—', '—'],
        ['JavaScript on the main thread before ready', `${kib(bytes(mainFiles))} (${mainFiles.length} files)`, 'no tfjs', tfjsOnMain ? 'no: tfjs found' : 'yes: no tfjs'],
        ['JavaScript in the worker before ready', `${kib(bytes(workerFiles))} (${workerFiles.length} files)`, 'tfjs here', '—'],
        [`main-thread long tasks during a short run (${((end.at - runStart) / 1000).toFixed(1)} s)`, `${runTasks.length}, longest ${maxTask.toFixed(0)} ms`, 'none over 50 ms', runTasks.length === 0 ? 'yes' : `no (${runTasks.length})`],
        ['main-thread CPU in each of those long tasks', withCpu.length ? `at most ${maxCpu.toFixed(0)} ms` : 'no long task', 'none over 50 ms', cpuOver.length === 0 ? 'yes' : `no (${cpuOver.length})`],
        ['main-thread long tasks while loading (for reference)', `${loadLongTasks.length}, longest ${maxLoadTask.toFixed(0)} ms`, '—', '—'],
        ...chartRows,
      ],
      notes: [
        'Chart updates (src/views/useStaggered.ts) start in a timer task of their own; histograms and masks render there at once, the recharts charts as a React transition in slices of about 5 ms. "New data to drawn" is from that timer to the commit, pauses included; "longest task" is the longest main-thread task over 50 ms that overlapped an update (style, layout and paint included).',
        `Short run: ${runHash}, ticked for comparison once saved. Build: vite build into ${outDir}${Number.isNaN(buildSeconds) ? ' (reused)' : ` (${buildSeconds.toFixed(0)} s)`}, served by vite preview on port ${port}.`,
        `Main-thread files: ${mainFiles.map((f) => `${name(f.name)} ${kib(f.decodedBodySize)}`).join(', ')}. Worker files: ${workerFiles.map((f) => `${name(f.name)} ${kib(f.decodedBodySize)}`).join(', ')}.`,
        'A long task is wall time (Long Tasks API); its main-thread CPU time comes from a Chromium trace taken in the same run (toplevel RunTask events, thread time). On 2 cores, with the worker training on one and the GPU process compositing in software on the other, the main thread waits for a core inside its tasks: wall time above CPU time is that wait, not the page\'s work.',
        'Sizes are decoded bytes from Resource Timing (vite preview serves them uncompressed); tfjs is detected by tfjs-core\'s version string and its "tfjsflags" name.',
        ...(runTasks.length ? [`Scripts in the long animation frames around the run's long tasks: ${culpritLine || 'none named'}; task start times ${runTasks.map((t) => `${((t.start - runStart) / 1000).toFixed(1)} s`).join(', ')} after the click.`] : []),
      ],
    };
  } finally {
    await browser?.close();
    if (server.pid) {
      try {
        process.kill(-server.pid, 'SIGTERM'); // the npx process group: npx and vite under it
      } catch {
        // already gone
      }
    }
  }
}
