/**
 * `inq sweep`: many INQ runs from the same pre-trained model.
 *   --bits 2,3,…,8 [--strategies magnitude,random]   final accuracy against bit-width (and partition strategy)
 *   --ensemble 1..7 [--bits 5]                        N models from seeds s…s+N−1, softmax-averaged, accuracy against N
 *   --repeat N [--final-test-size M]                   each bit-width from seeds s…s+N−1: mean and 95 % t interval
 *   --preset regulariser                               seeds/003: the over-parameterised and the small model's sweeps
 * One row per run as it finishes (JSON lines with --json), then the table.
 */
import { parseArgs } from 'node:util';
import { runInq } from '../engine/session.ts';
import { ensembleCurve, parseEnsembleSpec } from '../engine/ensemble.ts';
import { datasetProbabilities, evaluate } from '../model/evaluate.ts';
import { headSubset } from '../data/dataset.ts';
import { loadDatasetNode } from '../data/nodeDatasets.ts';
import { meanInterval } from '../inq/stats.ts';
import { SWEEP_PRESETS, sweepPresetById, type SweepPresetPart } from '../engine/presets.ts';
import { PARTITION_STRATEGIES, type PartitionStrategy } from '../inq/partition.ts';
import { numberOption, progressReporter, UsageError } from './args.ts';
import { setupNodeBackend } from './nodeBackend.ts';
import { boundedOption, COMMON_RUN_OPTIONS, configFromOptions, dataFromOptions, loadPretrained, modelFromOptions, parseBitsList, type CommonRunValues } from './runOptions.ts';
import type { InqConfig, InqEvent, RunSummary } from '../engine/types.ts';

const pct = (x: number): string => `${(x * 100).toFixed(2)} %`;

/** One finished run of a sweep. */
export interface SweepRow {
  /** The committed model's id. */
  model: string;
  bits: number;
  strategy: PartitionStrategy;
  /** Level grid: pow2 (INQ) or the uniform baseline. */
  levels: 'pow2' | 'uniform';
  seed: number;
  /** The cumulative portions this bit-width ran with (the paper's finer presets below 5 bits). */
  schedule: number[];
  /** Float and final accuracy on `testSize` test images (--final-test-size when given, else the rounds' images). */
  floatAccuracy: number;
  accuracy: number;
  testSize: number;
  /** accuracy − floatAccuracy, in points (rounded to 1e-6 so JSON shows -0.05, not -0.0500000000000056). */
  deltaPoints: number;
  packedBytes: number;
  floatBytes: number;
  allLevels: boolean;
  seconds: number;
}

/** One bit-width's seeds of a repeated sweep (--repeat N): the mean final accuracy and its 95 % t interval. */
export interface SweepSummary {
  summary: true;
  model: string;
  bits: number;
  strategy: PartitionStrategy;
  seeds: number[];
  accuracies: number[];
  meanAccuracy: number;
  interval: [number, number] | null;
  floatAccuracy: number;
  testSize: number;
  /** Wall time of the seeds' runs together (training, rounds' and final evaluation). */
  seconds: number;
}

function parseStrategies(text: string | undefined): PartitionStrategy[] {
  if (text === undefined) return ['magnitude'];
  const out: PartitionStrategy[] = [];
  for (const s of text.split(',').map((x) => x.trim())) {
    if (!(PARTITION_STRATEGIES as readonly string[]).includes(s)) throw new UsageError(`--strategies: "${s}" is not one of ${PARTITION_STRATEGIES.join(', ')}`);
    if (!out.includes(s as PartitionStrategy)) out.push(s as PartitionStrategy);
  }
  return out;
}

/** Runs the sweep command; results go to `out` (standard output by default), progress to stderr. */
export async function sweepCommand(argv: string[], out: (line: string) => void = (line) => void process.stdout.write(`${line}\n`)): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      ...COMMON_RUN_OPTIONS,
      bits: { type: 'string' },
      strategies: { type: 'string' },
      ensemble: { type: 'string' },
      repeat: { type: 'string' },
      'final-test-size': { type: 'string' },
      preset: { type: 'string' },
    },
    strict: true,
  });
  if (values.strategy !== undefined) throw new UsageError('sweep takes --strategies (a list), not --strategy');
  if (values.preset !== undefined) {
    await presetSweep(values, argv, out);
    return;
  }
  const ensemble = values.ensemble === undefined ? null : ((): ReturnType<typeof parseEnsembleSpec> => {
    try {
      return parseEnsembleSpec(values.ensemble);
    } catch (e) {
      throw new UsageError(`--ensemble: ${(e as Error).message}`);
    }
  })();
  if (!ensemble) {
    await bitsSweep(values, out);
    return;
  }
  if (values.repeat !== undefined || values['final-test-size'] !== undefined) throw new UsageError('--repeat and --final-test-size go with a bit-width sweep, not --ensemble');
  const bitsList = parseBitsList(values.bits ?? '5');
  if (bitsList.length !== 1) throw new UsageError('--ensemble takes a single --bits value');
  const strategies = parseStrategies(values.strategies);
  if (strategies.length !== 1) throw new UsageError('--ensemble takes a single strategy');
  // Check every configuration before the first (long) run starts.
  const baseSeed = configFromOptions(values, bitsList[0]).seed;
  const plan: InqConfig[] = [];
  for (let k = 0; k < ensemble.max; k++) plan.push({ ...configFromOptions(values, bitsList[0]), strategy: strategies[0], seed: baseSeed + k });
  const m = modelFromOptions(values);
  await setupNodeBackend(m.backend);
  const json = values.json ?? false;
  const progress = progressReporter();
  const rows: SweepRow[] = [];
  const members: Float32Array[] = [];
  let test = dataFromOptions(values, { seed: baseSeed }, m.dataset).test;
  for (let i = 0; i < plan.length; i++) {
    const config = plan[i];
    const data = dataFromOptions(values, config, m.dataset);
    test = data.test;
    const model = await loadPretrained(m.dir);
    const onEvent = (e: InqEvent): void => {
      if (e.type === 'batch') progress.update(`run ${i + 1}/${plan.length} (${config.bits} bits, ${config.strategy}, seed ${config.seed}) ${e.round === 0 ? 'pruning' : `round ${e.round}`} batch ${e.batch}/${e.batches}`);
    };
    let s: RunSummary;
    try {
      s = await runInq({ model, train: data.train, test: data.test, config, onEvent, phaseSnapshots: false });
      members.push(await datasetProbabilities(model, data.test));
    } finally {
      model.dispose();
    }
    progress.done();
    const row: SweepRow = {
      model: values.model ?? 'lenet5',
      bits: config.bits,
      strategy: config.strategy,
      levels: config.levels ?? 'pow2',
      seed: config.seed,
      schedule: [...config.schedule],
      floatAccuracy: s.floatAccuracy,
      accuracy: s.finalAccuracy,
      testSize: data.test.count,
      deltaPoints: Math.round((s.finalAccuracy - s.floatAccuracy) * 1e8) / 1e6,
      packedBytes: s.packedBytes,
      floatBytes: s.floatBytes,
      allLevels: s.allLevels,
      seconds: s.seconds,
    };
    rows.push(row);
    if (json) out(JSON.stringify(row));
    else process.stderr.write(`run ${i + 1}/${plan.length}: ${row.bits} bits ${row.strategy} seed ${row.seed}: ${pct(row.accuracy)} (float ${pct(row.floatAccuracy)}), ${row.seconds.toFixed(0)} s\n`);
  }
  const curve = ensembleCurve(members, test.labels, test.numClasses).filter((p) => ensemble.sizes.includes(p.members));
  const floatAccuracy = rows[0].floatAccuracy;
  if (json) {
    for (const p of curve) out(JSON.stringify({ ensemble: true, members: p.members, accuracy: p.accuracy, meanMemberAccuracy: p.meanMemberAccuracy, floatAccuracy, bits: bitsList[0] }));
    return;
  }
  out(`ensembles of ${bitsList[0]}-bit INQ models (seeds ${baseSeed}…${baseSeed + ensemble.max - 1}), softmax averaged, on ${test.count} test images; float ${pct(floatAccuracy)}`);
  out(`${'models'.padStart(6)} ${'ensemble'.padStart(9)} ${'mean member'.padStart(12)} ${'vs float'.padStart(9)}`);
  for (const p of curve) out(`${String(p.members).padStart(6)} ${pct(p.accuracy).padStart(9)} ${pct(p.meanMemberAccuracy).padStart(12)} ${((p.accuracy - floatAccuracy) * 100).toFixed(2).padStart(9)}`);
}

/** One bit-width sweep (each bit-width's preset schedule unless --schedule), optionally from several seeds with the final model on more test images. */
async function bitsSweep(values: CommonRunValues & { bits?: string; strategies?: string; repeat?: string; 'final-test-size'?: string }, out: (line: string) => void, quiet = false): Promise<SweepSummary[]> {
  const bitsList = parseBitsList(values.bits ?? '2,3,4,5,6,7,8');
  const strategies = parseStrategies(values.strategies);
  const repeat = values.repeat === undefined ? 1 : boundedOption(values.repeat, 'repeat', 'repeats', 0);
  // Check every configuration before the first (long) run starts.
  const base = configFromOptions(values, bitsList[0]);
  const plan: InqConfig[] = [];
  for (const strategy of strategies) for (const bits of bitsList) for (let k = 0; k < repeat; k++) plan.push({ ...configFromOptions(values, bits), strategy, seed: base.seed + k });
  const m = modelFromOptions(values);
  const full = loadDatasetNode(m.dataset, values['data-dir']).test;
  const finalTestSize = values['final-test-size'] === undefined ? null : numberOption(values['final-test-size'], 'final-test-size', full.count, { integer: true, min: 1, max: full.count });
  await setupNodeBackend(m.backend, quiet);
  const json = values.json ?? false;
  const id = values.model ?? 'lenet5';
  const progress = progressReporter();
  const rows: SweepRow[] = [];
  const summaries: SweepSummary[] = [];
  // Float on the final test images, once (the rounds' float figure is on the rounds' images).
  const finalTest = finalTestSize === null ? null : headSubset(full, finalTestSize);
  let finalFloat: number | null = null;
  if (finalTest) {
    const model = await loadPretrained(m.dir);
    try {
      finalFloat = (await evaluate(model, finalTest)).accuracy;
    } finally {
      model.dispose();
    }
  }
  for (let i = 0; i < plan.length; i++) {
    const config = plan[i];
    const data = dataFromOptions(values, config, m.dataset);
    const model = await loadPretrained(m.dir);
    const onEvent = (e: InqEvent): void => {
      if (e.type === 'batch') progress.update(`${id} run ${i + 1}/${plan.length} (${config.bits} bits, ${config.strategy}, seed ${config.seed}) ${e.round === 0 ? 'pruning' : `round ${e.round}`} batch ${e.batch}/${e.batches}`);
    };
    const t0 = performance.now();
    let s: RunSummary;
    let accuracy: number;
    try {
      s = await runInq({ model, train: data.train, test: data.test, config, onEvent, phaseSnapshots: false });
      accuracy = finalTest ? (await evaluate(model, finalTest)).accuracy : s.finalAccuracy;
    } finally {
      model.dispose();
    }
    progress.done();
    const floatAccuracy = finalFloat ?? s.floatAccuracy;
    const row: SweepRow = {
      model: id,
      bits: config.bits,
      strategy: config.strategy,
      levels: config.levels ?? 'pow2',
      seed: config.seed,
      schedule: [...config.schedule],
      floatAccuracy,
      accuracy,
      testSize: finalTest ? finalTest.count : data.test.count,
      deltaPoints: Math.round((accuracy - floatAccuracy) * 1e8) / 1e6,
      packedBytes: s.packedBytes,
      floatBytes: s.floatBytes,
      allLevels: s.allLevels,
      seconds: (performance.now() - t0) / 1000,
    };
    rows.push(row);
    if (json) out(JSON.stringify(row));
    else process.stderr.write(`${id} run ${i + 1}/${plan.length}: ${row.bits} bits ${row.strategy} seed ${row.seed}: ${pct(row.accuracy)} (float ${pct(row.floatAccuracy)}), ${row.seconds.toFixed(0)} s\n`);
    const group = rows.filter((r) => r.bits === row.bits && r.strategy === row.strategy);
    if (repeat > 1 && group.length === repeat) {
      const st = meanInterval(group.map((r) => r.accuracy), [0, 1]);
      const sum: SweepSummary = {
        summary: true,
        model: id,
        bits: row.bits,
        strategy: row.strategy,
        seeds: group.map((r) => r.seed),
        accuracies: group.map((r) => r.accuracy),
        meanAccuracy: st.mean,
        interval: st.interval,
        floatAccuracy,
        testSize: row.testSize,
        seconds: group.reduce((a, r) => a + r.seconds, 0),
      };
      summaries.push(sum);
      if (json) out(JSON.stringify(sum));
    }
  }
  if (json) return summaries;
  const lines = [`INQ bit-width sweep of ${id}${plan[0].levels === 'uniform' ? ' (uniform levels)' : ''} on ${rows[0].testSize} test images (float ${pct(rows[0].floatAccuracy)})`];
  if (repeat > 1) {
    lines.push(`${'bits'.padStart(4)} ${'strategy'.padEnd(9)} ${`mean of ${repeat} seeds`.padStart(16)} ${'95 % t interval'.padStart(20)} ${'vs float'.padStart(9)} ${'seconds'.padStart(8)}`);
    for (const x of summaries) {
      const [lo, hi] = x.interval ?? [x.meanAccuracy, x.meanAccuracy];
      lines.push(`${String(x.bits).padStart(4)} ${x.strategy.padEnd(9)} ${pct(x.meanAccuracy).padStart(16)} ${`[${pct(lo)}, ${pct(hi)}]`.padStart(20)} ${((x.meanAccuracy - x.floatAccuracy) * 100).toFixed(2).padStart(9)} ${x.seconds.toFixed(0).padStart(8)}`);
    }
  } else {
    lines.push(`${'bits'.padStart(4)} ${'strategy'.padEnd(9)} ${'accuracy'.padStart(9)} ${'vs float'.padStart(9)} ${'packed'.padStart(8)} ${'smaller'.padStart(8)} ${'seconds'.padStart(8)}`);
    for (const r of rows) {
      lines.push(`${String(r.bits).padStart(4)} ${r.strategy.padEnd(9)} ${pct(r.accuracy).padStart(9)} ${r.deltaPoints.toFixed(2).padStart(9)} ${String(r.packedBytes).padStart(8)} ${`${(r.floatBytes / r.packedBytes).toFixed(2)}×`.padStart(8)} ${r.seconds.toFixed(0).padStart(8)}`);
    }
  }
  for (const l of lines) out(l);
  return summaries;
}

/** The command-line values a preset part stands for (options given on the command line win, except the model). */
export function presetPartValues(part: SweepPresetPart, preset: { bits: readonly number[]; repeats: number; finalTestSize: number }): Record<string, string> {
  return {
    model: part.model,
    bits: preset.bits.join(','),
    repeat: String(preset.repeats),
    'final-test-size': String(preset.finalTestSize),
    'train-size': String(part.trainSize),
    ...(part.trainSeed !== undefined ? { 'train-seed': String(part.trainSeed) } : {}),
    seed: String(part.seed),
    'epochs-per-round': String(part.epochsPerRound),
    lr: String(part.learningRate),
    'test-size': String(part.testSize),
  };
}

/** `--preset ID`: each of the preset's models swept in turn, with the preset's settings under any options given. */
async function presetSweep(values: Record<string, string | boolean | undefined>, argv: readonly string[], out: (line: string) => void): Promise<void> {
  const preset = sweepPresetById(String(values.preset));
  if (!preset) throw new UsageError(`--preset must be one of ${SWEEP_PRESETS.map((p) => p.id).join(', ')} (got "${String(values.preset)}")`);
  if (argv.some((a) => a === '--model' || a.startsWith('--model=') || a === '--model-dir' || a.startsWith('--model-dir=') || a === '--ensemble' || a.startsWith('--ensemble='))) {
    throw new UsageError(`--preset ${preset.id} sets the models (${preset.parts.map((p) => p.model).join(', ')}); it takes no --model, --model-dir or --ensemble`);
  }
  const given = Object.fromEntries(Object.entries(values).filter(([k, v]) => v !== undefined && k !== 'model' && k !== 'preset' && argv.some((a) => a === `--${k}` || a.startsWith(`--${k}=`))));
  type PartValues = CommonRunValues & { bits?: string; strategies?: string; repeat?: string; 'final-test-size'?: string };
  const parts = preset.parts.map((part): PartValues => ({ ...presetPartValues(part, preset), json: values.json as boolean | undefined, ...given }));
  // Check both parts' settings before the first run.
  for (const p of parts) {
    parseBitsList(p.bits ?? '');
    configFromOptions(p, 2);
    modelFromOptions(p);
  }
  for (const [i, p] of parts.entries()) {
    if (!values.json) out(`— ${preset.title}: ${preset.parts[i].role} model ${preset.parts[i].model} —`);
    await bitsSweep(p, out, i > 0);
  }
}
