/**
 * `npm run bench [-- suite…]`: prints one table per suite, each figure beside a peer measured in the
 * same run, and writes bench/RESULTS.md with the date and the machine.
 */
import { writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { benchInq } from './inq.ts';
import { benchKernel } from './kernel.ts';
import { formatTable, markdownTable, type Table } from './table.ts';

const SUITES: Record<string, () => Promise<Table> | Table> = {
  inq: () => benchInq([1e6, 1e7, 5e7]),
  kernel: () => benchKernel(),
};

async function main(argv: string[]): Promise<void> {
  const wanted = argv.filter((a) => !a.startsWith('-'));
  const names = wanted.length ? wanted : Object.keys(SUITES);
  for (const n of names) if (!SUITES[n]) throw new Error(`unknown benchmark "${n}"; choose from ${Object.keys(SUITES).join(', ')}`);
  const tables: Table[] = [];
  for (const n of names) {
    process.stderr.write(`bench: running ${n}…\n`);
    const t = await SUITES[n]();
    tables.push(t);
    process.stdout.write(`${formatTable(t)}\n\n`);
  }
  const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`;
  const md = [`# Benchmark results`, '', `Date: ${new Date().toISOString().slice(0, 10)}  `, `Machine: ${machine}  `, `Suites: ${names.join(', ')}`, '', ...tables.map(markdownTable)].join('\n');
  writeFileSync(new URL('./RESULTS.md', import.meta.url), `${md}\n`);
}

main(process.argv.slice(2)).then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`bench: ${(e as Error).message}\n`);
    process.exit(1);
  },
);
