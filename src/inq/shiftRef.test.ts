/** The CPU twins of the shift kernels against plain multiply-and-add references, and the F rule. */
import { describe, expect, it } from 'vitest';
import { packLevels, unpackLevels } from './codec.ts';
import { levelSet, maxAbs } from './levels.ts';
import { quantizeAll } from './quantize.ts';
import { createRng } from './rng.ts';
import type { Rng } from './rng.ts';
import {
  biasRelu,
  ceilLog2,
  conv2dFixedLayer,
  conv2dShiftFixed,
  conv2dShiftFloat,
  convAxis,
  convGeometry,
  denseFixedLayer,
  denseShiftFixed,
  denseShiftFloat,
  fracBits,
  maxPool2x2,
  quantizeFixed,
  roundHalfEven,
  shiftForwardRef,
  shiftLayerShapes,
  shiftTerm,
  validatePackedKernel,
} from './shiftRef.ts';
import type { PackedKernel, Padding, ShiftLayer } from './shiftRef.ts';

// ---- seeded cases, a fresh base seed per run (INQ_TEST_SEED replays) ------------------------------
const BASE_SEED = (() => {
  const env = process.env.INQ_TEST_SEED;
  return env !== undefined && env !== '' ? Number(env) >>> 0 : Date.now() % 0x7fffffff;
})();
function forCases(count: number, fn: (rng: Rng) => void): void {
  for (let i = 0; i < count; i++) {
    const seed = (BASE_SEED + Math.imul(i + 1, 0x9e3779b1)) | 0;
    try {
      fn(createRng(seed));
    } catch (e) {
      if (e instanceof Error) e.message = `[case ${i}, seed ${seed}; replay with INQ_TEST_SEED=${BASE_SEED}] ${e.message}`;
      throw e;
    }
  }
}

function randomKernel(rng: Rng, shape: number[], bits: number, scale = 2 ** (rng.next() * 10 - 7)): { k: PackedKernel; w: Float32Array } {
  const n = shape.reduce((a, b) => a * b, 1);
  const raw = Float32Array.from({ length: n }, () => (rng.next() < 0.2 ? 0 : rng.normal() * scale));
  raw[0] = scale;
  const set = levelSet(bits, maxAbs(raw));
  const w = quantizeAll(raw, set);
  return { k: { words: packLevels(w, set), bits, n1: set.n1, shape }, w };
}

function randomX(rng: Rng, n: number): Float32Array {
  const s = 2 ** (rng.next() * 6 - 3);
  const x = Float32Array.from({ length: n }, () => rng.normal() * s);
  x[0] = s;
  return x;
}

/** Plain conv in float64 with multiplications and explicit zero padding (no shared code with the twin). */
function naiveConv(x: Float32Array, shape: number[], w: Float32Array, kshape: number[], stride: number, padding: Padding): Float64Array {
  const [n, h, wd, c] = shape;
  const [kh, kw, , oc] = kshape;
  const oh = padding === 'same' ? Math.ceil(h / stride) : Math.floor((h - kh) / stride) + 1;
  const ow = padding === 'same' ? Math.ceil(wd / stride) : Math.floor((wd - kw) / stride) + 1;
  const pt = padding === 'same' ? Math.floor(Math.max((oh - 1) * stride + kh - h, 0) / 2) : 0;
  const pl = padding === 'same' ? Math.floor(Math.max((ow - 1) * stride + kw - wd, 0) / 2) : 0;
  const y = new Float64Array(n * oh * ow * oc);
  for (let b = 0; b < n; b++)
    for (let i = 0; i < oh; i++)
      for (let j = 0; j < ow; j++)
        for (let o = 0; o < oc; o++) {
          let s = 0;
          for (let a = 0; a < kh; a++)
            for (let d = 0; d < kw; d++)
              for (let ci = 0; ci < c; ci++) {
                const yy = i * stride + a - pt;
                const xx = j * stride + d - pl;
                const v = yy >= 0 && yy < h && xx >= 0 && xx < wd ? x[((b * h + yy) * wd + xx) * c + ci] : 0;
                s += v * w[((a * kw + d) * c + ci) * oc + o];
              }
          y[((b * oh + i) * ow + j) * oc + o] = s;
        }
  return y;
}

function relErr(a: ArrayLike<number>, ref: ArrayLike<number>): number {
  let d = 0;
  let m = 0;
  for (let i = 0; i < ref.length; i++) {
    d = Math.max(d, Math.abs(a[i] - ref[i]));
    m = Math.max(m, Math.abs(ref[i]));
  }
  return m > 0 ? d / m : d;
}

describe('TF padding rule', () => {
  it('matches TF for known cases', () => {
    expect(convAxis(28, 5, 1, 'same')).toEqual({ out: 28, padBefore: 2 });
    expect(convAxis(5, 3, 2, 'same')).toEqual({ out: 3, padBefore: 1 });
    expect(convAxis(4, 2, 2, 'same')).toEqual({ out: 2, padBefore: 0 });
    expect(convAxis(6, 4, 2, 'same')).toEqual({ out: 3, padBefore: 1 }); // padTotal 2
    expect(convAxis(5, 4, 2, 'same')).toEqual({ out: 3, padBefore: 1 }); // padTotal 3: the odd pixel goes after
    expect(convAxis(1, 5, 1, 'same')).toEqual({ out: 1, padBefore: 2 });
    expect(convAxis(14, 5, 1, 'valid')).toEqual({ out: 10, padBefore: 0 });
    expect(convAxis(12, 3, 2, 'valid')).toEqual({ out: 5, padBefore: 0 });
  });

  it('refuses a valid conv larger than its input and a stride other than 1 or 2', () => {
    expect(() => convGeometry([1, 3, 3, 1], [5, 5, 1, 1], 1, 'valid')).toThrow(/at least 5×5/);
    expect(() => convGeometry([1, 8, 8, 1], [3, 3, 1, 1], 3, 'same')).toThrow(/stride/);
    expect(() => convGeometry([1, 8, 8, 2], [3, 3, 1, 1], 1, 'same')).toThrow(/input channels/);
  });
});

describe('float-exponent twins', () => {
  it('conv2d equals a float64 multiply-and-add conv within float32 rounding', () => {
    forCases(60, (rng) => {
      const k = 1 + rng.int(5);
      const stride = 1 + rng.int(2);
      const padding: Padding = rng.next() < 0.5 ? 'same' : 'valid';
      const kw = 1 + rng.int(5);
      const shape = [1 + rng.int(3), k + rng.int(8), kw + rng.int(8), 1 + rng.int(8)];
      const kshape = [k, kw, shape[3], 1 + rng.int(8)];
      const { k: packed, w } = randomKernel(rng, kshape, 2 + rng.int(7));
      const x = randomX(rng, shape.reduce((a, b) => a * b, 1));
      const g = convGeometry([shape[0], shape[1], shape[2], shape[3]], kshape, stride, padding);
      const y = conv2dShiftFloat(x, g, packed);
      const ref = naiveConv(x, shape, w, kshape, stride, padding);
      expect(y.length).toBe(ref.length);
      expect(relErr(y, ref)).toBeLessThanOrEqual(1e-5);
    });
  });

  it('dense equals a float64 matrix product within float32 rounding', () => {
    forCases(60, (rng) => {
      const inN = 1 + rng.int(300);
      const outN = 1 + rng.int(40);
      const batch = 1 + rng.int(3);
      const { k, w } = randomKernel(rng, [inN, outN], 2 + rng.int(7));
      const x = randomX(rng, batch * inN);
      const y = denseShiftFloat(x, batch, k);
      const ref = new Float64Array(batch * outN);
      for (let b = 0; b < batch; b++) for (let o = 0; o < outN; o++) for (let i = 0; i < inN; i++) ref[b * outN + o] += x[b * inN + i] * w[i * outN + o];
      expect(relErr(y, ref)).toBeLessThanOrEqual(1e-5);
    });
  });

  it('is exact term by term: one non-zero weight gives exactly ±x·2^p', () => {
    const set = levelSet(5, 1);
    for (const v of [set.levels[0], set.levels[3], -0.25, 0.0625]) {
      const w = new Float32Array([0, v, 0]);
      const k: PackedKernel = { words: packLevels(w, set), bits: 5, n1: set.n1, shape: [3, 1] };
      expect(denseShiftFloat(new Float32Array([7, -1.3, 9]), 1, k)[0]).toBe(Math.fround(-1.3) * v);
    }
  });

  it('bias, ReLU and the 2×2 max-pool', () => {
    expect(Array.from(biasRelu(new Float32Array([1, -2, -3, 4]), new Float32Array([0.5, 1]), true))).toEqual([1.5, 0, 0, 5]);
    expect(Array.from(biasRelu(new Float32Array([1, -2]), new Float32Array([0.5, 1]), false))).toEqual([1.5, -1]);
    // 3×3 single-channel input: the last row and column are dropped ('valid').
    const p = maxPool2x2(new Float32Array([1, 5, 9, 2, 3, 9, 9, 9, 9]), [1, 3, 3, 1]);
    expect(p.shape).toEqual([1, 1, 1, 1]);
    expect(Array.from(p.y)).toEqual([5]);
  });
});

describe('fixed-shift twins', () => {
  it('the F rule: examples, clamping, and zero input', () => {
    expect(ceilLog2(1)).toBe(0);
    expect(ceilLog2(150)).toBe(8);
    expect(ceilLog2(256)).toBe(8);
    expect(ceilLog2(257)).toBe(9);
    expect(fracBits(1, 8, -5)).toBe(29); // e_x = 1, e_k + n1 = −2 → no extra headroom
    expect(fracBits(0.99, 150, 0)).toBe(22); // e_x = 0, e_k = 8
    expect(fracBits(3, 400, -1)).toBe(20); // e_x = 2, e_k = 9, n1 = −1
    expect(fracBits(0, 25, 0)).toBe(126); // all-zero input: the clamp
    expect(fracBits(2 ** 120, 1, 100)).toBe(-126);
  });

  it('never overflows i32 in the worst case: every term at max |x| and 2^n1 with one sign', () => {
    for (const fan of [1, 2, 3, 25, 150, 400, 4096, 100_000]) {
      for (const n1 of [-12, -3, 0, 2, 7, 20]) {
        for (const m of [1e-3, 0.7, 1, 1.5, 300]) {
          const F = fracBits(m, fan, n1);
          const set = levelSet(4, 0, n1);
          const k: PackedKernel = { words: packLevels(new Float32Array(fan).fill(-(2 ** n1)), set), bits: 4, n1, shape: [fan, 1] };
          for (const sign of [1, -1]) {
            const x = new Float32Array(fan).fill(sign * m);
            const q = quantizeFixed(x, F);
            const sum = denseShiftFixed(q, 1, k)[0];
            const exact = 0 - fan * shiftTerm(q[0], n1); // float64: no wrap-around (0 − keeps −0 out)
            expect(Math.abs(exact), `fan ${fan}, n1 ${n1}, max ${m}`).toBeLessThan(2 ** 31);
            expect(sum).toBe(exact);
          }
        }
      }
    }
  });

  it('shift amounts of 32 or more are not taken mod 32', () => {
    expect(shiftTerm(1, 32)).toBe(0);
    expect(shiftTerm(1, 33)).toBe(0);
    expect(shiftTerm(3, 31)).toBe(-(2 ** 31)); // wraps like i32
    expect(shiftTerm(-5, -1)).toBe(-3); // arithmetic shift floors
    expect(shiftTerm(2 ** 30, -32)).toBe(0);
    expect(shiftTerm(-(2 ** 30), -32)).toBe(-1);
    expect(shiftTerm(-1, -100)).toBe(-1);
    expect(shiftTerm(12345, -31)).toBe(0);
  });

  it('rounds half to even like WGSL round()', () => {
    expect([0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 2.4, -2.6].map(roundHalfEven)).toEqual([0, 2, 2, -0, -2, -2, 2, -3]);
    expect(Array.from(quantizeFixed(new Float32Array([0.25, 0.75, -0.25, 1]), 1))).toEqual([0, 2, 0, 2]);
  });

  it('conv and dense fixed sums equal exact integer references, and dequantize close to float', () => {
    let worst = 0;
    forCases(40, (rng) => {
      const k = 1 + rng.int(5);
      const stride = 1 + rng.int(2);
      const shape = [1 + rng.int(2), k + rng.int(6), k + rng.int(6), 1 + rng.int(6)];
      const kshape = [k, k, shape[3], 1 + rng.int(6)];
      const { k: packed } = randomKernel(rng, kshape, 2 + rng.int(7));
      const x = randomX(rng, shape.reduce((a, b) => a * b, 1));
      const g = convGeometry([shape[0], shape[1], shape[2], shape[3]], kshape, stride, 'same');
      const bias = Float32Array.from({ length: kshape[3] }, () => rng.normal() * 0.1);
      const t = conv2dFixedLayer(x, g, packed, bias, false);
      // Exact reference: the same shifted terms as float64 integers, summed without wrap-around.
      const w = unpackLevels(packed.words, kshape.reduce((a, b) => a * b, 1), packed.bits, packed.n1);
      const qx = Float32Array.from(t.q);
      const unshifted = naiveConv(qx, shape, w, kshape, stride, 'same');
      const sums = conv2dShiftFixed(t.q, g, packed);
      expect(Array.from(sums)).toEqual(Array.from(t.sums));
      for (let i = 0; i < sums.length; i++) {
        // Right shifts floor each term before its sign: at most one unit per term either way.
        expect(Math.abs(sums[i] - unshifted[i])).toBeLessThanOrEqual(g.kh * g.kw * g.inC);
      }
      const fl = biasRelu(conv2dShiftFloat(x, g, packed), bias, false);
      worst = Math.max(worst, relErr(t.y, fl));
      const dk = randomKernel(rng, [shape[3], 5], 2 + rng.int(7)).k;
      const dx = randomX(rng, 2 * shape[3]);
      const dt = denseFixedLayer(dx, 2, dk, new Float32Array(5), true);
      expect(Array.from(dt.sums)).toEqual(Array.from(denseShiftFixed(quantizeFixed(dx, dt.F), 2, dk)));
      expect(dt.y.every((v) => v >= 0)).toBe(true);
    });
    expect(worst).toBeLessThan(1e-4);
  });
});

describe('whole network twin', () => {
  it('checks shapes and runs a small conv/pool/dense net in both modes', () => {
    const rng = createRng(3);
    const conv = randomKernel(rng, [3, 3, 1, 4], 5, 0.5).k;
    const dense = randomKernel(rng, [36, 3], 5, 0.2).k;
    const layers: ShiftLayer[] = [
      { kind: 'conv2d', name: 'c', kernel: conv, bias: new Float32Array(4).fill(0.1), stride: 1, padding: 'same', relu: true },
      { kind: 'maxPool2d', name: 'p' },
      { kind: 'flatten', name: 'f' },
      { kind: 'dense', name: 'd', kernel: dense, bias: new Float32Array(3), relu: false },
    ];
    expect(shiftLayerShapes(layers, [6, 6, 1])).toEqual([[6, 6, 4], [3, 3, 4], [36], [3]]);
    const x = randomX(rng, 2 * 36);
    const fl = shiftForwardRef(layers, x, [6, 6, 1], 2, 'float');
    const fx = shiftForwardRef(layers, x, [6, 6, 1], 2, 'fixed');
    expect(fl.output.length).toBe(6);
    expect(fx.fracBits).toHaveLength(2);
    expect(relErr(fx.output, fl.output)).toBeLessThan(1e-4);
    expect(() => shiftLayerShapes(layers.filter((l) => l.kind !== 'flatten'), [6, 6, 1])).toThrow(/flatten/);
  });

  it('rejects malformed packed kernels', () => {
    const ok: PackedKernel = { words: new Uint32Array(1), bits: 4, n1: 0, shape: [2, 2] };
    expect(() => validatePackedKernel(ok, 2)).not.toThrow();
    expect(() => validatePackedKernel({ ...ok, bits: 9 }, 2)).toThrow(/bits/);
    expect(() => validatePackedKernel({ ...ok, shape: [2, 2] }, 4)).toThrow(/rank-4/);
    expect(() => validatePackedKernel({ ...ok, words: new Uint32Array(0) }, 2)).toThrow(/cannot hold/);
    expect(() => validatePackedKernel({ ...ok, n1: -124 }, 2)).toThrow(/float32 range/);
    expect(() => validatePackedKernel({ ...ok, n1: 128 }, 2)).toThrow(/float32 range/);
  });
});
