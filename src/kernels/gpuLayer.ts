/** What every GPU layer looks like to the network and to the one-shot runners. */
import { POISON_INT, POISON_NAN, poisonBuffer, readBuffer, storageBuffer, uploadBuffer } from './gpu.ts';

/** Fixed-shift scratch buffers of a conv or dense layer (read back by the bit-exact tests). */
export interface FixedScratch {
  /** The quantized input, i32. */
  q: GPUBuffer;
  /** The raw i32 sums. */
  sums: GPUBuffer;
  /** Which pair of the stats buffer (max|x| bits, F) this layer uses. */
  slot: number;
}

/** One layer's GPU work for a fixed input shape. */
export interface GpuLayer {
  readonly name: string;
  /** Elements in (whole batch). */
  readonly inCount: number;
  /** Elements out (whole batch). */
  readonly outCount: number;
  /** Present in fixed-shift mode. */
  readonly fixed?: FixedScratch;
  /** Records the layer's dispatches; `input` and `output` are f32 storage buffers. */
  encode(pass: GPUComputePassEncoder, input: GPUBuffer, output: GPUBuffer): void;
  /** Frees the layer's own buffers. */
  destroy(): void;
}

/** Slots of (max|x| bits, F) pairs the stats buffer of a network or one-shot run holds. */
export function statsBuffer(device: GPUDevice, slots: number): GPUBuffer {
  return storageBuffer(device, Math.max(1, slots) * 8, 'fixed-point stats');
}

/** A layer run once on the GPU, everything read back. */
export interface LayerRun {
  y: Float32Array;
  /** Fixed-shift mode only: F, the quantized input and the i32 sums. */
  fixed?: { F: number; maxBits: number; q: Int32Array; sums: Int32Array };
}

/**
 * Runs one layer on `x`: outputs (and fixed-shift scratch) poisoned first, so an element the kernel
 * never writes reads back as NaN / 0xdeadbeef instead of a plausible stale value.
 */
export async function runLayerOnce(device: GPUDevice, layer: GpuLayer, x: Float32Array, stats: GPUBuffer): Promise<LayerRun> {
  const input = uploadBuffer(device, x, `${layer.name} input`);
  const output = storageBuffer(device, layer.outCount * 4, `${layer.name} output`);
  try {
    poisonBuffer(device, output, POISON_NAN);
    if (layer.fixed) {
      poisonBuffer(device, layer.fixed.q, POISON_INT);
      poisonBuffer(device, layer.fixed.sums, POISON_INT);
    }
    const enc = device.createCommandEncoder();
    enc.clearBuffer(stats);
    const pass = enc.beginComputePass({ label: layer.name });
    layer.encode(pass, input, output);
    pass.end();
    device.queue.submit([enc.finish()]);
    const y = new Float32Array(await readBuffer(device, output, layer.outCount * 4));
    if (!layer.fixed) return { y };
    const st = new Uint32Array(await readBuffer(device, stats, stats.size));
    const s = layer.fixed.slot;
    return {
      y,
      fixed: {
        maxBits: st[2 * s],
        F: st[2 * s + 1] | 0,
        q: new Int32Array(await readBuffer(device, layer.fixed.q, layer.inCount * 4)),
        sums: new Int32Array(await readBuffer(device, layer.fixed.sums, layer.outCount * 4)),
      },
    };
  } finally {
    input.destroy();
    output.destroy();
  }
}
