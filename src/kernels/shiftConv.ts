/** The shift-only conv2d layer on the GPU (shiftConv2d.wgsl, or the fixed-shift chain around shiftConv2dFixed.wgsl). */
import { convGeometry, fanIn, validatePackedKernel } from '../inq/shiftRef.ts';
import type { ConvGeometry, PackedKernel, Padding, ShiftMode } from '../inq/shiftRef.ts';
import { FixedStages } from './fixedPoint.ts';
import { uploadBuffer } from './gpu.ts';
import type { FixedScratch, GpuLayer, LayerRun } from './gpuLayer.ts';
import { runLayerOnce, statsBuffer } from './gpuLayer.ts';
import type { ShiftKernels } from './programs.ts';

/** Output channels one conv invocation computes (the vec4 accumulator in shiftConv2d*.wgsl). */
export const CONV_OC_BLOCK = 4;

/** A quantized conv layer: packed HWIO codes, float bias, stride, padding, ReLU. */
export interface ConvLayerSpec {
  name?: string;
  kernel: PackedKernel;
  bias: Float32Array;
  stride: number;
  padding: Padding;
  relu: boolean;
}

/** A conv layer bound to one NHWC input shape; in fixed mode it needs a stats buffer and a slot. */
export class ShiftConv2dLayer implements GpuLayer {
  readonly name: string;
  readonly geometry: ConvGeometry;
  readonly inCount: number;
  readonly outCount: number;
  readonly fixed?: FixedScratch;
  /** Invocations of the conv kernel: one per output pixel and block of CONV_OC_BLOCK channels. */
  readonly invocations: number;
  private readonly codes: GPUBuffer;
  private readonly bias: GPUBuffer;
  private readonly params: GPUBuffer;
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
    this.name = spec.name ?? 'conv2d';
    this.geometry = g;
    this.inCount = g.batch * g.inH * g.inW * g.inC;
    this.outCount = g.batch * g.outH * g.outW * g.outC;
    const { device, programs: p } = kernels;
    const ocBlocks = Math.ceil(g.outC / CONV_OC_BLOCK);
    this.invocations = g.batch * ocBlocks * g.outH * g.outW;
    // Two spare words: the kernel reads a 64-bit window of codes, also past the last code.
    const padded = new Uint32Array(spec.kernel.words.length + 2);
    padded.set(spec.kernel.words);
    this.codes = uploadBuffer(device, padded, `${this.name} codes`);
    this.bias = uploadBuffer(device, spec.bias, `${this.name} bias`);
    const geom = {
      total: this.invocations,
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
      bits: spec.kernel.bits,
      n1: spec.kernel.n1,
      ocBlocks,
    };
    if (mode === 'float') {
      this.params = p.shiftConv2d.uniformBuffer({ ...geom, relu: spec.relu ? 1 : 0 });
      return;
    }
    if (!fixed) throw new Error(`${this.name}: fixed-shift mode needs a stats buffer and slot`);
    this.params = p.shiftConv2dFixed.uniformBuffer(geom);
    this.stages = new FixedStages(kernels, {
      name: this.name,
      inCount: this.inCount,
      outCount: this.outCount,
      fanIn: fanIn(spec.kernel),
      n1: spec.kernel.n1,
      channels: g.outC,
      bias: this.bias,
      relu: spec.relu,
      stats: fixed.stats,
      slot: fixed.slot,
    });
    this.fixed = this.stages.scratch;
  }

  /** Records the dispatches: one kernel in float mode, four in fixed-shift mode. */
  encode(pass: GPUComputePassEncoder, input: GPUBuffer, output: GPUBuffer): void {
    const p = this.kernels.programs;
    if (!this.stages) {
      p.shiftConv2d.dispatch(pass, p.shiftConv2d.bindGroup({ params: this.params, codes: this.codes, bias: this.bias, x: input, y: output }), this.invocations);
      return;
    }
    this.stages.encodeBefore(pass, input);
    p.shiftConv2dFixed.dispatch(pass, p.shiftConv2dFixed.bindGroup({ params: this.params, codes: this.codes, x: this.stages.scratch.q, y: this.stages.scratch.sums }), this.invocations);
    this.stages.encodeAfter(pass, output);
  }

  /** Frees the layer's buffers. */
  destroy(): void {
    this.codes.destroy();
    this.bias.destroy();
    this.params.destroy();
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
