/** Kernel interfaces (TS declaration vs WGSL text) and checked compilation. */
import { describe, expect, it } from 'vitest';
import { KernelProgram, WgslCompileError, compileShader, type KernelDef } from './gpu.ts';
import { KERNEL_DEFS } from './programs.ts';
import { KERNEL_NAMES, wgslSource } from './wgslSource.ts';
import { gpuIt, setupGpu } from './gpuTestSetup.ts';

const gpu = setupGpu();

/** Fields of `struct Params { … }` as [name, type] pairs. */
function paramsFields(src: string): [string, string][] {
  const body = /struct\s+Params\s*\{([\s\S]*?)\}/.exec(src)?.[1] ?? '';
  return [...body.replace(/\/\/.*$/gm, '').matchAll(/(\w+)\s*:\s*(\w+)/g)].map((m) => [m[1], m[2]]);
}

/** `@binding(i) var<space[, access]> name` in source order. */
function bindings(src: string): { index: number; kind: string; name: string }[] {
  return [...src.matchAll(/@group\(0\)\s*@binding\((\d+)\)\s*var<([\w, ]+)>\s*(\w+)/g)].map((m) => {
    const space = m[2].replace(/\s/g, '');
    const kind = space === 'uniform' ? 'uniform' : space === 'storage,read' ? 'read' : space === 'storage,read_write' ? 'write' : space;
    return { index: Number(m[1]), kind, name: m[3] };
  });
}

describe('kernel interfaces', () => {
  it('every kernel has a .wgsl file loaded through Vite ?raw', () => {
    for (const name of KERNEL_NAMES) expect(wgslSource(name), name).toMatch(/@compute @workgroup_size\(WG\)/);
  });

  for (const name of KERNEL_NAMES) {
    it(`${name}: the uniform struct and bindings match the TypeScript declaration`, () => {
      const src = wgslSource(name);
      const def = KERNEL_DEFS[name];
      expect(paramsFields(src)).toEqual(Object.entries(def.uniforms));
      const b = bindings(src);
      expect(b.map((x) => x.index)).toEqual(b.map((_, i) => i));
      expect(b.map((x) => [x.name, x.kind])).toEqual(Object.entries(def.bindings));
      expect(src, 'workgroup size is an override constant').toMatch(/override WG: u32 = \d+;/);
    });
  }
});

describe('checked WGSL compilation', () => {
  gpuIt('throws WgslCompileError, with the line, on a broken shader', async () => {
    const broken = '@compute @workgroup_size(1) fn main() {\n  let x: i32 = 1.5;\n}';
    await expect(compileShader(gpu.device(), broken, 'broken')).rejects.toThrow(WgslCompileError);
    await expect(compileShader(gpu.device(), broken, 'broken')).rejects.toThrow(/2:\d+/);
  });

  gpuIt('throws on a kernel with a typo, through KernelProgram.create', async () => {
    const src = wgslSource('maxPool2d').replace('max(max(x[i]', 'maxx(max(x[i]');
    await expect(KernelProgram.create(gpu.device(), KERNEL_DEFS.maxPool2d, src, 64)).rejects.toThrow(/maxPool2d.*does not compile/);
  });

  gpuIt('accepts a valid shader without error', async () => {
    await expect(compileShader(gpu.device(), '@compute @workgroup_size(1) fn main() {}', 'ok')).resolves.toBeDefined();
  });

  gpuIt('builds every kernel at workgroup sizes 1 and the adapter\'s largest, and refuses one above the limit', async () => {
    const limit = Math.min(gpu.device().limits.maxComputeInvocationsPerWorkgroup, gpu.device().limits.maxComputeWorkgroupSizeX);
    const built: string[] = [];
    for (const name of KERNEL_NAMES) {
      // Each definition types its own bindings and uniforms; here they are only passed through.
      const def = KERNEL_DEFS[name] as KernelDef<string, string>;
      for (const wg of [1, limit]) {
        const program = await KernelProgram.create(gpu.device(), def, wgslSource(name), wg);
        expect(program.workgroupSize, name).toBe(wg);
        built.push(`${name}@${wg}`);
      }
      await expect(KernelProgram.create(gpu.device(), def, wgslSource(name), limit + 1), name).rejects.toThrow(RangeError);
    }
    expect(built).toHaveLength(2 * KERNEL_NAMES.length);
  });

  gpuIt('refuses uniform values that do not fit their type', () => {
    const p = gpu.kernels().programs.maxPool2d;
    expect(() => p.uniformBuffer({ total: -1, inH: 2, inW: 2, c: 1, outH: 1, outW: 1 })).toThrow(/total = -1 is not a u32/);
    expect(() => p.uniformBuffer({ total: 1.5, inH: 2, inW: 2, c: 1, outH: 1, outW: 1 })).toThrow(RangeError);
  });
});
