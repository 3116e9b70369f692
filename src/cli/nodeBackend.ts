/**
 * The command line's backend setup. `auto` trains on Dawn WebGPU only on a real GPU; without one it
 * trains on wasm (XNNPACK, SIMD), which needs no system package and beats WebGPU on a software
 * Vulkan driver here by ~10×. `--backend webgpu` still runs on lavapipe or SwiftShader when asked.
 */
import { initBackend, type BackendChoice, type BackendPreference } from '../model/backend.ts';
import { installNodeWebGpu } from '../model/nodeGpu.ts';
import { UsageError } from './args.ts';

/** Installs WebGPU in Node for a command that needs it, and says on stderr which driver and adapter it got. */
export async function requireNodeWebGpu(what: string, quiet = false): Promise<void> {
  const gpu = await installNodeWebGpu();
  if (!gpu.ok) throw new UsageError(`${what} needs WebGPU: ${gpu.message}`);
  if (!quiet) process.stderr.write(`inq: ${gpu.message}\n`);
}

/** Sets up the backend for `pref` and reports the choice (and the Vulkan driver) on stderr. */
export async function setupNodeBackend(pref: BackendPreference, quiet = false): Promise<BackendChoice> {
  if (pref === 'webgl') throw new UsageError('--backend webgl exists only in the browser; use auto, wasm, webgpu or cpu');
  if (pref === 'webgpu' || pref === 'auto') {
    const gpu = await installNodeWebGpu();
    if (!gpu.ok) {
      if (pref === 'webgpu') throw new UsageError(`--backend webgpu: ${gpu.message}`);
    } else if (!quiet) process.stderr.write(`inq: ${gpu.message}\n`);
  }
  const choice = await initBackend(pref, { node: true });
  if (!quiet) process.stderr.write(`inq: backend ${choice.backend} (${choice.reason})\n`);
  if (choice.backend === 'cpu' && pref !== 'cpu' && !quiet) process.stderr.write('inq: warning: the pure-JS cpu backend is about 100× slower than wasm\n');
  return choice;
}
