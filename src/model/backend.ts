/** Choosing the tfjs backend: by preference, or automatically by what trains fastest where we run. */
import * as tf from '@tensorflow/tfjs';

import type { AdapterSummary, BackendChoice, BackendName, BackendPreference } from './backendPrefs.ts';
import { registerWasmTrainingKernels } from './wasmKernels.ts';
import type * as TfWasm from '@tensorflow/tfjs-backend-wasm';

export * from './backendPrefs.ts';

/** What WebGL offers in this context (browser only). */
export interface WebglSummary {
  available: boolean;
  /** The unmasked renderer string, e.g. "ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device …))". */
  renderer: string;
}

/** What `auto` knows about where it runs. */
export interface Machine {
  node: boolean;
  adapter: AdapterSummary;
  webgl: WebglSummary;
  /** Whether the wasm backend can start (its binaries are reachable). */
  wasm: boolean;
}

/** Where the wasm binaries are served from (the page passes its own origin's URLs; Node reads them from node_modules). */
export type WasmPaths = Record<'tfjs-backend-wasm.wasm' | 'tfjs-backend-wasm-simd.wasm' | 'tfjs-backend-wasm-threaded-simd.wasm', string>;

const SOFTWARE_GPU = /swiftshader|llvmpipe|lavapipe|software|basic render/i;

/** Whether a WebGPU adapter is a CPU implementation (SwiftShader, lavapipe) rather than a GPU. */
export function isSoftwareAdapter(a: AdapterSummary): boolean {
  return a.isFallbackAdapter || SOFTWARE_GPU.test(a.description);
}

/**
 * Picks the backend for `auto`, by what is known to train fastest (measured: README, "Training
 * speed"). A real GPU wins: WebGPU on it, else WebGL on it. Without one, the GPU backends run on a
 * software rasteriser (SwiftShader, lavapipe) and the wasm backend (XNNPACK, SIMD, with the training
 * kernels of wasmKernels.ts) trains LeNet-5 about 10× faster than the fastest of them and ~100× faster
 * than pure-JS cpu, so it is the choice there.
 */
export function autoBackend(m: Machine): { backend: BackendName; reason: string } {
  const { adapter, webgl } = m;
  if (adapter.available && !isSoftwareAdapter(adapter)) return { backend: 'webgpu', reason: `WebGPU on a GPU (${adapter.description})` };
  if (!m.node && webgl.available && !SOFTWARE_GPU.test(webgl.renderer)) return { backend: 'webgl', reason: `WebGL on a GPU (${webgl.renderer || 'unnamed renderer'})` };
  const noGpu = adapter.available ? `the WebGPU adapter is software (${adapter.description})` : 'no WebGPU adapter';
  if (m.wasm) return { backend: 'wasm', reason: `no GPU (${noGpu}): wasm trains fastest on the CPU` };
  if (!m.node && webgl.available) return { backend: 'webgl', reason: `no GPU and no wasm: WebGL on ${webgl.renderer || 'a software renderer'}` };
  if (adapter.available) return { backend: 'webgpu', reason: `no GPU and no wasm: WebGPU on a software adapter (${adapter.description})` };
  return { backend: 'cpu', reason: 'neither a GPU backend nor wasm is available: pure-JS cpu backend (slow)' };
}

/** Describes an adapter from its info (fields differ across implementations). */
export function describeAdapter(adapter: GPUAdapter | null): AdapterSummary {
  if (!adapter) return { available: false, isFallbackAdapter: false, description: 'none' };
  const info = (adapter as GPUAdapter & { info?: GPUAdapterInfo }).info;
  const fallback = Boolean((info as { isFallbackAdapter?: boolean } | undefined)?.isFallbackAdapter ?? (adapter as { isFallbackAdapter?: boolean }).isFallbackAdapter);
  const parts = info ? [info.vendor, info.architecture, info.device, info.description].filter((s) => typeof s === 'string' && s !== '') : [];
  return { available: true, isFallbackAdapter: fallback, description: parts.length ? parts.join(' ') : fallback ? 'software adapter' : 'GPU adapter' };
}

/** Asks navigator.gpu for an adapter (null when there is no WebGPU). */
export async function probeAdapter(): Promise<GPUAdapter | null> {
  const gpu = (globalThis as { navigator?: { gpu?: GPU } }).navigator?.gpu;
  if (!gpu) return null;
  try {
    return await gpu.requestAdapter({ powerPreference: 'high-performance' });
  } catch {
    return null;
  }
}

/** Opens a throw-away WebGL2 context to read its renderer (a worker has OffscreenCanvas; Node has neither). */
export function probeWebgl(): WebglSummary {
  if (typeof OffscreenCanvas === 'undefined') return { available: false, renderer: '' };
  try {
    const gl = new OffscreenCanvas(1, 1).getContext('webgl2');
    if (!gl) return { available: false, renderer: '' };
    const ext = gl.getExtension('WEBGL_debug_renderer_info');
    const renderer = String(gl.getParameter(ext ? ext.UNMASKED_RENDERER_WEBGL : gl.RENDERER) ?? '');
    gl.getExtension('WEBGL_lose_context')?.loseContext();
    return { available: true, renderer };
  } catch {
    return { available: false, renderer: '' };
  }
}

/**
 * Why the page's wasm backend runs on one thread. Its threaded build needs SharedArrayBuffer, so a
 * cross-origin-isolated page (COOP same-origin + COEP, which dev and preview send), and then, in
 * tfjs-backend-wasm 4.22, fails here twice over: its thread workers load their code with
 * importScripts(blob:), which our self-only script-src refuses, and with blob: allowed the bundled
 * code they get lacks a variable of its module ("e is not defined"). Either way tfjs then waits for
 * the threads forever, so threads stay off until a tfjs release loads them from a URL.
 */
function singleThreadReason(): string {
  const isolated = Boolean((globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated);
  return isolated ? "tfjs-backend-wasm 4.22's thread workers cannot start under this page's CSP" : 'threads need a cross-origin-isolated page';
}

let threadsWhy = '';

let wasmModule: Promise<typeof TfWasm | null> | null = null;

/** Loads the wasm backend and our training kernels once. `paths` must come before the backend starts (tfjs reads them once). */
export function loadWasm(paths?: WasmPaths): Promise<typeof TfWasm | null> {
  wasmModule ??= import('@tensorflow/tfjs-backend-wasm').then(
    (mod) => {
      if (paths) mod.setWasmPaths(paths);
      registerWasmTrainingKernels();
      return mod;
    },
    () => null,
  );
  return wasmModule;
}

/** How the wasm backend runs once started: "SIMD, 2 threads". */
async function wasmDetail(): Promise<string> {
  const mod = await loadWasm();
  const simd = Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'));
  let threads: number;
  try {
    threads = mod?.getThreadsCount() ?? 1;
  } catch {
    threads = 1;
  }
  return `${simd ? 'SIMD' : 'no SIMD'}, ${threads === 1 ? '1 thread' : `${threads} threads`}${threadsWhy && threads === 1 ? `: ${threadsWhy}` : ''}`;
}

async function trySet(name: BackendName): Promise<boolean> {
  try {
    return await tf.setBackend(name);
  } catch {
    return false;
  }
}

/**
 * Sets the tfjs backend by preference; returns what runs and why. `auto` falls through its
 * candidates (and any asked-for backend falls back to cpu) when one fails to start.
 */
export async function initBackend(pref: BackendPreference, where: { node: boolean; wasmPaths?: WasmPaths }): Promise<BackendChoice> {
  const adapter = describeAdapter(await probeAdapter());
  if (adapter.available) await import('@tensorflow/tfjs-backend-webgpu');
  const firstLoad = !wasmModule;
  const wasm = (await loadWasm(where.wasmPaths)) !== null;
  if (wasm && firstLoad && !where.node) {
    // Set after the package registered the flag and before the backend starts (tfjs reads it once).
    threadsWhy = singleThreadReason();
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  }
  const webgl = where.node ? { available: false, renderer: '' } : probeWebgl();
  const machine: Machine = { node: where.node, adapter, webgl, wasm };
  const candidates: { backend: BackendName; reason: string }[] = [];
  if (pref === 'auto') {
    candidates.push(autoBackend(machine));
    const rest: BackendName[] = ['wasm', ...(where.node ? [] : (['webgl'] as const)), 'cpu'];
    for (const b of rest) if (!candidates.some((c) => c.backend === b)) candidates.push({ backend: b, reason: `${candidates[0].backend} failed to start: ${b}` });
  } else if (pref === 'webgpu' && !adapter.available) {
    candidates.push({ backend: 'cpu', reason: 'WebGPU was asked for but no adapter exists: cpu backend' });
  } else {
    candidates.push({ backend: pref, reason: `${pref} chosen by you` }, { backend: 'cpu', reason: `${pref} failed to start: cpu backend` });
  }
  for (const c of candidates) {
    if (!(await trySet(c.backend))) continue;
    await tf.ready();
    const reason = c.backend === 'wasm' ? `${c.reason} (${await wasmDetail()})` : c.reason;
    return { backend: c.backend, reason, adapter };
  }
  throw new Error('no tfjs backend could start, not even cpu');
}
