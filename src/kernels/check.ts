/** The kernel parity check shared by `inq kernel-check` (Dawn in Node) and the browser worker (Chromium). */
import { createRng } from '../inq/rng.ts';
import { FLOAT_REL_TOL, checkCase, randomConvCase, randomDenseCase } from './parity.ts';
import { ShiftKernels } from './programs.ts';

/** Outcome of a batch of random cases. */
export interface KernelCheckSummary {
  cases: number;
  seed: number;
  maxRelErr: number;
  fixedExact: boolean;
  fixedMismatches: number;
  unwritten: number;
  fixedVsFloatMaxRelErr: number;
  adapter: string;
  pass: boolean;
  /** The first failing case, with its seed, when pass is false. */
  firstFailure: string;
}

/** Runs `cases` random conv and dense layers in both modes on `device` against the CPU twins. */
export async function runKernelCheck(device: GPUDevice, cases: number, seed: number, adapter: string): Promise<KernelCheckSummary> {
  const uncaptured: string[] = [];
  const onError = (e: Event): void => void uncaptured.push((e as GPUUncapturedErrorEvent).error.message);
  device.addEventListener('uncapturederror', onError);
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
    return {
      cases,
      seed,
      maxRelErr: maxRel,
      fixedExact: fixedMismatches === 0,
      fixedMismatches,
      unwritten,
      fixedVsFloatMaxRelErr: fixedVsFloat,
      adapter,
      pass: !firstFailure,
      firstFailure,
    };
  } finally {
    device.removeEventListener('uncapturederror', onError);
  }
}

/** A readable adapter name from its info. */
export function adapterName(info: GPUAdapterInfo | undefined): string {
  return info ? [info.vendor, info.architecture, info.description].filter(Boolean).join(' ') || 'unknown' : 'unknown';
}
