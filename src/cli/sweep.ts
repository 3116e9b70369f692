/**
 * `inq sweep`: many INQ runs from the same pre-trained model.
 *   --bits 2,3,…,8 [--strategies magnitude,random]   final accuracy against bit-width (and partition strategy)
 *   --ensemble 1..7 [--bits 5]                        N models from seeds s…s+N−1, softmax-averaged, accuracy against N
 * One row per run as it finishes (JSON lines with --json), then the table.
 */
import { parseArgs } from 'node:util';
import { runInq } from '../engine/session.ts';
import { ensembleCurve, parseEnsembleSpec } from '../engine/ensemble.ts';
import { datasetProbabilities } from '../model/evaluate.ts';
import { PARTITION_STRATEGIES, type PartitionStrategy } from '../inq/partition.ts';
import { progressReporter, UsageError } from './args.ts';
import { setupNodeBackend } from './nodeBackend.ts';
import { COMMON_RUN_OPTIONS, configFromOptions, dataFromOptions, loadPretrained, modelFromOptions, parseBitsList } from './runOptions.ts';
import type { InqConfig, InqEvent, RunSummary } from '../engine/types.ts';

const pct = (x: number): string => `${(x * 100).toFixed(2)} %`;

/** One finished run of a sweep. */
export interface SweepRow {
  bits: number;
  strategy: PartitionStrategy;
  /** Level grid: pow2 (INQ) or the uniform baseline. */
  levels: 'pow2' | 'uniform';
  seed: number;
  /** The cumulative portions this bit-width ran with (the paper's finer presets below 5 bits). */
  schedule: number[];
  floatAccuracy: number;
  accuracy: number;
  /** accuracy − floatAccuracy, in points (rounded to 1e-6 so JSON shows -0.05, not -0.0500000000000056). */
  deltaPoints: number;
  packedBytes: number;
  floatBytes: number;
  allLevels: boolean;
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
    options: { ...COMMON_RUN_OPTIONS, bits: { type: 'string' }, strategies: { type: 'string' }, ensemble: { type: 'string' } },
    strict: true,
  });
  if (values.strategy !== undefined) throw new UsageError('sweep takes --strategies (a list), not --strategy');
  const ensemble = values.ensemble === undefined ? null : ((): ReturnType<typeof parseEnsembleSpec> => {
    try {
      return parseEnsembleSpec(values.ensemble);
    } catch (e) {
      throw new UsageError(`--ensemble: ${(e as Error).message}`);
    }
  })();
  const bitsList = parseBitsList(values.bits ?? (ensemble ? '5' : '2,3,4,5,6,7,8'));
  if (ensemble && bitsList.length !== 1) throw new UsageError('--ensemble takes a single --bits value');
  const strategies = parseStrategies(values.strategies);
  if (ensemble && strategies.length !== 1) throw new UsageError('--ensemble takes a single strategy');
  // Check every configuration before the first (long) run starts.
  const baseSeed = configFromOptions(values, bitsList[0]).seed;
  const plan: InqConfig[] = [];
  if (ensemble) {
    for (let k = 0; k < ensemble.max; k++) plan.push({ ...configFromOptions(values, bitsList[0]), strategy: strategies[0], seed: baseSeed + k });
  } else {
    for (const strategy of strategies) for (const bits of bitsList) plan.push({ ...configFromOptions(values, bits), strategy });
  }
  const m = modelFromOptions(values);
  await setupNodeBackend(m.backend);
  const json = values.json ?? false;
  const progress = progressReporter();
  const rows: SweepRow[] = [];
  const members: Float32Array[] = [];
  let test = dataFromOptions(values, baseSeed, m.dataset).test;
  for (let i = 0; i < plan.length; i++) {
    const config = plan[i];
    const data = dataFromOptions(values, config.seed, m.dataset);
    test = data.test;
    const model = await loadPretrained(m.dir);
    const onEvent = (e: InqEvent): void => {
      if (e.type === 'batch') progress.update(`run ${i + 1}/${plan.length} (${config.bits} bits, ${config.strategy}, seed ${config.seed}) ${e.round === 0 ? 'pruning' : `round ${e.round}`} batch ${e.batch}/${e.batches}`);
    };
    let s: RunSummary;
    try {
      s = await runInq({ model, train: data.train, test: data.test, config, onEvent });
      if (ensemble) members.push(await datasetProbabilities(model, data.test));
    } finally {
      model.dispose();
    }
    progress.done();
    const row: SweepRow = {
      bits: config.bits,
      strategy: config.strategy,
      levels: config.levels ?? 'pow2',
      seed: config.seed,
      schedule: [...config.schedule],
      floatAccuracy: s.floatAccuracy,
      accuracy: s.finalAccuracy,
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
  if (ensemble) {
    const curve = ensembleCurve(members, test.labels, test.numClasses).filter((p) => ensemble.sizes.includes(p.members));
    const floatAccuracy = rows[0].floatAccuracy;
    if (json) {
      for (const p of curve) out(JSON.stringify({ ensemble: true, members: p.members, accuracy: p.accuracy, meanMemberAccuracy: p.meanMemberAccuracy, floatAccuracy, bits: bitsList[0] }));
      return;
    }
    out(`ensembles of ${bitsList[0]}-bit INQ models (seeds ${baseSeed}…${baseSeed + ensemble.max - 1}), softmax averaged, on ${test.count} test images; float ${pct(floatAccuracy)}`);
    out(`${'models'.padStart(6)} ${'ensemble'.padStart(9)} ${'mean member'.padStart(12)} ${'vs float'.padStart(9)}`);
    for (const p of curve) out(`${String(p.members).padStart(6)} ${pct(p.accuracy).padStart(9)} ${pct(p.meanMemberAccuracy).padStart(12)} ${((p.accuracy - floatAccuracy) * 100).toFixed(2).padStart(9)}`);
    return;
  }
  if (json) return;
  out(`INQ bit-width sweep${plan[0].levels === 'uniform' ? ' (uniform levels)' : ''} on ${test.count} test images (float ${pct(rows[0].floatAccuracy)})`);
  out(`${'bits'.padStart(4)} ${'strategy'.padEnd(9)} ${'accuracy'.padStart(9)} ${'vs float'.padStart(9)} ${'packed'.padStart(8)} ${'smaller'.padStart(8)} ${'seconds'.padStart(8)}`);
  for (const r of rows) {
    out(`${String(r.bits).padStart(4)} ${r.strategy.padEnd(9)} ${pct(r.accuracy).padStart(9)} ${r.deltaPoints.toFixed(2).padStart(9)} ${String(r.packedBytes).padStart(8)} ${`${(r.floatBytes / r.packedBytes).toFixed(2)}×`.padStart(8)} ${r.seconds.toFixed(0).padStart(8)}`);
  }
}
