/** `inq quantize` and `inq partition`: the pure INQ math on JSON from stdin (no tfjs loaded). */
import { parseArgs } from 'node:util';
import { levelSet, maxAbs } from '../inq/levels.ts';
import { quantizeAll } from '../inq/quantize.ts';
import { partition, PARTITION_STRATEGIES } from '../inq/partition.ts';
import { choiceOption, numberArray, numberOption, parseJsonInput, readStdin, UsageError } from './args.ts';

/** quantize --bits B [--n1 N]: stdin a JSON array; stdout {n1, n2, levels, values}. */
export async function quantizeCommand(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { bits: { type: 'string' }, n1: { type: 'string' } }, strict: true });
  if (values.bits === undefined) throw new UsageError('--bits is required (2 to 8)');
  const bits = numberOption(values.bits, 'bits', 5, { integer: true, min: 2, max: 8 });
  const n1Given = values.n1 === undefined ? undefined : numberOption(values.n1, 'n1', 0, { integer: true, min: -100, max: 100 });
  const weights = numberArray(parseJsonInput(await readStdin()), 'input');
  if (weights.length === 0) throw new UsageError('the input array is empty: nothing to quantize');
  const w = Float32Array.from(weights);
  let set;
  try {
    set = levelSet(bits, n1Given === undefined ? maxAbs(w) : 1, n1Given);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const q = quantizeAll(w, set);
  process.stdout.write(`${JSON.stringify({ n1: set.n1, n2: set.n2, levels: Array.from(set.levels), values: Array.from(q) })}\n`);
}

/** partition --portion P [--strategy magnitude|random] [--seed S]: stdin {weights, frozen?}; stdout {frozen}. */
export async function partitionCommand(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: { portion: { type: 'string' }, strategy: { type: 'string' }, seed: { type: 'string' } },
    strict: true,
  });
  if (values.portion === undefined) throw new UsageError('--portion is required (a number in [0, 1])');
  const portion = numberOption(values.portion, 'portion', 0, { min: 0, max: 1 });
  const strategy = choiceOption(values.strategy, 'strategy', PARTITION_STRATEGIES, 'magnitude');
  const seed = numberOption(values.seed, 'seed', 0, { integer: true });
  const input = parseJsonInput(await readStdin());
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new UsageError('stdin must be a JSON object {"weights":[…], "frozen":[0|1,…]}');
  }
  const obj = input as { weights?: unknown; frozen?: unknown };
  const weights = Float32Array.from(numberArray(obj.weights, 'weights'));
  let frozen: Uint8Array | undefined;
  if (obj.frozen !== undefined) {
    const f = numberArray(obj.frozen, 'frozen');
    if (f.length !== weights.length) throw new UsageError(`frozen has ${f.length} entries but weights has ${weights.length}`);
    if (f.some((v) => v !== 0 && v !== 1)) throw new UsageError('frozen entries must be 0 or 1');
    frozen = Uint8Array.from(f);
  }
  const next = partition(weights, frozen, portion, { strategy, seed });
  process.stdout.write(`${JSON.stringify({ frozen: Array.from(next) })}\n`);
}
