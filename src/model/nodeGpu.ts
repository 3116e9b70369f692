/**
 * Node-only: WebGPU through the `webgpu` package (Dawn). Dawn needs a Vulkan driver; Mesa's lavapipe
 * (mesa ≥ 25) trains ~11× faster than tfjs's pure-JS cpu backend here, Chromium's SwiftShader works too.
 */
import { existsSync } from 'node:fs';
import type * as Webgpu from 'webgpu';

/** Vulkan drivers tried in order when VK_ICD_FILENAMES is not set. */
const ICD_CANDIDATES: readonly { icd: string; libDir?: string }[] = [
  { icd: '/usr/share/vulkan/icd.d/lvp_icd.json' },
  { icd: '/usr/lib/chromium/vk_swiftshader_icd.json', libDir: '/usr/lib/chromium' },
];

// Dawn segfaults if the object returned by create() is garbage-collected: keep it for the process.
let gpuInstance: GPU | null = null;

/** The Vulkan driver chosen for Dawn, or null when none was found. */
export function chooseVulkanDriver(): string | null {
  if (process.env.VK_ICD_FILENAMES) return process.env.VK_ICD_FILENAMES;
  for (const c of ICD_CANDIDATES) {
    if (!existsSync(c.icd)) continue;
    process.env.VK_ICD_FILENAMES = c.icd;
    if (c.libDir) process.env.LD_LIBRARY_PATH = [c.libDir, process.env.LD_LIBRARY_PATH].filter(Boolean).join(':');
    return c.icd;
  }
  return null;
}

/** Installs navigator.gpu from Dawn. Returns a message when WebGPU is unavailable (never throws). */
export async function installNodeWebGpu(): Promise<{ ok: boolean; message: string }> {
  if (gpuInstance) return { ok: true, message: 'already installed' };
  const driver = chooseVulkanDriver();
  let mod: typeof Webgpu;
  try {
    mod = await import('webgpu');
  } catch (e) {
    return { ok: false, message: `the webgpu package could not be loaded (${(e as Error).message})` };
  }
  Object.assign(globalThis, mod.globals);
  gpuInstance = mod.create([]);
  const nav = ((globalThis as { navigator?: object }).navigator ??= {});
  Object.defineProperty(nav, 'gpu', { value: gpuInstance, configurable: true });
  const adapter = await gpuInstance.requestAdapter();
  if (!adapter) {
    return {
      ok: false,
      message: `no WebGPU adapter${driver ? ` with Vulkan driver ${driver}` : ' (no Vulkan driver found)'}: install mesa-vulkan-drivers ≥ 25 (bookworm-backports) or Chromium`,
    };
  }
  return { ok: true, message: `Vulkan driver ${driver ?? 'default'}` };
}

/** Lets the process exit: drops the Dawn instance (call once, at the very end). */
export function releaseNodeWebGpu(): void {
  gpuInstance = null;
}
