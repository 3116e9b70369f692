/** `inq kernel-check`: random conv and dense layers on Dawn WebGPU, both modes, against the CPU twins. */
import { parseArgs } from 'node:util';
import { createRng } from '../inq/rng.ts';
import { loadWgslFromDisk } from '../kernels/nodeWgsl.ts';
import { FLOAT_REL_TOL, checkCase, randomConvCase, randomDenseCase } from '../kernels/parity.ts';
import { ShiftKernels } from '../kernels/programs.ts';
import { installNodeWebGpu, releaseNodeWebGpu } from '../model/nodeGpu.ts';
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
  const gpu = await installNodeWebGpu();
  if (!gpu.ok) throw new UsageError(`kernel-check needs WebGPU: ${gpu.message}`);
  const adapter = await navigator.gpu.requestAdapter();
  if (!adapter) throw new UsageError('kernel-check needs WebGPU: requestAdapter() returned null');
  const device = await adapter.requestDevice();
  const uncaptured: string[] = [];
  device.addEventListener('uncapturederror', (e) => uncaptured.push((e as GPUUncapturedErrorEvent).error.message));
  try {
    const kernels = await ShiftKernels.create(device);
    let maxRel = 0;
    let fixedMismatches = 0;
    let unwritten = 0;
    let fixedVsFloat = 0;
    let firstFailure = '';
    for (let i = 0; i < cases; i++) {
      const caseSeed = (seed + Math.imul(i + 1, 0x9e3779b1)) | 0;
      const rng = createRng(caseSeed);
      const r = await checkCase(kernels, i % 2 === 0 ? randomConvCase(rng) : randomDenseCase(rng));
      maxRel = Math.max(maxRel, r.floatRelErr);
      fixedVsFloat = Math.max(fixedVsFloat, r.fixedVsFloatRelErr);
      unwritten += r.unwritten;
      const bad = r.floatRelErr > FLOAT_REL_TOL || !r.fixedExact || r.unwritten > 0 || r.fixedOutRelErr > FLOAT_REL_TOL;
      if (!r.fixedExact) fixedMismatches++;
      if (bad && !firstFailure) {
        firstFailure = `case ${i} (seed ${caseSeed}) ${r.description}: float rel. error ${r.floatRelErr}, fixed ${r.fixedExact ? 'exact' : r.fixedDetail}, ${r.unwritten} unwritten`;
      }
    }
    if (uncaptured.length) firstFailure ||= `WebGPU error: ${uncaptured[0]}`;
    const pass = !firstFailure;
    const info = adapter.info;
    const summary = {
      cases,
      seed,
      maxRelErr: maxRel,
      fixedExact: fixedMismatches === 0,
      fixedMismatches,
      unwritten,
      fixedVsFloatMaxRelErr: fixedVsFloat,
      adapter: [info.vendor, info.architecture, info.description].filter(Boolean).join(' ') || 'unknown',
      pass,
    };
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
