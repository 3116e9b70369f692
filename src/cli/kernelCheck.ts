/** `inq kernel-check`: random conv and dense layers on Dawn WebGPU, both modes, against the CPU twins. */
import { parseArgs } from 'node:util';
import { loadWgslFromDisk } from '../kernels/nodeWgsl.ts';
import { FLOAT_REL_TOL } from '../kernels/parity.ts';
import { adapterName, runKernelCheck } from '../kernels/check.ts';
import { releaseNodeWebGpu } from '../model/nodeGpu.ts';
import { requireNodeWebGpu } from './nodeBackend.ts';
import { UsageError, numberOption } from './args.ts';

const HELP = `usage: npm run -s inq -- kernel-check [--cases N] [--seed S] [--json]
  runs N random layers (conv and dense alternately, kernel 1–5, stride 1/2, same/valid, 2–8 bits)
  through the shift kernels in float-exponent and fixed-shift mode and compares with the CPU twins.
  pass: max relative error ≤ ${FLOAT_REL_TOL} (float-exponent), bit-exact (fixed-shift), every output written.`;

/** kernel-check [--cases N] [--seed S] [--json]: prints one summary line; throws (exit ≠ 0) when a case fails. */
export async function kernelCheckCommand(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: { cases: { type: 'string' }, seed: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return;
  }
  const cases = numberOption(values.cases, 'cases', 100, { integer: true, min: 1, max: 100_000 });
  const seed = numberOption(values.seed, 'seed', Date.now() % 0x7fffffff, { integer: true, min: -(2 ** 31), max: 2 ** 31 - 1 });

  loadWgslFromDisk();
  await requireNodeWebGpu('kernel-check');
  const adapter = await navigator.gpu.requestAdapter();
  if (!adapter) throw new UsageError('kernel-check needs WebGPU: requestAdapter() returned null');
  const device = await adapter.requestDevice();
  try {
    const { firstFailure, ...summary } = await runKernelCheck(device, cases, seed, adapterName(adapter.info));
    const { maxRelErr: maxRel, fixedMismatches, fixedVsFloatMaxRelErr: fixedVsFloat, pass } = summary;
    if (values.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
    else {
      process.stdout.write(
        `kernel-check: ${cases} cases (seed ${seed}) on ${summary.adapter}: float-exponent max rel. error ${maxRel.toExponential(2)} (≤ ${FLOAT_REL_TOL}), ` +
          `fixed-shift ${fixedMismatches === 0 ? 'bit-exact' : `${fixedMismatches} mismatches`}, fixed vs float ${fixedVsFloat.toExponential(2)}: ${pass ? 'PASS' : 'FAIL'}\n`,
      );
    }
    if (!pass) throw new Error(`kernel-check failed: ${firstFailure}`);
  } finally {
    device.destroy();
    releaseNodeWebGpu();
  }
}
