/**
 * Training speed per backend: ms per training sample of one LeNet-5 step (the page's defaults:
 * batch 64, softmax cross-entropy, SGD with momentum 0.9, lr 0.01, L2 weight decay 1e-4 on the conv
 * and dense kernels) on every backend available, in Node (wasm,
 * webgpu, cpu), in the built page in Chromium (wasm, webgl, webgpu; the product's own run, its
 * re-training time per sample) and in PyTorch on one CPU thread when Debian's python3-torch is there.
 * Node's backends take turns step by step, so a busy machine slows them alike. A per-kernel profile of
 * one wasm step says where the time goes.
 */
import * as tf from '@tensorflow/tfjs';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { chromium } from '@playwright/test';
import playwrightConfig from '../playwright.config.ts';
import { DEFAULT_CONFIG } from '../src/engine/types.ts';
import { loadMnistNode } from '../src/data/nodeMnist.ts';
import { epochBatches, gatherBatch, randomSubset } from '../src/data/dataset.ts';
import { loadModelDir } from '../src/model/nodeIo.ts';
import { kernelsOf } from '../src/model/quantLayers.ts';
import { installNodeWebGpu } from '../src/model/nodeGpu.ts';
import { describeAdapter, loadWasm, probeAdapter } from '../src/model/backend.ts';
import { LENET5_DIR } from './step.ts';
import { waitForServer } from './page.ts';
import { median, type Table, type Target } from './table.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BATCH = DEFAULT_CONFIG.batchSize;
const LR = DEFAULT_CONFIG.learningRate;
const MOMENTUM = DEFAULT_CONFIG.momentum;
const WD = DEFAULT_CONFIG.weightDecay;

interface Column {
  where: string;
  backend: string;
  msPerSample: number | null;
  note: string;
}

type NodeBackend = 'wasm' | 'webgpu' | 'cpu';

/** One plain training step (the trainer's loss: cross-entropy plus coupled L2 on the kernels); the loss read back so the time covers the work. */
async function step(model: tf.LayersModel, opt: tf.Optimizer, x: tf.Tensor, y: tf.Tensor): Promise<number> {
  const kernels = kernelsOf(model).map((k) => k.variable);
  const loss = opt.minimize(() => {
    const ce = tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar;
    return tf.add(ce, tf.mul(tf.addN(kernels.map((k) => tf.sum(tf.square(k)))), WD / 2)) as tf.Scalar;
  }, true);
  if (!loss) throw new Error('optimizer.minimize returned no loss');
  const v = (await loss.data())[0]; // async: WebGPU's synchronous read needs a canvas, which Node lacks
  loss.dispose();
  return v;
}

/** Node: each available backend keeps its own model and optimizer; they take turns step by step. */
async function nodeColumns(steps: Record<NodeBackend, number>): Promise<{ columns: Column[]; profile: Table }> {
  const gpu = await installNodeWebGpu();
  const adapter = gpu.ok ? describeAdapter(await probeAdapter()) : null;
  if (gpu.ok) await import('@tensorflow/tfjs-backend-webgpu');
  await loadWasm();
  const data = randomSubset(loadMnistNode().train, BATCH * 4, 1);
  const batches = epochBatches(data.count, BATCH, 1).map((b) => gatherBatch(data, b));
  const names: NodeBackend[] = ['wasm', ...(gpu.ok ? (['webgpu'] as const) : []), 'cpu'];
  const state = new Map<NodeBackend, { model: tf.LayersModel; opt: tf.Optimizer; xs: tf.Tensor[]; ys: tf.Tensor[]; ms: number[] }>();
  for (const b of names) {
    if (!(await tf.setBackend(b))) throw new Error(`backend ${b} did not start`);
    const model = await loadModelDir(LENET5_DIR);
    const xs = batches.map((bt) => tf.tensor(bt.x, [bt.y.length, 28, 28, 1]));
    const ys = batches.map((bt) => tf.oneHot(tf.tensor1d(bt.y, 'int32'), 10));
    const opt = tf.train.momentum(LR, MOMENTUM);
    for (let i = 0; i < 2; i++) await step(model, opt, xs[i], ys[i]); // warm-up: shader compiles, operator caches
    state.set(b, { model, opt, xs, ys, ms: [] });
  }
  const most = Math.max(...names.map((b) => steps[b]));
  for (let s = 0; s < most; s++) {
    for (const b of names) {
      const st = state.get(b)!;
      if (st.ms.length >= steps[b]) continue;
      await tf.setBackend(b);
      const t0 = performance.now();
      await step(st.model, st.opt, st.xs[s % st.xs.length], st.ys[s % st.ys.length]);
      st.ms.push(performance.now() - t0);
    }
  }
  // Where a wasm step's time goes: tf.profile's kernel times, summed per kernel, median of 5 profiled steps.
  await tf.setBackend('wasm');
  const w = state.get('wasm')!;
  const perKernel = new Map<string, number[]>();
  const walls: number[] = [];
  for (let r = 0; r < 5; r++) {
    const t0 = performance.now();
    const p = await tf.profile(() => step(w.model, w.opt, w.xs[r % w.xs.length], w.ys[r % w.ys.length]));
    walls.push(performance.now() - t0);
    const sums = new Map<string, number>();
    for (const k of p.kernels) sums.set(k.name, (sums.get(k.name) ?? 0) + Number(k.kernelTimeMs));
    for (const [k, v] of sums) perKernel.set(k, [...(perKernel.get(k) ?? []), v]);
  }
  const rows = [...perKernel].map(([k, v]) => [k, median(v)] as [string, number]).sort((a, b) => b[1] - a[1]);
  const total = rows.reduce((s, r) => s + r[1], 0);
  const top = rows.slice(0, 12);
  const rest = total - top.reduce((s, r) => s + r[1], 0);
  const profile: Table = {
    title: `Where a wasm LeNet-5 step goes (batch ${BATCH}; tf.profile kernel times, median of 5 steps, ms)`,
    columns: ['kernel', 'ms per step', 'share'],
    rows: [...top.map(([k, v]) => [k, v, `${((v / total) * 100).toFixed(0)} %`]), ['(other kernels)', rest, `${((rest / total) * 100).toFixed(0)} %`], ['all kernels', total, '100 %']],
    notes: [
      `A profiled step took ${median(walls).toFixed(1)} ms of wall time against ${total.toFixed(1)} ms inside kernels: the rest is tfjs's own bookkeeping (the gradient tape, tensor tracking, the optimizer's per-variable ops).`,
      'Conv2DBackpropFilter, Conv2DBackpropInput, MaxPoolGrad and the transposed BatchMatMul are ours (src/model/wasmKernels.ts); the others are tfjs-backend-wasm 4.22 as shipped.',
    ],
  };
  const columns: Column[] = names.map((b) => {
    const st = state.get(b)!;
    const note = b === 'webgpu' ? `Dawn on ${adapter?.description ?? 'an adapter'}` : b === 'wasm' ? 'XNNPACK, SIMD, 1 thread' : 'pure JS';
    return { where: 'Node', backend: b, msPerSample: median(st.ms) / BATCH, note: `${note}; median of ${st.ms.length} steps` };
  });
  for (const b of names) {
    const st = state.get(b)!;
    await tf.setBackend(b);
    tf.dispose([...st.xs, ...st.ys]);
    st.opt.dispose();
    st.model.dispose();
  }
  await tf.setBackend('wasm');
  return { columns, profile };
}

/** The page: the product's own run on each backend, its re-training time per sample (round 2: shaders already compiled). */
async function pageColumns(backends: string[], trainSize: number): Promise<Column[]> {
  const port = Number(process.env.BENCH_PORT || 4184);
  const outDir = 'dist-bench';
  if (!existsSync(`${ROOT}/${outDir}/index.html`) || process.env.BENCH_REBUILD !== '0') {
    const b = spawnSync('npx', ['vite', 'build', '--outDir', outDir, '--emptyOutDir', '--logLevel', 'error'], { cwd: ROOT, encoding: 'utf8' });
    if (b.status !== 0) throw new Error(`vite build failed: ${(b.stderr || b.stdout).trim().split('\n').slice(-3).join(' / ')}`);
  }
  const server = spawn('npx', ['vite', 'preview', '--port', String(port), '--strictPort', '--outDir', outDir], { cwd: ROOT, stdio: 'ignore', detached: true });
  const base = `http://localhost:${port}`;
  const launch = playwrightConfig.use?.launchOptions ?? {};
  const browser = await chromium.launch({ ...launch, executablePath: process.env.CHROMIUM_PATH || launch.executablePath || '/usr/bin/chromium', headless: true });
  const out: Column[] = [];
  try {
    await waitForServer(base, server, 60_000);
    for (const b of backends) {
      const page = await browser.newPage();
      try {
        await page.goto(`${base}/#backend=${b}&schedule=0.5,0.75,1&train=${trainSize}&test=100&batch=${BATCH}&lr=${LR}`);
        const run = page.getByRole('button', { name: 'Run', exact: true });
        await page.waitForFunction(() => [...document.querySelectorAll('button')].some((x) => x.textContent?.trim() === 'Run' && !(x as HTMLButtonElement).disabled), undefined, { timeout: 240_000 });
        const badge = ((await page.getByTestId('backend-badge').textContent()) ?? '').trim();
        const ran = badge.split(' ')[0];
        if (ran !== b) {
          out.push({ where: 'Chromium', backend: b, msPerSample: null, note: `did not start: ${badge}` });
          continue;
        }
        await run.click();
        await page.getByTestId('run-summary').waitFor({ timeout: 600_000 });
        const rounds = await page.evaluate(() => {
          const hook = (window as unknown as { __inq: { store: { getState(): { rounds: { trainSeconds: number }[] } } } }).__inq;
          return hook.store.getState().rounds.map((r) => r.trainSeconds);
        });
        out.push({ where: 'Chromium', backend: b, msPerSample: (rounds[1] * 1000) / trainSize, note: badge.slice(ran.length).replace(/^\s*—\s*/, '').slice(0, 140) });
      } finally {
        await page.close();
      }
    }
  } finally {
    await browser.close();
    if (server.pid) process.kill(-server.pid);
  }
  return out;
}

/** PyTorch, one thread, when a python3 with torch exists (Debian's python3-torch installs it for /usr/bin/python3). */
function torchColumn(steps: number): Column {
  for (const py of ['python3', '/usr/bin/python3']) {
    if (spawnSync(py, ['-c', 'import torch'], { encoding: 'utf8' }).status !== 0) continue;
    const r = spawnSync(py, [fileURLToPath(new URL('./trainTorch.py', import.meta.url)), String(steps), '3', String(BATCH), String(LR), String(MOMENTUM), String(WD)], { encoding: 'utf8' });
    if (r.status !== 0) return { where: 'PyTorch', backend: 'cpu', msPerSample: null, note: `failed: ${r.stderr.trim().split('\n').pop()}` };
    const d = JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}') as { torch: string; msPerStep: number[] };
    return { where: 'PyTorch', backend: 'cpu, 1 thread', msPerSample: median(d.msPerStep) / BATCH, note: `torch ${d.torch} (${py}); median of ${d.msPerStep.length} steps` };
  }
  return { where: 'PyTorch', backend: '—', msPerSample: null, note: 'skipped: no python3 with torch here (Debian: apt-get install python3-torch)' };
}

/** Runs the suite: `page: false` skips Chromium. */
export async function benchTrain(options: { page?: boolean; steps?: number } = {}): Promise<Table[]> {
  const steps = options.steps ?? 20;
  const load0 = loadavg()[0];
  const torch = torchColumn(steps * 2);
  const { columns: node, profile } = await nodeColumns({ wasm: steps, webgpu: 3, cpu: 3 });
  const page = options.page === false ? [] : await pageColumns(['wasm', 'webgl', 'webgpu'], 640);
  const torchAgain = torchColumn(steps * 2); // before and after, so a change in the machine's load shows
  const torchMs = torch.msPerSample !== null && torchAgain.msPerSample !== null ? Math.min(torch.msPerSample, torchAgain.msPerSample) : null;
  const all = [...node, ...page, torchMs === null ? torch : { ...torch, msPerSample: torchMs, note: `${torch.note}; faster of two runs (${torch.msPerSample?.toFixed(3)}, ${torchAgain.msPerSample?.toFixed(3)})` }];
  const wasm = node.find((c) => c.backend === 'wasm')?.msPerSample ?? null;
  const targets: Target[] = [];
  if (wasm !== null && torchMs !== null) {
    const ratio = wasm / torchMs;
    targets.push({
      figure: 'wasm LeNet-5 training ÷ PyTorch (1 thread), per sample',
      ours: `${wasm.toFixed(3)} ms (${ratio.toFixed(2)}×)`,
      peer: `PyTorch ${torchMs.toFixed(3)} ms`,
      target: '≤ 2×',
      met: ratio <= 2,
      ...(ratio > 2 ? { why: `wasm is ${ratio.toFixed(2)}× PyTorch; the profile table shows where a step's time goes` } : {}),
    });
  }
  const main: Table = {
    title: `Training LeNet-5: ms per sample, batch ${BATCH}, SGD momentum ${MOMENTUM}, lr ${LR}, weight decay ${WD}, softmax cross-entropy`,
    columns: ['where', 'backend', 'ms per sample', '× PyTorch', 'note'],
    rows: all.map((c) => [c.where, c.backend, c.msPerSample === null ? '—' : c.msPerSample.toFixed(3), c.msPerSample !== null && torchMs ? `${(c.msPerSample / torchMs).toFixed(1)}×` : '—', c.note]),
    notes: [
      `Load average (1 min) ${load0.toFixed(1)} at the start, ${loadavg()[0].toFixed(1)} at the end. Node's backends alternate step by step; PyTorch ran before and after them.`,
      "The page's figures are the product's own run (round 2's re-training time over its 640 images, batch 64), so they include the worker's per-batch events.",
    ],
    targets,
  };
  return [main, profile];
}
