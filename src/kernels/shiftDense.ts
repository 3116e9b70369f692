/** The shift-only dense layer on the GPU (shiftDense.wgsl, or the fixed-shift chain around shiftDenseFixed.wgsl). */
import { fanIn, validatePackedKernel } from '../inq/shiftRef.ts';
import type { PackedKernel, ShiftMode } from '../inq/shiftRef.ts';
import { FixedStages } from './fixedPoint.ts';
import { uploadBuffer } from './gpu.ts';
import type { FixedScratch, GpuLayer, LayerRun } from './gpuLayer.ts';
import { runLayerOnce, statsBuffer } from './gpuLayer.ts';
import type { ShiftKernels } from './programs.ts';

/** A quantized dense layer: packed [in, out] codes, float bias, ReLU. */
export interface DenseLayerSpec {
  name?: string;
  kernel: PackedKernel;
  bias: Float32Array;
  relu: boolean;
}

/** A dense layer bound to one batch size; in fixed mode it needs a stats buffer and a slot. */
export class ShiftDenseLayer implements GpuLayer {
  readonly name: string;
  readonly inCount: number;
  readonly outCount: number;
  readonly fixed?: FixedScratch;
  private readonly codes: GPUBuffer;
  private readonly bias: GPUBuffer;
  private readonly params: GPUBuffer;
  private readonly stages?: FixedStages;

  constructor(
    private readonly kernels: ShiftKernels,
    spec: DenseLayerSpec,
    readonly batch: number,
    readonly mode: ShiftMode,
    fixed?: { stats: GPUBuffer; slot: number },
  ) {
    validatePackedKernel(spec.kernel, 2);
    const [inN, outN] = spec.kernel.shape;
    if (spec.bias.length !== outN) throw new RangeError(`bias has ${spec.bias.length} values for ${outN} units`);
    this.name = spec.name ?? 'dense';
    this.inCount = batch * inN;
    this.outCount = batch * outN;
    const { device, programs: p } = kernels;
    this.codes = uploadBuffer(device, spec.kernel.words, `${this.name} codes`);
    this.bias = uploadBuffer(device, spec.bias, `${this.name} bias`);
    const dims = { total: this.outCount, inN, outN, bits: spec.kernel.bits, n1: spec.kernel.n1 };
    if (mode === 'float') {
      this.params = p.shiftDense.uniformBuffer({ ...dims, relu: spec.relu ? 1 : 0 });
      return;
    }
    if (!fixed) throw new Error(`${this.name}: fixed-shift mode needs a stats buffer and slot`);
    this.params = p.shiftDenseFixed.uniformBuffer(dims);
    this.stages = new FixedStages(kernels, {
      name: this.name,
      inCount: this.inCount,
      outCount: this.outCount,
      fanIn: fanIn(spec.kernel),
      n1: spec.kernel.n1,
      channels: outN,
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
      p.shiftDense.dispatch(pass, p.shiftDense.bindGroup({ params: this.params, codes: this.codes, bias: this.bias, x: input, y: output }), this.outCount);
      return;
    }
    this.stages.encodeBefore(pass, input);
    p.shiftDenseFixed.dispatch(pass, p.shiftDenseFixed.bindGroup({ params: this.params, codes: this.codes, x: this.stages.scratch.q, y: this.stages.scratch.sums }), this.outCount);
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

/** Runs one dense layer on a Float32Array of `batch` rows (outputs poisoned first). */
export async function runShiftDense(kernels: ShiftKernels, x: Float32Array, batch: number, spec: DenseLayerSpec, mode: ShiftMode): Promise<LayerRun> {
  const stats = statsBuffer(kernels.device, 1);
  const layer = new ShiftDenseLayer(kernels, spec, batch, mode, { stats, slot: 0 });
  try {
    if (x.length !== layer.inCount) throw new RangeError(`input has ${x.length} values, ${batch} rows of ${spec.kernel.shape[0]} need ${layer.inCount}`);
    return await runLayerOnce(kernels.device, layer, x, stats);
  } finally {
    layer.destroy();
    stats.destroy();
  }
}
