/**
 * Every kernel's interface, declared once: bindings in @binding order and the uniform struct's
 * fields in order. programs.test.ts checks each against its .wgsl file.
 */
import { KernelProgram } from './gpu.ts';
import type { KernelDef } from './gpu.ts';
import { wgslSource } from './wgslSource.ts';
import type { KernelName } from './wgslSource.ts';

const CONV_FIELDS = {
  groups: 'u32',
  pixBlocks: 'u32',
  octs: 'u32',
  inH: 'u32',
  inW: 'u32',
  inC: 'u32',
  outH: 'u32',
  outW: 'u32',
  outC: 'u32',
  kh: 'u32',
  kw: 'u32',
  stride: 'u32',
  padTop: 'u32',
  padLeft: 'u32',
} as const;

/** Kernel interfaces by name. */
export const KERNEL_DEFS = {
  shiftConv2d: {
    label: 'shiftConv2d',
    bindings: { params: 'uniform', table: 'read', range: 'read', bias: 'read', x: 'read', y: 'write' },
    uniforms: { ...CONV_FIELDS, fastMinE: 'i32', fastMaxE: 'i32', relu: 'u32' },
  },
  shiftConv2dFixed: {
    label: 'shiftConv2dFixed',
    bindings: { params: 'uniform', table: 'read', x: 'read', y: 'write' },
    uniforms: CONV_FIELDS,
  },
  shiftConvDecode: {
    label: 'shiftConvDecode',
    bindings: { params: 'uniform', codes: 'read', table: 'write' },
    uniforms: { total: 'u32', octs: 'u32', outC: 'u32', bits: 'u32', n1: 'i32', fixed: 'u32' },
  },
  expRange: {
    label: 'expRange',
    bindings: { params: 'uniform', x: 'read', range: 'write' },
    uniforms: { total: 'u32' },
  },
  shiftDense: {
    label: 'shiftDense',
    bindings: { params: 'uniform', codes: 'read', bias: 'read', x: 'read', y: 'write' },
    uniforms: { total: 'u32', inN: 'u32', outN: 'u32', bits: 'u32', n1: 'i32', relu: 'u32' },
  },
  shiftDenseFixed: {
    label: 'shiftDenseFixed',
    bindings: { params: 'uniform', codes: 'read', x: 'read', y: 'write' },
    uniforms: { total: 'u32', inN: 'u32', outN: 'u32', bits: 'u32', n1: 'i32' },
  },
  maxAbs: {
    label: 'maxAbs',
    bindings: { params: 'uniform', x: 'read', stats: 'write' },
    uniforms: { total: 'u32', slot: 'u32' },
  },
  quantizeFixed: {
    label: 'quantizeFixed',
    bindings: { params: 'uniform', x: 'read', stats: 'write', q: 'write' },
    uniforms: { total: 'u32', slot: 'u32', fanInLog2: 'i32', n1: 'i32' },
  },
  dequantBiasRelu: {
    label: 'dequantBiasRelu',
    bindings: { params: 'uniform', sums: 'read', stats: 'read', bias: 'read', y: 'write' },
    uniforms: { total: 'u32', channels: 'u32', slot: 'u32', relu: 'u32' },
  },
  maxPool2d: {
    label: 'maxPool2d',
    bindings: { params: 'uniform', x: 'read', y: 'write' },
    uniforms: { total: 'u32', inH: 'u32', inW: 'u32', c: 'u32', outH: 'u32', outW: 'u32' },
  },
} as const satisfies Record<KernelName, KernelDef<string, string>>;

type Defs = typeof KERNEL_DEFS;
/** The compiled program of kernel K, typed by its binding and uniform names. */
export type ProgramOf<K extends KernelName> = KernelProgram<keyof Defs[K]['bindings'] & string, keyof Defs[K]['uniforms'] & string>;

/** Default workgroup size: a multiple of 32 and 64 lanes, well inside the fallback adapter's 256. */
export const DEFAULT_WORKGROUP_SIZE = 64;

/** All kernels compiled for one device. */
export class ShiftKernels {
  private constructor(
    readonly device: GPUDevice,
    readonly programs: { [K in KernelName]: ProgramOf<K> },
  ) {}

  /** Compiles every kernel (throws WgslCompileError on any WGSL error). */
  static async create(device: GPUDevice, workgroupSize = DEFAULT_WORKGROUP_SIZE): Promise<ShiftKernels> {
    const build = <K extends KernelName>(name: K): Promise<ProgramOf<K>> =>
      KernelProgram.create(device, KERNEL_DEFS[name] as KernelDef<keyof Defs[K]['bindings'] & string, keyof Defs[K]['uniforms'] & string>, wgslSource(name), workgroupSize);
    const [shiftConv2d, shiftConv2dFixed, shiftConvDecode, expRange, shiftDense, shiftDenseFixed, maxAbs, quantizeFixed, dequantBiasRelu, maxPool2d] = await Promise.all([
      build('shiftConv2d'),
      build('shiftConv2dFixed'),
      build('shiftConvDecode'),
      build('expRange'),
      build('shiftDense'),
      build('shiftDenseFixed'),
      build('maxAbs'),
      build('quantizeFixed'),
      build('dequantBiasRelu'),
      build('maxPool2d'),
    ]);
    return new ShiftKernels(device, { shiftConv2d, shiftConv2dFixed, shiftConvDecode, expRange, shiftDense, shiftDenseFixed, maxAbs, quantizeFixed, dequantBiasRelu, maxPool2d });
  }
}
