/** Max-pool 2×2 stride 2 on the GPU (maxPool2d.wgsl). */
import type { GpuLayer, LayerRun } from './gpuLayer.ts';
import { runLayerOnce, statsBuffer } from './gpuLayer.ts';
import type { ShiftKernels } from './programs.ts';

/** A 2×2 max-pool bound to one NHWC input shape. */
export class MaxPool2dLayer implements GpuLayer {
  readonly inCount: number;
  readonly outCount: number;
  readonly outShape: [number, number, number, number];
  private readonly params: GPUBuffer;

  constructor(
    private readonly kernels: ShiftKernels,
    inShape: readonly [number, number, number, number],
    readonly name = 'maxPool2d',
  ) {
    const [n, h, w, c] = inShape;
    if (h < 2 || w < 2) throw new RangeError(`${name}: a 2×2 pool needs at least 2×2 input (got ${h}×${w})`);
    this.outShape = [n, Math.floor(h / 2), Math.floor(w / 2), c];
    this.inCount = n * h * w * c;
    this.outCount = this.outShape.reduce((a, b) => a * b, 1);
    this.params = kernels.programs.maxPool2d.uniformBuffer({ total: this.outCount, inH: h, inW: w, c, outH: this.outShape[1], outW: this.outShape[2] });
  }

  /** Records the one dispatch. */
  encode(pass: GPUComputePassEncoder, input: GPUBuffer, output: GPUBuffer): void {
    const p = this.kernels.programs.maxPool2d;
    p.dispatch(pass, p.bindGroup({ params: this.params, x: input, y: output }), this.outCount);
  }

  /** Frees the uniform buffer. */
  destroy(): void {
    this.params.destroy();
  }
}

/** Runs a 2×2 max-pool on a Float32Array (output poisoned first). */
export async function runMaxPool2d(kernels: ShiftKernels, x: Float32Array, inShape: readonly [number, number, number, number]): Promise<LayerRun> {
  const layer = new MaxPool2dLayer(kernels, inShape);
  // The one-shot runner clears a stats buffer; a pool never reads it.
  const stats = statsBuffer(kernels.device, 1);
  try {
    return await runLayerOnce(kernels.device, layer, x, stats);
  } finally {
    layer.destroy();
    stats.destroy();
  }
}
