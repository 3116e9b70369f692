/** The command line's backend setup: Dawn WebGPU when it can, pure-JS cpu otherwise (with a warning). */
import { initBackend, type BackendChoice, type BackendPreference } from '../model/backend.ts';
import { installNodeWebGpu } from '../model/nodeGpu.ts';
import { UsageError } from './args.ts';

/** Sets up the backend for `pref` and reports the choice on stderr. */
export async function setupNodeBackend(pref: BackendPreference, quiet = false): Promise<BackendChoice> {
  if (pref === 'webgl') throw new UsageError('--backend webgl exists only in the browser; use auto, webgpu or cpu');
  if (pref !== 'cpu') {
    const gpu = await installNodeWebGpu();
    if (!gpu.ok) {
      if (pref === 'webgpu') throw new UsageError(`--backend webgpu: ${gpu.message}`);
      process.stderr.write(`inq: warning: ${gpu.message}; falling back to the pure-JS cpu backend\n`);
    }
  }
  const choice = await initBackend(pref, { node: true });
  if (!quiet) process.stderr.write(`inq: backend ${choice.backend} (${choice.reason})\n`);
  return choice;
}
