/** Choosing the tfjs backend: by preference, or automatically by what trains fastest where we run. */
import * as tf from '@tensorflow/tfjs';

import type { AdapterSummary, BackendChoice, BackendName, BackendPreference } from './backendPrefs.ts';

export * from './backendPrefs.ts';

/**
 * Picks the backend for `auto`. Where WebGPU runs on a real GPU it wins; on a software (fallback)
 * adapter in a browser, WebGL trains ~7× faster (PLATFORM.md), and in Node the only other choice is
 * pure-JS cpu, ~11× slower than Dawn on lavapipe.
 */
export function autoBackend(adapter: AdapterSummary, where: { node: boolean; webgl: boolean }): { backend: BackendName; reason: string } {
  if (adapter.available && !adapter.isFallbackAdapter) return { backend: 'webgpu', reason: `WebGPU on ${adapter.description}` };
  if (where.node) {
    if (adapter.available) return { backend: 'webgpu', reason: `WebGPU on a software adapter (${adapter.description}), faster than pure-JS cpu here` };
    return { backend: 'cpu', reason: 'no WebGPU adapter: pure-JS cpu backend (slow)' };
  }
  if (where.webgl) {
    return {
      backend: 'webgl',
      reason: adapter.available ? `WebGPU adapter is a software fallback (${adapter.description}): WebGL trains faster here` : 'no WebGPU adapter: WebGL',
    };
  }
  if (adapter.available) return { backend: 'webgpu', reason: `WebGPU on a software adapter (${adapter.description})` };
  return { backend: 'cpu', reason: 'neither WebGPU nor WebGL is available: cpu backend' };
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

/** Sets the tfjs backend by preference; returns what runs and why. Falls back to cpu if a backend fails to start. */
export async function initBackend(pref: BackendPreference, where: { node: boolean }): Promise<BackendChoice> {
  const adapter = describeAdapter(await probeAdapter());
  if (adapter.available) await import('@tensorflow/tfjs-backend-webgpu');
  const webgl = !where.node && typeof OffscreenCanvas !== 'undefined';
  let wanted: { backend: BackendName; reason: string };
  if (pref === 'auto') wanted = autoBackend(adapter, { node: where.node, webgl });
  else wanted = { backend: pref, reason: `${pref} chosen by you` };
  if (wanted.backend === 'webgpu' && !adapter.available) {
    wanted = { backend: 'cpu', reason: 'WebGPU was asked for but no adapter exists: cpu backend' };
  }
  let ok: boolean;
  try {
    ok = await tf.setBackend(wanted.backend);
  } catch {
    ok = false;
  }
  if (!ok) {
    await tf.setBackend('cpu');
    return { backend: 'cpu', reason: `${wanted.backend} failed to start: cpu backend`, adapter };
  }
  await tf.ready();
  return { backend: wanted.backend, reason: wanted.reason, adapter };
}
