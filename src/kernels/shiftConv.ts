/** The shift-only conv2d layer on the GPU (expRange + shiftConv2d.wgsl, or the fixed-shift chain around shiftConv2dFixed.wgsl). */
import { convGeometry, fanIn, validatePackedKernel } from '../inq/shiftRef.ts';
import type { ConvGeometry, PackedKernel, Padding, ShiftMode } from '../inq/shiftRef.ts';
import { FixedStages } from './fixedPoint.ts';
import { storageBuffer, uploadBuffer } from './gpu.ts';
import type { FixedScratch, GpuLayer, LayerRun } from './gpuLayer.ts';
import { runLayerOnce, statsBuffer } from './gpuLayer.ts';
import type { ShiftKernels } from './programs.ts';

/** Output channels one conv invocation computes (shiftConv2d*.wgsl). */
export const CONV_OC_BLOCK = 8;
/** Neighbouring output pixels of a row one conv invocation computes (shiftConv2d*.wgsl). */
export const CONV_PIXEL_BLOCK = 4;

/** A quantized conv layer: packed HWIO codes, float bias, stride, padding, ReLU. */
export interface ConvLayerSpec {
  name?: string;
  kernel: PackedKernel;
  bias: Float32Array;
  stride: number;
  padding: Padding;
  relu: boolean;
}

/**
 * A conv layer bound to one NHWC input shape; in fixed mode it needs a stats buffer and a slot.
 * Building it uploads the packed codes and decodes them once on the GPU (shiftConvDecode.wgsl) into
 * the per-weight table the conv kernel reads; a forward pass never touches the codes again.
 */
export class ShiftConv2dLayer implements GpuLayer {
  readonly name: string;
  readonly geometry: ConvGeometry;
  readonly inCount: number;
  readonly outCount: number;
  readonly fixed?: FixedScratch;
  /** Invocations of the conv kernel: workgroups (batch × channel blocks × blocks of WG pixel quads) × workgroup size. */
  readonly invocations: number;
  /** Bytes of the decoded weight table on the GPU (the packed codes are uploaded, decoded and freed). */
  readonly tableBytes: number;
  private readonly table: GPUBuffer;
  private readonly bias: GPUBuffer;
  private readonly params: GPUBuffer;
  /** Float mode: the input's exponent range (expRange.wgsl) and its uniforms. */
  private readonly range?: { buffer: GPUBuffer; params: GPUBuffer };
  private readonly stages?: FixedStages;

  constructor(
    private readonly kernels: ShiftKernels,
    spec: ConvLayerSpec,
    inShape: readonly [number, number, number, number],
    readonly mode: ShiftMode,
    fixed?: { stats: GPUBuffer; slot: number },
  ) {
    validatePackedKernel(spec.kernel, 4);
    const g = convGeometry(inShape, spec.kernel.shape, spec.stride, spec.padding);
    if (spec.bias.length !== g.outC) throw new RangeError(`bias has ${spec.bias.length} values for ${g.outC} channels`);
    if (mode === 'fixed' && !fixed) throw new Error(`${spec.name ?? 'conv2d'}: fixed-shift mode needs a stats buffer and slot`);
    this.name = spec.name ?? 'conv2d';
    this.geometry = g;
    this.inCount = g.batch * g.inH * g.inW * g.inC;
    this.outCount = g.batch * g.outH * g.outW * g.outC;
    const { device, programs: p } = kernels;
    const conv = mode === 'float' ? p.shiftConv2d : p.shiftConv2dFixed;
    const wg = conv.workgroupSize;
    const octs = Math.ceil(g.outC / CONV_OC_BLOCK);
    const pixBlocks = Math.ceil((g.outH * Math.ceil(g.outW / CONV_PIXEL_BLOCK)) / wg);
    const groups = g.batch * octs * pixBlocks;
    this.invocations = groups * wg;
    this.bias = uploadBuffer(device, spec.bias, `${this.name} bias`);
    this.table = this.decode(spec.kernel, octs);
    this.tableBytes = this.table.size;
    const geom = {
      groups,
      pixBlocks,
      octs,
      inH: g.inH,
      inW: g.inW,
      inC: g.inC,
      outH: g.outH,
      outW: g.outW,
      outC: g.outC,
      kh: g.kh,
      kw: g.kw,
      stride: g.stride,
      padTop: g.padTop,
      padLeft: g.padLeft,
    };
    if (mode === 'float') {
      const { n1, bits } = spec.kernel;
      const n2 = n1 + 1 - 2 ** (bits - 2);
      // bits(x) + D is exact while every exponent field e + p stays in [1, 254] (shiftConv2d.wgsl).
      this.params = p.shiftConv2d.uniformBuffer({ ...geom, fastMinE: Math.max(1, 1 - n2), fastMaxE: 254 - n1, relu: spec.relu ? 1 : 0 });
      this.range = { buffer: storageBuffer(device, 8, `${this.name} exponent range`), params: p.expRange.uniformBuffer({ total: this.inCount }) };
      return;
    }
    this.params = p.shiftConv2dFixed.uniformBuffer(geom);
    const f = fixed as { stats: GPUBuffer; slot: number };
    this.stages = new FixedStages(kernels, {
      name: this.name,
      inCount: this.inCount,
      outCount: this.outCount,
      fanIn: fanIn(spec.kernel),
      n1: spec.kernel.n1,
      channels: g.outC,
      bias: this.bias,
      relu: spec.relu,
      stats: f.stats,
      slot: f.slot,
    });
    this.fixed = this.stages.scratch;
  }

  /** Uploads the packed codes and decodes them into this mode's table (one submit; the codes are freed after). */
  private decode(kernel: PackedKernel, octs: number): GPUBuffer {
    const { device, programs: p } = this.kernels;
    const [kh, kw, inC, outC] = kernel.shape;
    const total = kh * kw * inC * octs;
    const codes = uploadBuffer(device, kernel.words, `${this.name} codes`);
    const table = storageBuffer(device, total * 16, `${this.name} weight table`);
    const params = p.shiftConvDecode.uniformBuffer({ total, octs, outC, bits: kernel.bits, n1: kernel.n1, fixed: this.mode === 'float' ? 0 : 1 });
    const enc = device.createCommandEncoder({ label: `${this.name} decode` });
    const pass = enc.beginComputePass({ label: `${this.name} decode` });
    p.shiftConvDecode.dispatch(pass, p.shiftConvDecode.bindGroup({ params, codes, table }), total);
    pass.end();
    device.queue.submit([enc.finish()]);
    // Destroying after the submit is safe: WebGPU frees them once the decode has run.
    codes.destroy();
    params.destroy();
    return table;
  }

  /** Records the dispatches: exponent range + conv in float mode, four in fixed-shift mode. */
  encode(pass: GPUComputePassEncoder, input: GPUBuffer, output: GPUBuffer): void {
    const p = this.kernels.programs;
    if (this.range) {
      const r = this.range;
      p.expRange.dispatch(pass, p.expRange.bindGroup({ params: r.params, x: input, range: r.buffer }), p.expRange.workgroupSize, 1);
      p.shiftConv2d.dispatch(pass, p.shiftConv2d.bindGroup({ params: this.params, table: this.table, range: r.buffer, bias: this.bias, x: input, y: output }), this.invocations);
      return;
    }
    const stages = this.stages as FixedStages;
    stages.encodeBefore(pass, input);
    p.shiftConv2dFixed.dispatch(pass, p.shiftConv2dFixed.bindGroup({ params: this.params, table: this.table, x: stages.scratch.q, y: stages.scratch.sums }), this.invocations);
    stages.encodeAfter(pass, output);
  }

  /** Frees the layer's buffers. */
  destroy(): void {
    this.table.destroy();
    this.bias.destroy();
    this.params.destroy();
    this.range?.buffer.destroy();
    this.range?.params.destroy();
    this.stages?.destroy();
  }
}

/** Runs one conv layer on a Float32Array (outputs poisoned first); returns everything read back. */
export async function runShiftConv2d(
  kernels: ShiftKernels,
  x: Float32Array,
  inShape: readonly [number, number, number, number],
  spec: ConvLayerSpec,
  mode: ShiftMode,
): Promise<LayerRun & { geometry: ConvGeometry }> {
  const stats = statsBuffer(kernels.device, 1);
  const layer = new ShiftConv2dLayer(kernels, spec, inShape, mode, { stats, slot: 0 });
  try {
    if (x.length !== layer.inCount) throw new RangeError(`input has ${x.length} values, shape [${inShape.join(', ')}] needs ${layer.inCount}`);
    return { ...(await runLayerOnce(kernels.device, layer, x, stats)), geometry: layer.geometry };
  } finally {
    layer.destroy();
    stats.destroy();
  }
}
