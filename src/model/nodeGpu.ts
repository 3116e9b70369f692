/**
 * Node-only: WebGPU through the `webgpu` package (Dawn), on the Vulkan driver vulkanEnv.ts finds
 * (a GPU's, Mesa's lavapipe or Chromium's SwiftShader).
 */
import type * as Webgpu from 'webgpu';
import { describeAdapter } from './backend.ts';
import { applyVulkanSetup, vulkanSetup, type VulkanSetup } from './vulkanEnv.ts';

// Dawn segfaults if the object returned by create() is garbage-collected: keep it for the process.
let gpuInstance: GPU | null = null;
let installed: { ok: boolean; message: string } | null = null;

/** One line naming the drivers offered to Dawn, e.g. "lavapipe (/usr/share/…/lvp_icd.json)". */
export function describeDrivers(setup: VulkanSetup): string {
  return setup.drivers.map((d) => (d.kind === 'system' ? "the system's Vulkan drivers" : `${d.kind} (${d.icd})`)).join(', then ');
}

/** Why Dawn found no adapter, naming what is missing or how the process had to be started. */
function noAdapterMessage(setup: VulkanSetup): string {
  if (setup.missing) return `no WebGPU adapter: ${setup.missing}`;
  if (setup.needsRestart) {
    const dir = setup.env.LD_LIBRARY_PATH?.split(':')[0];
    return `no WebGPU adapter: the only Vulkan loader is ${dir}/libvulkan.so.1, which Dawn finds only in a process started with LD_LIBRARY_PATH=${dir} (the command line and the tests set it themselves)`;
  }
  const lavapipe = setup.drivers.some((d) => d.kind === 'lavapipe');
  return `no WebGPU adapter from ${describeDrivers(setup)}${lavapipe ? " (Dawn needs Mesa's lavapipe ≥ 25)" : ''}`;
}

/** Installs navigator.gpu from Dawn. Returns a message (never throws): the driver and adapter, or why there is none. */
export async function installNodeWebGpu(): Promise<{ ok: boolean; message: string }> {
  if (installed) return installed;
  const setup = vulkanSetup();
  if (setup.missing) return (installed = { ok: false, message: noAdapterMessage(setup) });
  applyVulkanSetup(setup);
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
  if (!adapter) return (installed = { ok: false, message: noAdapterMessage(setup) });
  return (installed = { ok: true, message: `Vulkan ${describeDrivers(setup)}; adapter ${describeAdapter(adapter).description}` });
}

/** Lets the process exit: drops the Dawn instance (call once, at the very end). */
export function releaseNodeWebGpu(): void {
  gpuInstance = null;
  installed = null;
}
