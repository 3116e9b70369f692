/**
 * `npm run bench [-- --suite inq,step] [suite…]`: runs the suites, prints one table per suite and
 * then one table of the issue's targets (each figure beside a peer measured in the same run), and
 * writes bench/RESULTS.md with the date, the machine, the adapter and a note for every missed target.
 */
import { writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { parseArgs } from 'node:util';
import { benchInq } from './inq.ts';
import { LENET_TOTAL, LENET_TOTAL_NO_CONV1, benchKernel } from './kernel.ts';
import { benchStep } from './step.ts';
import { benchRound } from './round.ts';
import { benchPage } from './page.ts';
import { benchBackend } from './backend.ts';
import { restartWithVulkan } from '../src/model/vulkanEnv.ts';
import { benchTrain } from './train.ts';
import { formatTable, markdownTable, type Table, type Target } from './table.ts';

const SUITES: Record<string, { about: string; run: () => Promise<Table | Table[]> | Table }> = {
  inq: { about: 'partition + quantize + mask bookkeeping, 1M/10M/50M weights, against a full sort', run: () => benchInq([1e6, 1e7, 5e7]) },
  step: { about: 'masked re-training step against a plain tfjs step, LeNet-5', run: () => benchStep() },
  round: { about: 'share of a LeNet-5 INQ round spent outside training', run: () => benchRound() },
  kernel: { about: "shift kernels against tfjs's WebGPU conv2d/matMul on the same adapter", run: () => benchKernel() },
  page: { about: 'the built page in Chromium: ready time, JS before ready, long tasks during a run', run: () => benchPage() },
  train: { about: 'LeNet-5 training ms/sample per backend (Node wasm/webgpu/cpu, the page wasm/webgl/webgpu) beside PyTorch', run: () => benchTrain() },
};

/** The kernel suite predates targets: its LeNet-5 total rows (with and without tfjs's slow conv1), as reported figures. */
function kernelTargets(t: Table): Target[] {
  const ms = (v: string | number): string => (typeof v === 'number' ? v.toFixed(1) : v);
  return [
    [LENET_TOTAL, 'Shift kernels, LeNet-5 forward batch 32 (ms, GPU)'],
    [LENET_TOTAL_NO_CONV1, 'Shift kernels, LeNet-5 forward batch 32 without conv1 (ms, GPU)'],
  ].flatMap(([row, figure]) => {
    const r = t.rows.find((x) => x[0] === row);
    return r ? [{ figure, ours: `${ms(r[2])} float / ${ms(r[3])} fixed`, peer: `tfjs ${ms(r[4])}`, target: '—', met: null }] : [];
  });
}

function parseSuites(argv: string[]): string[] {
  const { values, positionals } = parseArgs({ args: argv, options: { suite: { type: 'string', multiple: true }, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
  if (values.help) {
    process.stdout.write(`npm run bench [-- --suite a,b] [suite…]\nsuites:\n${Object.entries(SUITES).map(([k, s]) => `  ${k.padEnd(7)} ${s.about}`).join('\n')}\n`);
    process.exit(0);
  }
  const wanted = [...(values.suite ?? []).flatMap((s) => s.split(',')), ...positionals].map((s) => s.trim()).filter(Boolean);
  for (const n of wanted) if (!SUITES[n]) throw new Error(`unknown suite "${n}"; choose from ${Object.keys(SUITES).join(', ')}`);
  return wanted.length ? [...new Set(wanted)] : Object.keys(SUITES);
}

async function main(argv: string[]): Promise<void> {
  const names = parseSuites(argv);
  const t0 = performance.now();
  const load0 = loadavg()[0];
  const tables: Table[] = [];
  const timings: string[] = [];
  for (const n of names) {
    process.stderr.write(`bench: running ${n}…\n`);
    const s0 = performance.now();
    const result = await SUITES[n].run();
    for (const t of Array.isArray(result) ? result : [result]) {
      if (n === 'kernel') t.targets = kernelTargets(t);
      tables.push(t);
      process.stdout.write(`${formatTable(t)}\n\n`);
    }
    timings.push(`${n} ${((performance.now() - s0) / 1000).toFixed(0)} s`);
  }
  const targets = tables.flatMap((t) => t.targets ?? []);
  const yesNo = (m: boolean | null): string => (m === null ? '—' : m ? 'yes' : 'no');
  const summary: Table = {
    title: 'Targets (each figure beside its peer from the same run)',
    columns: ['figure', 'ours', 'peer', 'target', 'met'],
    rows: targets.map((x) => [x.figure, x.ours, x.peer, x.target, yesNo(x.met)]),
    notes: targets.filter((x) => x.met === false).map((x) => `Missed: ${x.figure}: ${x.why ?? 'see its table'}.`),
  };
  process.stdout.write(`${formatTable(summary)}\n`);

  const usesTfjs = names.some((n) => n === 'step' || n === 'round' || n === 'kernel');
  const adapter = usesTfjs ? await benchBackend() : 'not used (no tfjs suite ran)';
  const cpu = cpus();
  const machine = `${cpu.length} × ${cpu[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`;
  const seconds = (performance.now() - t0) / 1000;
  const md = [
    '# Benchmark results',
    '',
    `Date: ${new Date().toISOString().slice(0, 10)}  `,
    `Machine: ${machine}  `,
    `Adapter: ${adapter}  `,
    `Suites: ${names.join(', ')} (${timings.join(', ')}; ${(seconds / 60).toFixed(1)} min in all)  `,
    `Load average (1 min) at the start and end: ${load0.toFixed(1)} and ${loadavg()[0].toFixed(1)} on ${cpu.length} cores${load0 > cpu.length ? ' (more runnable processes than cores before the benchmark began: other work competed with it)' : ''}. Every figure is measured beside its peer in the same run, interleaved where possible, and summarised by medians; CPU-time columns count only this process's work.`,
    '',
    markdownTable(summary),
    '',
    tables.map(markdownTable).join('\n\n'),
  ].join('\n');
  writeFileSync(new URL('./RESULTS.md', import.meta.url), `${md}\n`);
  process.stderr.write(`bench: done in ${(seconds / 60).toFixed(1)} min; wrote bench/RESULTS.md\n`);
}

// The Node suites run WebGPU on Dawn: find its Vulkan driver first (this may re-run the process once).
restartWithVulkan();
main(process.argv.slice(2)).then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`bench: ${(e as Error).message}\n`);
    process.exit(1);
  },
);
