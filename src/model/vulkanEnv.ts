/**
 * Node-only: finds a Vulkan driver for Dawn (the `webgpu` package) and says how the process must be
 * started for Dawn to load it. Dawn dlopens `libvulkan.so.1`; the dynamic loader reads
 * LD_LIBRARY_PATH only when a process starts, so a loader outside the system's library path
 * (Chromium ships one in /usr/lib/chromium) is usable only by a process started with it set: the
 * command line re-runs itself once (restartWithVulkan), the test runner sets it in its config
 * before its worker processes start. VK_ICD_FILENAMES is read later, when Dawn creates its
 * instance, so it can be set at run time.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { constants } from 'node:os';
import { dirname, join } from 'node:path';

/** The drivers we know by name, fastest first on a machine without a GPU (LeNet-5 training, ms/sample). */
export type VulkanDriverKind = 'system' | 'lavapipe' | 'swiftshader' | 'other';

/** What was found, and the environment a process needs for Dawn to use it. */
export interface VulkanSetup {
  /** The drivers Dawn will see, in the order tried, with the ICD file of each (none for 'system'). */
  drivers: { kind: VulkanDriverKind; icd: string | null }[];
  /** Variables to set (merged into the current environment); empty when nothing is needed. */
  env: Record<string, string>;
  /** Whether LD_LIBRARY_PATH changes, so a running process cannot use the drivers until it restarts. */
  needsRestart: boolean;
  /** Why no driver can be used, naming what is missing; null when one was found. */
  missing: string | null;
}

/** Where Debian and other distributions put the ICD manifests the system loader reads. */
const ICD_DIRS = ['/usr/share/vulkan/icd.d', '/etc/vulkan/icd.d', '/usr/local/share/vulkan/icd.d'];
/** Where the system's libvulkan.so.1 can be (multiarch first). */
const LOADER_DIRS = ['/usr/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/usr/lib64', '/usr/lib', '/lib/x86_64-linux-gnu', '/lib/aarch64-linux-gnu'];
/** Debian names lavapipe's manifest lvp_icd.json or lvp_icd.<arch>.json depending on the release. */
const isLavapipe = (name: string): boolean => /^lvp_icd(\.[a-z0-9_]+)?\.json$/.test(name);

/** Names a driver by its ICD manifest's file name (also one set by hand in VK_ICD_FILENAMES). */
function kindOf(icd: string): VulkanDriverKind {
  const name = icd.slice(icd.lastIndexOf('/') + 1);
  return isLavapipe(name) ? 'lavapipe' : name === 'vk_swiftshader_icd.json' ? 'swiftshader' : 'other';
}

/** The file system as vulkanSetup sees it (a parameter so tests can describe a machine). */
export interface FsProbe {
  exists(path: string): boolean;
  list(dir: string): string[];
}

const realFs: FsProbe = {
  exists: existsSync,
  list: (dir) => {
    try {
      return readdirSync(dir);
    } catch {
      return [];
    }
  },
};

/** The hint printed when Dawn has no driver: the packages that give one, fastest first. */
export const VULKAN_INSTALL_HINT =
  "install Debian's chromium package (its SwiftShader driver works anywhere) or, faster, Mesa's lavapipe ≥ 25 " +
  '(mesa-vulkan-drivers and libvulkan1, from bookworm-backports on Debian 12): see "Running the command line fast" in the README';

/**
 * Chooses the Vulkan drivers for Dawn: a real GPU's driver when the system has one (the system
 * loader then finds it, and lavapipe beside it), else lavapipe (~9 ms per LeNet-5 training sample
 * here), else Chromium's SwiftShader (~60). A VK_ICD_FILENAMES or VK_DRIVER_FILES already set is kept.
 */
export function vulkanSetup(env: NodeJS.ProcessEnv = process.env, fs: FsProbe = realFs): VulkanSetup {
  const chromiumDir = env.CHROMIUM_PATH ? dirname(env.CHROMIUM_PATH) : '/usr/lib/chromium';
  const chromiumDirs = [...new Set([chromiumDir, '/usr/lib/chromium'])];
  const swiftshader = chromiumDirs.map((d) => join(d, 'vk_swiftshader_icd.json')).find((p) => fs.exists(p)) ?? null;
  const chromiumLoaderDir = chromiumDirs.find((d) => fs.exists(join(d, 'libvulkan.so.1'))) ?? null;
  const extraLibDirs = (env.LD_LIBRARY_PATH ?? '').split(':').filter(Boolean);
  const systemLoader = [...extraLibDirs, ...LOADER_DIRS].some((d) => fs.exists(join(d, 'libvulkan.so.1')));

  const manifests = ICD_DIRS.flatMap((d) => fs.list(d).filter((n) => n.endsWith('.json')).map((n) => ({ name: n, path: join(d, n) })));
  const lavapipe = manifests.find((m) => isLavapipe(m.name))?.path ?? null;
  const hardware = manifests.filter((m) => !isLavapipe(m.name));

  const env2: Record<string, string> = {};
  let loaderDir: string | null = null;
  if (!systemLoader) {
    if (!chromiumLoaderDir) {
      return { drivers: [], env: {}, needsRestart: false, missing: `no Vulkan loader (libvulkan.so.1) on this machine; ${VULKAN_INSTALL_HINT}` };
    }
    loaderDir = chromiumLoaderDir;
    env2.LD_LIBRARY_PATH = [loaderDir, ...extraLibDirs].join(':');
  }

  let drivers: VulkanSetup['drivers'];
  const userIcds = env.VK_ICD_FILENAMES || env.VK_DRIVER_FILES;
  if (userIcds) {
    drivers = userIcds.split(':').filter(Boolean).map((icd) => ({ kind: kindOf(icd), icd }));
  } else if (systemLoader && hardware.length > 0) {
    // The system loader reads every manifest in its directories; Dawn ranks a GPU above CPU drivers.
    drivers = [{ kind: 'system', icd: null }];
  } else {
    // Several manifests, colon-separated: Dawn sees each driver that loads and takes the first adapter.
    // SwiftShader stays as the fallback because Dawn rejects lavapipe older than Mesa 25.
    drivers = [
      ...(lavapipe && systemLoader ? [{ kind: 'lavapipe' as const, icd: lavapipe }] : []),
      ...(swiftshader ? [{ kind: 'swiftshader' as const, icd: swiftshader }] : []),
    ];
    if (drivers.length === 0) {
      return { drivers: [], env: {}, needsRestart: false, missing: `a Vulkan loader but no Vulkan driver on this machine; ${VULKAN_INSTALL_HINT}` };
    }
    env2.VK_ICD_FILENAMES = drivers.map((d) => d.icd).join(':');
  }
  const needsRestart = loaderDir !== null && !extraLibDirs.includes(loaderDir);
  return { drivers, env: env2, needsRestart, missing: null };
}

/** Applies the setup's variables to `env` (the test runner's config does this before forking workers). */
export function applyVulkanSetup(setup: VulkanSetup, env: NodeJS.ProcessEnv = process.env): void {
  Object.assign(env, setup.env);
}

/** Set in a process this module restarted, so a restart happens at most once. */
const RESTARTED = 'INQ_VULKAN_RESTARTED';

/**
 * Makes the Vulkan drivers usable by this process: sets the variables, and when the loader's search
 * path has to change, runs this same command again in a child process with it set, and exits with
 * the child's status (stdin, stdout and stderr are the child's). Returns only when no restart is needed.
 */
export function restartWithVulkan(): VulkanSetup {
  const setup = vulkanSetup();
  applyVulkanSetup(setup);
  if (!setup.needsRestart || process.env[RESTARTED]) return setup;
  const child = spawnSync(process.execPath, [...process.execArgv, ...process.argv.slice(1)], {
    stdio: 'inherit',
    env: { ...process.env, [RESTARTED]: '1' },
  });
  if (child.error) {
    process.stderr.write(`inq: warning: could not restart with LD_LIBRARY_PATH=${setup.env.LD_LIBRARY_PATH} (${child.error.message}); WebGPU may be missing\n`);
    return setup;
  }
  process.exit(child.status ?? (child.signal ? 128 + constants.signals[child.signal] : 1));
}
