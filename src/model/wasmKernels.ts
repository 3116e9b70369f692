/**
 * Training kernels for tfjs's wasm backend (XNNPACK, SIMD). tfjs-backend-wasm 4.22 lacks
 * `Conv2DBackpropFilter`, so it cannot train a conv net at all, and runs three other gradient kernels
 * as plain scalar loops. Each is rewritten here in terms of the fast kernels the backend has:
 *
 * - `Conv2DBackpropFilter`: dW is a correlation of x with dy over the batch, so it *is* a Conv2D on
 *   transposed operands: the channels of x become the batch, the batch becomes the channels, dy is
 *   the filter, the forward stride becomes the dilation. XNNPACK's Conv2D then does the work.
 * - `Conv2DBackpropInput`: dx is the full correlation of dy (zeros inserted between its rows and
 *   columns when the stride is above 1) with the spatially flipped filter, in/out channels swapped:
 *   again one Conv2D. Pads it cannot express (an explicit pad wider than the filter) fall back to the
 *   backend's own kernel.
 * - `MaxPoolGrad`: one pass over the pooled outputs that sends each dy to the first maximum of its
 *   window (row-major, strict `>`, as the cpu backend picks it), instead of a pass over every input
 *   pixel that searches every window covering it.
 * - `BatchMatMul` with a transposed operand (the dense layers' gradients): an explicit Transpose
 *   first, then the backend's non-transposed product, which XNNPACK runs several times faster.
 *
 * Dilations never reach these kernels: tfjs's conv gradients refuse dilation rates above 1 on every
 * backend. The cpu backend is the reference (src/model/wasmKernels.test.ts, with tolerances).
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

type TensorInfo = tf.TensorInfo;
type Attrs = Record<string, unknown>;
type KernelConfig = Parameters<typeof tf.registerKernel>[0];
type Pad = 'same' | 'valid' | number | [[number, number], [number, number], [number, number], [number, number]];

const BACKEND = 'wasm';

/** The backend's own kernels, captured before ours replace some of them. */
const original = new Map<string, KernelConfig>();

/** Runs one of the wasm backend's kernels directly (kernels compose this way inside a backend). */
function run(name: string, backend: BackendWasm, inputs: Record<string, TensorInfo>, attrs: Attrs): TensorInfo {
  const k = original.get(name) ?? tf.getKernel(name, BACKEND);
  if (!k) throw new Error(`the wasm backend has no ${name} kernel`);
  // tfjs types kernelFunc's inputs/attrs as NamedTensorInfoMap/NamedAttrMap; these records are exactly that.
  return k.kernelFunc({ inputs, attrs: attrs as tf.NamedAttrMap, backend }) as TensorInfo;
}

function dispose(backend: BackendWasm, ...infos: TensorInfo[]): void {
  for (const t of infos) backend.disposeData(t.dataId);
}

function conv2d(backend: BackendWasm, x: TensorInfo, filter: TensorInfo, strides: [number, number], dilations: [number, number], pads: [number, number, number, number]): TensorInfo {
  const [top, bottom, left, right] = pads;
  return run('Conv2D', backend, { x, filter }, { strides, dilations, pad: [[0, 0], [top, bottom], [left, right], [0, 0]], dataFormat: 'NHWC', dimRoundingMode: undefined });
}

function convInfo(xShape: number[], filterShape: number[], attrs: Attrs): tf.backend_util.Conv2DInfo {
  const { strides, pad, dataFormat, dimRoundingMode } = attrs as { strides: number | [number, number]; pad: Pad; dataFormat: 'NHWC' | 'NCHW'; dimRoundingMode?: 'floor' | 'round' | 'ceil' };
  if (dataFormat === 'NCHW') throw new Error('the wasm training kernels support only channels-last (NHWC) data');
  return tf.backend_util.computeConv2DInfo(xShape as [number, number, number, number], filterShape as [number, number, number, number], strides, 1, pad, dimRoundingMode, false, 'channelsLast');
}

/** dW = conv2d(xᵀ, dyᵀ) with the stride as dilation, cropped to the filter and transposed back. */
function conv2DBackpropFilter({ inputs, attrs, backend }: { inputs: Record<string, TensorInfo>; attrs: Attrs; backend: BackendWasm }): TensorInfo {
  const { x, dy } = inputs;
  const filterShape = attrs.filterShape as [number, number, number, number];
  const info = convInfo(x.shape, filterShape, attrs);
  const { filterHeight: fh, filterWidth: fw, strideHeight: sh, strideWidth: sw, outHeight: oh, outWidth: ow, inHeight: h, inWidth: w } = info;
  const { top, left } = info.padInfo;
  // Enough bottom/right padding that the correlation has at least fh × fw outputs (rows the forward
  // pass never reached fall outside the crop).
  const bottom = Math.max(0, (fh - 1) + (oh - 1) * sh + 1 - h - top);
  const right = Math.max(0, (fw - 1) + (ow - 1) * sw + 1 - w - left);
  const xT = run('Transpose', backend, { x }, { perm: [3, 1, 2, 0] }); // [ci, H, W, B]
  const dyT = run('Transpose', backend, { x: dy }, { perm: [1, 2, 0, 3] }); // [oh, ow, B, co]
  const corr = conv2d(backend, xT, dyT, [1, 1], [sh, sw], [top, bottom, left, right]); // [ci, ≥fh, ≥fw, co]
  dispose(backend, xT, dyT);
  let cropped = corr;
  if (corr.shape[1] !== fh || corr.shape[2] !== fw) {
    cropped = run('Slice', backend, { x: corr }, { begin: [0, 0, 0, 0], size: [corr.shape[0], fh, fw, corr.shape[3]] });
    dispose(backend, corr);
  }
  const dw = run('Transpose', backend, { x: cropped }, { perm: [1, 2, 0, 3] }); // [fh, fw, ci, co]
  dispose(backend, cropped);
  return dw;
}

/** dx = the full correlation of (stride-dilated) dy with the flipped filter, channels swapped. */
function conv2DBackpropInput({ inputs, attrs, backend }: { inputs: Record<string, TensorInfo>; attrs: Attrs; backend: BackendWasm }): TensorInfo {
  const { dy, filter } = inputs;
  const inputShape = attrs.inputShape as [number, number, number, number];
  const info = convInfo(inputShape, filter.shape, attrs);
  const { filterHeight: fh, filterWidth: fw, strideHeight: sh, strideWidth: sw, outHeight: oh, outWidth: ow, inHeight: h, inWidth: w, inChannels: ci, outChannels: co, batchSize: b } = info;
  const { top, bottom, left, right } = info.padInfo;
  const dh = (oh - 1) * sh + 1;
  const dw = (ow - 1) * sw + 1;
  const padT = fh - 1 - top;
  const padL = fw - 1 - left;
  const padB = h - dh - padT + fh - 1;
  const padR = w - dw - padL + fw - 1;
  if (padT < 0 || padL < 0 || padB < 0 || padR < 0 || bottom > fh - 1 || right > fw - 1) {
    return run('Conv2DBackpropInput', backend, inputs, attrs);
  }
  // The filter flipped in space with in/out channels swapped: [fh, fw, co, ci]. Small: done in JS.
  const flipped = backend.makeOutput([fh, fw, co, ci], 'float32');
  {
    const src = backend.typedArrayFromHeap(filter);
    const dst = backend.typedArrayFromHeap(flipped);
    for (let i = 0; i < fh; i++) {
      for (let j = 0; j < fw; j++) {
        const s0 = ((fh - 1 - i) * fw + (fw - 1 - j)) * ci * co;
        const d0 = (i * fw + j) * co * ci;
        for (let c = 0; c < ci; c++) for (let o = 0; o < co; o++) dst[d0 + o * ci + c] = src[s0 + c * co + o];
      }
    }
  }
  let spread = dy;
  if (sh > 1 || sw > 1) {
    // Zeros between dy's rows and columns, so a stride-1 correlation sees the forward stride.
    spread = backend.makeOutput([b, dh, dw, co], 'float32');
    const src = backend.typedArrayFromHeap(dy);
    const dst = backend.typedArrayFromHeap(spread);
    dst.fill(0);
    for (let n = 0; n < b; n++) {
      for (let r = 0; r < oh; r++) {
        for (let c = 0; c < ow; c++) {
          const s0 = ((n * oh + r) * ow + c) * co;
          const d0 = ((n * dh + r * sh) * dw + c * sw) * co;
          for (let k = 0; k < co; k++) dst[d0 + k] = src[s0 + k];
        }
      }
    }
  }
  const dx = conv2d(backend, spread, flipped, [1, 1], [1, 1], [padT, padB, padL, padR]);
  dispose(backend, flipped);
  if (spread !== dy) dispose(backend, spread);
  return dx;
}

/** Each pooled gradient goes to its window's first maximum (the cpu backend's choice on ties). */
function maxPoolGrad({ inputs, attrs, backend }: { inputs: Record<string, TensorInfo>; attrs: Attrs; backend: BackendWasm }): TensorInfo {
  const { dy, input } = inputs;
  const { filterSize, strides, pad, dimRoundingMode } = attrs as { filterSize: number | [number, number]; strides: number | [number, number]; pad: Pad; dimRoundingMode?: 'floor' | 'round' | 'ceil' };
  const info = tf.backend_util.computePool2DInfo(input.shape as [number, number, number, number], filterSize, strides, 1, pad, dimRoundingMode);
  const { batchSize, inHeight: h, inWidth: w, inChannels: ch, outHeight: oh, outWidth: ow, strideHeight: sh, strideWidth: sw, filterHeight: fh, filterWidth: fw } = info;
  const { top, left } = info.padInfo;
  const out = backend.makeOutput(input.shape, 'float32');
  const dx = backend.typedArrayFromHeap(out);
  const x = backend.typedArrayFromHeap(input);
  const g = backend.typedArrayFromHeap(dy);
  dx.fill(0);
  for (let n = 0; n < batchSize; n++) {
    const xBase = n * h * w * ch;
    for (let r = 0; r < oh; r++) {
      const r0 = r * sh - top;
      const rMin = Math.max(0, r0);
      const rMax = Math.min(h, r0 + fh);
      for (let c = 0; c < ow; c++) {
        const c0 = c * sw - left;
        const cMin = Math.max(0, c0);
        const cMax = Math.min(w, c0 + fw);
        const gBase = ((n * oh + r) * ow + c) * ch;
        for (let k = 0; k < ch; k++) {
          let best = Number.NEGATIVE_INFINITY;
          let at = -1;
          for (let i = rMin; i < rMax; i++) {
            for (let j = cMin; j < cMax; j++) {
              const idx = xBase + (i * w + j) * ch + k;
              if (x[idx] > best) {
                best = x[idx];
                at = idx;
              }
            }
          }
          if (at >= 0) dx[at] += g[gBase + k];
        }
      }
    }
  }
  return out;
}

/** Transposes a transposed operand explicitly, then multiplies without transposes. */
function batchMatMul({ inputs, attrs, backend }: { inputs: Record<string, TensorInfo>; attrs: Attrs; backend: BackendWasm }): TensorInfo {
  const { a, b } = inputs;
  const { transposeA, transposeB } = attrs as { transposeA: boolean; transposeB: boolean };
  if (!transposeA && !transposeB) return run('BatchMatMul', backend, inputs, attrs);
  const swapLast = (t: TensorInfo): TensorInfo => {
    const r = t.shape.length;
    const perm = [...Array(r).keys()];
    [perm[r - 2], perm[r - 1]] = [perm[r - 1], perm[r - 2]];
    return run('Transpose', backend, { x: t }, { perm });
  };
  const aa = transposeA ? swapLast(a) : a;
  const bb = transposeB ? swapLast(b) : b;
  const out = run('BatchMatMul', backend, { a: aa, b: bb }, { ...attrs, transposeA: false, transposeB: false });
  if (aa !== a) dispose(backend, aa);
  if (bb !== b) dispose(backend, bb);
  return out;
}

// tfjs's KernelFunc is typed over its own NamedTensorInfoMap/NamedAttrMap and the abstract KernelBackend;
// ours take the wasm backend and plain records of the same shapes.
type Ours = (args: { inputs: Record<string, TensorInfo>; attrs: Attrs; backend: BackendWasm }) => TensorInfo;
const OURS: Record<string, Ours> = {
  Conv2DBackpropFilter: conv2DBackpropFilter,
  Conv2DBackpropInput: conv2DBackpropInput,
  MaxPoolGrad: maxPoolGrad,
  BatchMatMul: batchMatMul,
};

/** The kernels replaced or added on the wasm backend (for the UI and the benchmark). */
export const WASM_TRAINING_KERNELS: readonly string[] = Object.keys(OURS);

let registered = false;

/**
 * Registers the training kernels on the wasm backend. Call after importing
 * '@tensorflow/tfjs-backend-wasm' and before `tf.setBackend('wasm')`: a kernel's setup runs when
 * its backend starts, and the replaced kernels' own setups (which our fallbacks use) run from ours.
 */
export function registerWasmTrainingKernels(): void {
  if (registered) return;
  for (const [name, kernelFunc] of Object.entries(OURS)) {
    const own = tf.getKernel(name, BACKEND);
    if (own) {
      original.set(name, own);
      tf.unregisterKernel(name, BACKEND);
    }
    tf.registerKernel({
      kernelName: name,
      backendName: BACKEND,
      kernelFunc: kernelFunc as unknown as tf.KernelFunc,
      ...(own?.setupFunc ? { setupFunc: own.setupFunc } : {}),
      ...(own?.disposeFunc ? { disposeFunc: own.disposeFunc } : {}),
    });
  }
  registered = true;
}
