/**
 * A whole quantized network (e.g. LeNet-5) run on the shift kernels: conv and dense layers read
 * their packed codes straight from GPU buffers; nothing goes back to the CPU until the logits.
 * CPU twin: shiftForwardRef in src/inq/shiftRef.ts.
 */
import { shiftLayerShapes } from '../inq/shiftRef.ts';
import type { ShiftLayer, ShiftMode } from '../inq/shiftRef.ts';
import { readBuffer, storageBuffer } from './gpu.ts';
import type { GpuLayer } from './gpuLayer.ts';
import { statsBuffer } from './gpuLayer.ts';
import { MaxPool2dLayer } from './maxPool.ts';
import { ShiftKernels } from './programs.ts';
import { ShiftConv2dLayer } from './shiftConv.ts';
import { ShiftDenseLayer } from './shiftDense.ts';

/** Time one layer took in a forward pass. */
export interface LayerTiming {
  name: string;
  kind: ShiftLayer['kind'];
  ms: number;
}

/** Where per-layer times come from: GPU timestamps, or CPU wall time around a submit per layer. */
export type TimingSource = 'gpu-timestamp' | 'cpu-wall';

/** Logits plus per-layer times (flatten is free and not listed). */
export interface ForwardResult {
  logits: Float32Array;
  timings: LayerTiming[];
  timingSource: TimingSource;
  /**
   * Timestamp pairs of this pass that were unusable (end not after start): when there are any, the
   * pass was timed again by wall time per layer and timingSource says so.
   */
  invalidTimestamps: number;
}

/**
 * Milliseconds between each pair of resolved timestamps [begin₀, end₀, begin₁, end₁, …], or null
 * for a pair whose end is not after its begin (a reset or broken counter, or a duration below the
 * timer's resolution): such a pair says nothing about the layer, and 0 ms would be a wrong figure.
 */
export function pairDurationsMs(stamps: BigUint64Array, pairs: number): (number | null)[] {
  const out: (number | null)[] = [];
  for (let k = 0; k < pairs; k++) {
    const begin = stamps[2 * k];
    const end = stamps[2 * k + 1];
    out.push(end > begin ? Number(end - begin) / 1e6 : null);
  }
  return out;
}

/** Options of a shift network. */
export interface ShiftNetworkOptions {
  mode?: ShiftMode;
  workgroupSize?: number;
  /** 'auto' uses timestamp queries when the device has them; 'cpu-wall' forces wall times. */
  timing?: 'auto' | 'cpu-wall';
  /** Reuse compiled kernels (else compiled here). */
  kernels?: ShiftKernels;
}

interface BatchPlan {
  batch: number;
  /** One per layer; null for flatten (its output is its input buffer). */
  layers: (GpuLayer | null)[];
  /** acts[0] is the input, acts[i + 1] the output of layer i. */
  acts: GPUBuffer[];
  owned: GPUBuffer[];
}

/** Runs a list of shift layers as one forward pass on the GPU. */
export class ShiftNetwork {
  readonly mode: ShiftMode;
  readonly timingSource: TimingSource;
  private plan: BatchPlan | null = null;
  private readonly stats: GPUBuffer;
  private readonly slots: number[];
  private readonly outPerSample: number;

  private constructor(
    readonly device: GPUDevice,
    readonly kernels: ShiftKernels,
    readonly layers: readonly ShiftLayer[],
    readonly inputShape: readonly [number, number, number],
    options: ShiftNetworkOptions,
  ) {
    const shapes = shiftLayerShapes(layers, inputShape);
    this.outPerSample = shapes.length ? shapes[shapes.length - 1].reduce((a, b) => a * b, 1) : inputShape[0] * inputShape[1] * inputShape[2];
    this.mode = options.mode ?? 'float';
    this.timingSource = options.timing !== 'cpu-wall' && device.features.has('timestamp-query') ? 'gpu-timestamp' : 'cpu-wall';
    // One (max|x|, F) slot per conv/dense layer.
    let slot = 0;
    this.slots = layers.map((l) => (l.kind === 'conv2d' || l.kind === 'dense' ? slot++ : -1));
    this.stats = statsBuffer(device, slot);
  }

  /** Validates the layers against the input shape and compiles the kernels. */
  static async create(
    device: GPUDevice,
    layers: readonly ShiftLayer[],
    inputShape: readonly [number, number, number],
    options: ShiftNetworkOptions = {},
  ): Promise<ShiftNetwork> {
    const kernels = options.kernels ?? (await ShiftKernels.create(device, options.workgroupSize));
    return new ShiftNetwork(device, kernels, layers, inputShape, options);
  }

  /** Runs `batch` NHWC samples; resolves to the last layer's output (the logits) and per-layer times. */
  async forward(input: Float32Array, batch: number): Promise<ForwardResult> {
    const [h, w, c] = this.inputShape;
    if (!Number.isInteger(batch) || batch < 1) throw new RangeError(`batch must be a whole number ≥ 1 (got ${batch})`);
    if (input.length !== batch * h * w * c) throw new RangeError(`input has ${input.length} values; ${batch}×${h}×${w}×${c} needs ${batch * h * w * c}`);
    const plan = this.planFor(batch);
    const device = this.device;
    device.queue.writeBuffer(plan.acts[0], 0, input.buffer, input.byteOffset, input.byteLength);
    const work = plan.layers.map((l, i) => ({ l, i })).filter((e): e is { l: GpuLayer; i: number } => e.l !== null);
    const timings: LayerTiming[] = [];
    const output = plan.acts[plan.acts.length - 1];
    let invalidTimestamps = 0;

    if (this.timingSource === 'gpu-timestamp') {
      const querySet = device.createQuerySet({ type: 'timestamp', count: Math.max(2, 2 * work.length) });
      const resolve = device.createBuffer({ size: 16 * Math.max(1, work.length), usage: 0x0200 | 0x0004 }); // QUERY_RESOLVE | COPY_SRC
      try {
        const enc = device.createCommandEncoder();
        enc.clearBuffer(this.stats);
        work.forEach(({ l, i }, k) => {
          const pass = enc.beginComputePass({
            label: l.name,
            timestampWrites: { querySet, beginningOfPassWriteIndex: 2 * k, endOfPassWriteIndex: 2 * k + 1 },
          });
          l.encode(pass, plan.acts[i], plan.acts[i + 1]);
          pass.end();
        });
        if (work.length) enc.resolveQuerySet(querySet, 0, 2 * work.length, resolve, 0);
        device.queue.submit([enc.finish()]);
        const [logits, stamps] = await Promise.all([
          readBuffer(device, output, batch * this.outPerSample * 4),
          readBuffer(device, resolve, 16 * Math.max(1, work.length)),
        ]);
        const durations = pairDurationsMs(new BigUint64Array(stamps), work.length);
        const invalid = durations.filter((d) => d === null).length;
        if (invalid === 0) {
          work.forEach(({ l, i }, k) => timings.push({ name: l.name, kind: this.layers[i].kind, ms: durations[k] as number }));
          return { logits: new Float32Array(logits), timings, timingSource: 'gpu-timestamp', invalidTimestamps: 0 };
        }
        invalidTimestamps = invalid;
      } finally {
        querySet.destroy();
        resolve.destroy();
      }
    }

    // Wall time per layer (asked for, no timestamps, or unusable ones): one submit each, timed until the queue reports it done.
    const first = device.createCommandEncoder();
    first.clearBuffer(this.stats);
    device.queue.submit([first.finish()]);
    await device.queue.onSubmittedWorkDone();
    for (const { l, i } of work) {
      const t0 = performance.now();
      const enc = device.createCommandEncoder();
      const pass = enc.beginComputePass({ label: l.name });
      l.encode(pass, plan.acts[i], plan.acts[i + 1]);
      pass.end();
      device.queue.submit([enc.finish()]);
      await device.queue.onSubmittedWorkDone();
      timings.push({ name: l.name, kind: this.layers[i].kind, ms: performance.now() - t0 });
    }
    const logits = new Float32Array(await readBuffer(device, output, batch * this.outPerSample * 4));
    return { logits, timings, timingSource: 'cpu-wall', invalidTimestamps };
  }

  /** Frees every buffer this network made (the device and the kernels stay). */
  destroy(): void {
    this.dropPlan();
    this.stats.destroy();
  }

  /** Layers and activation buffers for one batch size, kept until the batch size changes. */
  private planFor(batch: number): BatchPlan {
    if (this.plan?.batch === batch) return this.plan;
    this.dropPlan();
    const device = this.device;
    let shape: number[] = [batch, ...this.inputShape];
    const count = (s: number[]): number => s.reduce((a, b) => a * b, 1);
    const acts: GPUBuffer[] = [storageBuffer(device, count(shape) * 4, 'input')];
    const owned = [acts[0]];
    const layers: (GpuLayer | null)[] = [];
    const fixed = (i: number): { stats: GPUBuffer; slot: number } => ({ stats: this.stats, slot: this.slots[i] });
    this.layers.forEach((l, i) => {
      let gl: GpuLayer | null;
      const nhwc = (): [number, number, number, number] => [shape[0], shape[1], shape[2], shape[3]];
      switch (l.kind) {
        case 'conv2d': {
          const conv = new ShiftConv2dLayer(this.kernels, l, nhwc(), this.mode, fixed(i));
          const g = conv.geometry;
          shape = [batch, g.outH, g.outW, g.outC];
          gl = conv;
          break;
        }
        case 'dense':
          gl = new ShiftDenseLayer(this.kernels, l, batch, this.mode, fixed(i));
          shape = [batch, l.kernel.shape[1]];
          break;
        case 'maxPool2d': {
          const pool = new MaxPool2dLayer(this.kernels, nhwc(), l.name);
          shape = [...pool.outShape];
          gl = pool;
          break;
        }
        case 'flatten':
          gl = null;
          shape = [batch, count(shape.slice(1))];
          break;
        default: {
          const never: never = l;
          throw new RangeError(`unknown layer ${JSON.stringify(never)}`);
        }
      }
      layers.push(gl);
      if (gl) {
        const buf = storageBuffer(device, count(shape) * 4, `${l.name} out`);
        owned.push(buf);
        acts.push(buf);
      } else acts.push(acts[acts.length - 1]);
    });
    this.plan = { batch, layers, acts, owned };
    return this.plan;
  }

  private dropPlan(): void {
    if (!this.plan) return;
    for (const l of this.plan.layers) l?.destroy();
    for (const b of this.plan.owned) b.destroy();
    this.plan = null;
  }
}
