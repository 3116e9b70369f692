/**
 * The fixed-shift wrapper around an integer shift core (conv or dense): max|x| → F and quantize to
 * i32 before it, i32 sums → float with bias and ReLU after it. F follows the headroom rule in
 * src/inq/shiftRef.ts and is chosen on the GPU per layer and per forward pass, with no read-back.
 */
import { ceilLog2 } from '../inq/shiftRef.ts';
import { storageBuffer } from './gpu.ts';
import type { FixedScratch } from './gpuLayer.ts';
import type { ShiftKernels } from './programs.ts';

/** What the wrapper needs to know about its layer. */
export interface FixedStageOptions {
  name: string;
  inCount: number;
  outCount: number;
  fanIn: number;
  n1: number;
  /** Length of the bias (the output's last axis). */
  channels: number;
  bias: GPUBuffer;
  relu: boolean;
  stats: GPUBuffer;
  slot: number;
}

/** maxAbs + quantizeFixed before the core, dequantBiasRelu after it. */
export class FixedStages {
  /** Scratch buffers the core reads (q) and writes (sums). */
  readonly scratch: FixedScratch;
  private readonly uniforms: GPUBuffer[];
  private readonly maxAbsParams: GPUBuffer;
  private readonly quantParams: GPUBuffer;
  private readonly dequantParams: GPUBuffer;

  constructor(
    private readonly kernels: ShiftKernels,
    private readonly o: FixedStageOptions,
  ) {
    const { device, programs: p } = kernels;
    this.scratch = {
      q: storageBuffer(device, o.inCount * 4, `${o.name} q`),
      sums: storageBuffer(device, o.outCount * 4, `${o.name} sums`),
      slot: o.slot,
    };
    this.maxAbsParams = p.maxAbs.uniformBuffer({ total: o.inCount, slot: o.slot });
    this.quantParams = p.quantizeFixed.uniformBuffer({ total: o.inCount, slot: o.slot, fanInLog2: ceilLog2(o.fanIn), n1: o.n1 });
    this.dequantParams = p.dequantBiasRelu.uniformBuffer({ total: o.outCount, channels: o.channels, slot: o.slot, relu: o.relu ? 1 : 0 });
    this.uniforms = [this.maxAbsParams, this.quantParams, this.dequantParams];
  }

  /** max|x| into the stats slot (zeroed by the caller), then x → q. */
  encodeBefore(pass: GPUComputePassEncoder, input: GPUBuffer): void {
    const p = this.kernels.programs;
    const stats = this.o.stats;
    // Grid-stride: a few hundred workgroups are plenty for a reduction and keep the atomics few.
    p.maxAbs.dispatch(pass, p.maxAbs.bindGroup({ params: this.maxAbsParams, x: input, stats }), this.o.inCount, 256);
    p.quantizeFixed.dispatch(pass, p.quantizeFixed.bindGroup({ params: this.quantParams, x: input, stats, q: this.scratch.q }), Math.max(1, this.o.inCount));
  }

  /** sums → float output with bias and ReLU. */
  encodeAfter(pass: GPUComputePassEncoder, output: GPUBuffer): void {
    const p = this.kernels.programs.dequantBiasRelu;
    p.dispatch(pass, p.bindGroup({ params: this.dequantParams, sums: this.scratch.sums, stats: this.o.stats, bias: this.o.bias, y: output }), this.o.outCount);
  }

  /** Frees the scratch and uniform buffers. */
  destroy(): void {
    this.scratch.q.destroy();
    this.scratch.sums.destroy();
    for (const u of this.uniforms) u.destroy();
  }
}
