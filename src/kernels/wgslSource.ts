/**
 * WGSL sources by kernel name. Under Vite (the app, its workers, and Vitest) the .wgsl files are
 * bundled as strings with `?raw` (import.meta.glob, eager). tsx (the command line, benchmarks) has no
 * `?raw`, so there `import.meta.env` is undefined and nodeWgsl.ts registers the files read from disk;
 * this module itself stays free of node:fs so it can ship to the browser.
 */

/** The kernels, one .wgsl file each. */
export const KERNEL_NAMES = [
  'shiftConv2d',
  'shiftConv2dFixed',
  'shiftConvDecode',
  'expRange',
  'shiftDense',
  'shiftDenseFixed',
  'maxAbs',
  'quantizeFixed',
  'dequantBiasRelu',
  'maxPool2d',
] as const;

/** Name of one kernel (its file is `src/kernels/<name>.wgsl`). */
export type KernelName = (typeof KERNEL_NAMES)[number];

// import.meta.env exists only when Vite transformed this module; only then is the glob call rewritten.
const bundled: Record<string, string> = import.meta.env
  ? import.meta.glob<string>('./*.wgsl', { query: '?raw', import: 'default', eager: true })
  : {};

const registered = new Map<string, string>();

/** Registers a kernel's source (the Node loader does this outside Vite). */
export function registerWgslSource(name: KernelName, source: string): void {
  registered.set(name, source);
}

/** The WGSL source of a kernel; throws with the remedy when it was not loaded. */
export function wgslSource(name: KernelName): string {
  const src = registered.get(name) ?? bundled[`./${name}.wgsl`];
  if (src === undefined) {
    throw new Error(
      `WGSL source "${name}" is not loaded: outside Vite, call loadWgslFromDisk() from src/kernels/nodeWgsl.ts first`,
    );
  }
  return src;
}
