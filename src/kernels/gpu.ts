/**
 * The WebGPU plumbing every kernel shares: checked shader compilation, a small program object
 * (pipeline + explicit bind group layout + uniform struct declared once), buffers and read-back.
 */

/** A WGSL module failed to compile; the message carries every error with its line and column. */
export class WgslCompileError extends Error {
  override name = 'WgslCompileError';
}

/**
 * Compiles WGSL and throws on any error. Dawn and browsers otherwise only log a warning, and a
 * pipeline built from the broken module silently computes garbage (PLATFORM.md).
 */
export async function compileShader(device: GPUDevice, code: string, label: string): Promise<GPUShaderModule> {
  device.pushErrorScope('validation');
  const module = device.createShaderModule({ code, label });
  const info = await module.getCompilationInfo();
  const scopeError = await device.popErrorScope();
  const errors = info.messages.filter((m) => m.type === 'error').map((m) => `${m.lineNum}:${m.linePos} ${m.message}`);
  if (errors.length > 0) throw new WgslCompileError(`WGSL "${label}" does not compile: ${errors.join('; ')}`);
  if (scopeError) throw new WgslCompileError(`WGSL "${label}" does not compile: ${scopeError.message}`);
  return module;
}

/** How a kernel sees one binding. */
export type BindingKind = 'uniform' | 'read' | 'write';

/** Scalar types allowed in a kernel's uniform struct (all 4 bytes, so the layout is just their order). */
export type UniformType = 'u32' | 'i32' | 'f32';

/**
 * One kernel: its WGSL source, its bindings in @binding order (the first is the uniform `params`)
 * and its uniform struct's fields in declaration order. The one place a kernel's interface is written
 * on the TypeScript side; a test checks it against the WGSL text.
 */
export interface KernelDef<B extends string, U extends string> {
  label: string;
  bindings: Readonly<Record<B, BindingKind>>;
  uniforms: Readonly<Record<U, UniformType>>;
}

const USAGE_STORAGE = 0x0080; // GPUBufferUsage.STORAGE; the constants object is a browser/Dawn global
const USAGE_UNIFORM = 0x0040;
const USAGE_COPY_SRC = 0x0004;
const USAGE_COPY_DST = 0x0008;
const USAGE_MAP_READ = 0x0001;

/** Storage buffer usage for activations and codes (readable back, writable from the CPU). */
export const STORAGE_USAGE = USAGE_STORAGE | USAGE_COPY_SRC | USAGE_COPY_DST;

/** A compiled kernel: pipeline and bind group layout, plus uniform packing and dispatch. */
export class KernelProgram<B extends string, U extends string> {
  private constructor(
    readonly device: GPUDevice,
    readonly def: KernelDef<B, U>,
    readonly pipeline: GPUComputePipeline,
    readonly layout: GPUBindGroupLayout,
    readonly workgroupSize: number,
  ) {}

  /** Compiles `source` (throwing on WGSL errors) and builds the pipeline with workgroup size `WG`. */
  static async create<B extends string, U extends string>(
    device: GPUDevice,
    def: KernelDef<B, U>,
    source: string,
    workgroupSize: number,
  ): Promise<KernelProgram<B, U>> {
    const lim = device.limits;
    if (!Number.isInteger(workgroupSize) || workgroupSize < 1 || workgroupSize > Math.min(lim.maxComputeInvocationsPerWorkgroup, lim.maxComputeWorkgroupSizeX)) {
      throw new RangeError(`workgroup size ${workgroupSize} is outside this adapter's limit (${lim.maxComputeInvocationsPerWorkgroup})`);
    }
    const module = await compileShader(device, source, def.label);
    const entries: GPUBindGroupLayoutEntry[] = Object.values<BindingKind>(def.bindings).map((kind, binding) => ({
      binding,
      visibility: 0x4, // GPUShaderStage.COMPUTE
      buffer: { type: kind === 'uniform' ? 'uniform' : kind === 'read' ? 'read-only-storage' : 'storage' },
    }));
    const layout = device.createBindGroupLayout({ label: def.label, entries });
    const pipeline = await device.createComputePipelineAsync({
      label: def.label,
      layout: device.createPipelineLayout({ label: def.label, bindGroupLayouts: [layout] }),
      compute: { module, entryPoint: 'main', constants: { WG: workgroupSize } },
    });
    return new KernelProgram(device, def, pipeline, layout, workgroupSize);
  }

  /** A uniform buffer holding `values` in the struct's field order (checked: whole numbers for u32/i32). */
  uniformBuffer(values: Readonly<Record<U, number>>): GPUBuffer {
    const fields = Object.entries<UniformType>(this.def.uniforms);
    const bytes = new ArrayBuffer(Math.ceil((fields.length * 4) / 16) * 16);
    const view = new DataView(bytes);
    fields.forEach(([name, type], i) => {
      const v = values[name as U];
      if (type === 'f32') view.setFloat32(i * 4, v, true);
      else {
        const [lo, hi] = type === 'u32' ? [0, 2 ** 32 - 1] : [-(2 ** 31), 2 ** 31 - 1];
        if (!Number.isInteger(v) || v < lo || v > hi) throw new RangeError(`${this.def.label}: uniform ${name} = ${v} is not a ${type}`);
        if (type === 'u32') view.setUint32(i * 4, v, true);
        else view.setInt32(i * 4, v, true);
      }
    });
    const buf = this.device.createBuffer({ label: `${this.def.label} params`, size: bytes.byteLength, usage: USAGE_UNIFORM | USAGE_COPY_DST });
    this.device.queue.writeBuffer(buf, 0, bytes);
    return buf;
  }

  /** A bind group from buffers named as in the definition. */
  bindGroup(buffers: Readonly<Record<B, GPUBuffer>>): GPUBindGroup {
    return this.device.createBindGroup({
      label: this.def.label,
      layout: this.layout,
      entries: Object.keys(this.def.bindings).map((name, binding) => ({ binding, resource: { buffer: buffers[name as B] } })),
    });
  }

  /**
   * Dispatches enough workgroups for `invocations` threads. Kernels index with
   * gid.x + gid.y · nwg.x · WG, so a grid wider than the per-dimension limit wraps into y.
   * With `maxGroups` (grid-stride kernels) it dispatches at most that many groups, 1-D.
   */
  dispatch(pass: GPUComputePassEncoder, bindGroup: GPUBindGroup, invocations: number, maxGroups?: number): void {
    if (invocations <= 0) return;
    const groups = Math.ceil(invocations / this.workgroupSize);
    pass.setPipeline(this.pipeline);
    pass.setBindGroup(0, bindGroup);
    if (maxGroups !== undefined) {
      pass.dispatchWorkgroups(Math.min(groups, maxGroups));
      return;
    }
    const x = Math.min(groups, this.device.limits.maxComputeWorkgroupsPerDimension);
    pass.dispatchWorkgroups(x, Math.ceil(groups / x));
  }
}

/** A storage buffer of `byteLength` bytes (at least 4: zero-sized bindings are invalid). */
export function storageBuffer(device: GPUDevice, byteLength: number, label: string): GPUBuffer {
  return device.createBuffer({ label, size: Math.max(4, Math.ceil(byteLength / 4) * 4), usage: STORAGE_USAGE });
}

/** A storage buffer initialised from typed-array data. */
export function uploadBuffer(device: GPUDevice, data: Float32Array | Int32Array | Uint32Array, label: string): GPUBuffer {
  const buf = storageBuffer(device, data.byteLength, label);
  if (data.byteLength > 0) device.queue.writeBuffer(buf, 0, data.buffer, data.byteOffset, data.byteLength);
  return buf;
}

/** Float32 NaN bit pattern used to poison outputs, so an element a kernel never wrote shows up. */
export const POISON_NAN = 0x7fc00000;
/** Integer poison for i32 outputs. */
export const POISON_INT = 0xdeadbeef;

/** Fills a buffer's first `byteLength` bytes with a 32-bit pattern (queued before later submits). */
export function poisonBuffer(device: GPUDevice, buffer: GPUBuffer, pattern: number, byteLength = buffer.size): void {
  const fill = new Uint32Array(Math.floor(byteLength / 4)).fill(pattern >>> 0);
  device.queue.writeBuffer(buffer, 0, fill);
}

/** Copies `byteLength` bytes of a buffer into a fresh ArrayBuffer (one submit, waits for the GPU). */
export async function readBuffer(device: GPUDevice, buffer: GPUBuffer, byteLength = buffer.size): Promise<ArrayBuffer> {
  const size = Math.max(4, Math.ceil(byteLength / 4) * 4);
  const staging = device.createBuffer({ label: 'read-back', size, usage: USAGE_MAP_READ | USAGE_COPY_DST });
  const enc = device.createCommandEncoder();
  enc.copyBufferToBuffer(buffer, 0, staging, 0, size);
  device.queue.submit([enc.finish()]);
  await staging.mapAsync(0x0001); // GPUMapMode.READ
  const out = staging.getMappedRange(0, size).slice(0, byteLength);
  staging.unmap();
  staging.destroy();
  return out;
}
