/** Which Vulkan drivers Dawn is offered, on machines described file by file. */
import { describe, expect, it } from 'vitest';
import { vulkanSetup, type FsProbe } from './vulkanEnv.ts';

/** A machine that has exactly these files. */
function machine(files: string[]): FsProbe {
  const set = new Set(files);
  return {
    exists: (p) => set.has(p),
    list: (dir) => files.filter((f) => f.startsWith(`${dir}/`) && !f.slice(dir.length + 1).includes('/')).map((f) => f.slice(dir.length + 1)),
  };
}

const CHROMIUM = ['/usr/lib/chromium/libvulkan.so.1', '/usr/lib/chromium/vk_swiftshader_icd.json'];
const SYSTEM_LOADER = '/usr/lib/x86_64-linux-gnu/libvulkan.so.1';
const SWIFTSHADER = '/usr/lib/chromium/vk_swiftshader_icd.json';

describe('vulkanSetup', () => {
  it("a fresh machine with Chromium: Chromium's loader through LD_LIBRARY_PATH (a restart) and SwiftShader", () => {
    const s = vulkanSetup({}, machine(CHROMIUM));
    expect(s.missing).toBeNull();
    expect(s.drivers).toEqual([{ kind: 'swiftshader', icd: SWIFTSHADER }]);
    expect(s.env).toEqual({ LD_LIBRARY_PATH: '/usr/lib/chromium', VK_ICD_FILENAMES: SWIFTSHADER });
    expect(s.needsRestart).toBe(true);
  });

  it('keeps an LD_LIBRARY_PATH already set, and needs no restart once it holds the loader', () => {
    const before = vulkanSetup({ LD_LIBRARY_PATH: '/opt/x' }, machine(CHROMIUM));
    expect(before.env.LD_LIBRARY_PATH).toBe('/usr/lib/chromium:/opt/x');
    expect(before.needsRestart).toBe(true);
    const after = vulkanSetup({ LD_LIBRARY_PATH: '/usr/lib/chromium:/opt/x' }, machine(CHROMIUM));
    expect(after.needsRestart).toBe(false);
    expect(after.env).toEqual({ VK_ICD_FILENAMES: SWIFTSHADER });
  });

  it("prefers lavapipe, under either of Debian's manifest names, with SwiftShader behind it", () => {
    for (const name of ['lvp_icd.json', 'lvp_icd.x86_64.json']) {
      const lvp = `/usr/share/vulkan/icd.d/${name}`;
      const s = vulkanSetup({}, machine([...CHROMIUM, SYSTEM_LOADER, lvp]));
      expect(s.drivers.map((d) => d.kind)).toEqual(['lavapipe', 'swiftshader']);
      expect(s.env).toEqual({ VK_ICD_FILENAMES: `${lvp}:${SWIFTSHADER}` });
      expect(s.needsRestart).toBe(false);
    }
  });

  it("leaves a GPU's driver to the system loader (no VK_ICD_FILENAMES)", () => {
    const s = vulkanSetup({}, machine([...CHROMIUM, SYSTEM_LOADER, '/usr/share/vulkan/icd.d/nvidia_icd.json', '/usr/share/vulkan/icd.d/lvp_icd.json']));
    expect(s.drivers).toEqual([{ kind: 'system', icd: null }]);
    expect(s.env).toEqual({});
  });

  it('keeps VK_ICD_FILENAMES set by the user, naming the drivers in it', () => {
    const s = vulkanSetup({ VK_ICD_FILENAMES: `/x/lvp_icd.json:${SWIFTSHADER}:/y/other.json` }, machine([...CHROMIUM, SYSTEM_LOADER]));
    expect(s.drivers.map((d) => d.kind)).toEqual(['lavapipe', 'swiftshader', 'other']);
    expect(s.env).toEqual({});
  });

  it('finds Chromium beside CHROMIUM_PATH', () => {
    const s = vulkanSetup({ CHROMIUM_PATH: '/opt/chromium/chrome' }, machine(['/opt/chromium/libvulkan.so.1', '/opt/chromium/vk_swiftshader_icd.json']));
    expect(s.env).toEqual({ LD_LIBRARY_PATH: '/opt/chromium', VK_ICD_FILENAMES: '/opt/chromium/vk_swiftshader_icd.json' });
  });

  it('names what is missing: no loader at all, or a loader without a driver', () => {
    const none = vulkanSetup({}, machine([]));
    expect(none.missing).toMatch(/no Vulkan loader \(libvulkan\.so\.1\).*chromium.*lavapipe/);
    const loaderOnly = vulkanSetup({}, machine([SYSTEM_LOADER]));
    expect(loaderOnly.missing).toMatch(/a Vulkan loader but no Vulkan driver/);
  });
});
