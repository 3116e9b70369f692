/** `inq compare DIR_A DIR_B [--json]`: two runs' final models compared image by image (McNemar, paired interval). */
import { parseArgs } from 'node:util';
import { describeComparison } from '../inq/stats.ts';
import { UsageError } from './args.ts';
import { compareRuns, readPredictions } from './predictions.ts';

const HELP = `usage: npm run -s inq -- compare DIR_A DIR_B [--json]
  pairs the predictions.json of two "run … --out DIR" folders, image by image: accuracies, their
  difference with a 95 % interval (Newcombe's paired method), the discordant counts [b, c] (images only
  A got right, only B) and the exact McNemar p-value. Runs scored on different test images are refused.`;

/** Runs the compare command; results go to `out`. */
export function compareCommand(argv: string[], out: (line: string) => void = (line) => void process.stdout.write(`${line}\n`)): void {
  const { values, positionals } = parseArgs({ args: argv, options: { json: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
  if (values.help) {
    out(HELP);
    return;
  }
  if (positionals.length !== 2) throw new UsageError(`compare takes two run folders (got ${positionals.length})\n${HELP}`);
  const [dirA, dirB] = positionals;
  const r = compareRuns(readPredictions(dirA), readPredictions(dirB));
  if (values.json) {
    out(JSON.stringify(r));
    return;
  }
  const pct = (x: number): string => `${(x * 100).toFixed(2)} %`;
  out(`A ${dirA}: ${pct(r.accuracyA)}   B ${dirB}: ${pct(r.accuracyB)}   on the same ${r.testSize} test images`);
  out(describeComparison(r));
}
