/**
 * Export → C: a quantized network (the layers the shift kernels run) as a self-contained C99 pair,
 * model.h and model.c, that computes with arithmetic shifts, integer adds and compares only.
 *
 * What model.c computes is the fixed-shift mode of src/inq/shiftRef.ts, kept in integers from end to
 * end. Per conv or dense layer, on one image:
 * - F, the fractional bits of the layer's input, by the same headroom rule (fracBitsFromMax), from
 *   max |x| found by compares: F = clamp(30 − e_x − max(0, ceil(log2 fanIn) + n1), −126, cap);
 * - the input rescaled to F (a shift, rounded half to even, like quantizeFixed);
 * - the same i32 terms as conv2dShiftFixed / denseShiftFixed (x << p, or x >> −p: floor), read from the
 *   same packed codes, summed in the same order ky, kx, ic (integer adds never overflow under the rule,
 *   so the order does not change the sum);
 * - bias and ReLU in integers at scale 2^−F: the bias is stored as bias·2^B and shifted to F. This is
 *   the one place the C differs from the twin, which turns the sums back into float32 and adds the bias
 *   there: `cap` = B = 29 − e_b (max |bias| < 2^e_b) keeps sum + bias inside i32.
 * Max-pool and ReLU are compares on integers, so they commute with the twin's float ones.
 *
 * Pure (no tfjs, no DOM), so the page and the command line both use it.
 */
import { packedCodeBytes, readCode } from './codec.ts';
import { FIXED_HEADROOM_BITS, ceilLog2, convGeometry, fanIn, roundHalfEven, shiftLayerShapes } from './shiftRef.ts';
import type { ConvGeometry, ShiftLayer } from './shiftRef.ts';

/** Fractional bits of model.c's input: input[i] = round_half_even(x[i]·2^30), for |x| < 2. */
export const C_INPUT_FRAC_BITS = 30;
/** Fractional bits of the logits inq_predict writes. */
export const C_LOGITS_FRAC_BITS = 16;

/** What the generator needs: the shift layers (kernels/packedLoader.ts makes them from a packed model). */
export interface CExportInput {
  /** Model name, for the comments. */
  name: string;
  layers: readonly ShiftLayer[];
  inputShape: readonly [number, number, number];
  numClasses: number;
}

/** Per conv/dense layer, what model.c holds and costs. */
export interface CLayerInfo {
  name: string;
  kind: 'conv2d' | 'dense';
  shape: readonly number[];
  bits: number;
  n1: number;
  nonZero: number;
  count: number;
  /** Shift-adds (non-zero weight × input inside the image) per image. */
  shiftAdds: number;
  /** Multiply-adds the float layer does per image (every weight × every input inside the image). */
  floatMacs: number;
}

/** The two files and what they cost. */
export interface CExport {
  header: string;
  source: string;
  layers: CLayerInfo[];
  shiftAddsPerImage: number;
  floatMacsPerImage: number;
  /** Bytes of the const arrays in model.c: packed codes plus i32 biases. */
  constBytes: number;
  /** The same weights and biases as float32. */
  floatBytes: number;
  /** Bytes of the two static activation buffers. */
  scratchBytes: number;
  inputFracBits: number;
  logitsFracBits: number;
}

/** A C identifier from a layer name. */
function cName(name: string, used: Set<string>): string {
  let base = name.replace(/[^A-Za-z0-9_]/g, '_').replace(/^([0-9])/, 'l_$1') || 'layer';
  if (/^inq_/.test(base)) base = `l_${base}`;
  let n = base;
  for (let i = 2; used.has(n); i++) n = `${base}_${i}`;
  used.add(n);
  return n;
}

/** Smallest integer e with max |v| < 2^e, or null when every value is 0. */
function exponentAbove(values: ArrayLike<number>): number | null {
  let m = 0;
  for (let i = 0; i < values.length; i++) m = Math.max(m, Math.abs(values[i]));
  if (m === 0) return null;
  let e = Math.floor(Math.log2(m)) + 1;
  // log2 may be off by one next to a power of two.
  while (2 ** (e - 1) > m) e--;
  while (2 ** e <= m) e++;
  return e;
}

/** Scale of a layer's stored bias, and the cap on F that keeps sum + bias inside i32. */
export function biasScale(bias: ArrayLike<number>): number {
  const e = exponentAbove(bias);
  return e === null ? 126 : Math.min(126, 29 - e);
}

/** The documented input scale: round_half_even(x·2^fracBits) per value. */
export function quantizeCInput(x: ArrayLike<number>, fracBits = C_INPUT_FRAC_BITS): Int32Array {
  const s = 2 ** fracBits;
  const q = new Int32Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const v = roundHalfEven(x[i] * s);
    if (v >= 2 ** 31 || v < -(2 ** 31)) throw new RangeError(`input value ${x[i]} does not fit the C input scale 2^${fracBits} (|x| must be below ${2 ** (31 - fracBits)})`);
    q[i] = v;
  }
  return q;
}

/** Valid output positions along one axis for each kernel tap k (input index inside [0, inSize)). */
function validPerTap(outSize: number, k: number, stride: number, pad: number, inSize: number): number[] {
  const out: number[] = [];
  for (let t = 0; t < k; t++) {
    let n = 0;
    for (let o = 0; o < outSize; o++) {
      const i = o * stride + t - pad;
      if (i >= 0 && i < inSize) n++;
    }
    out.push(n);
  }
  return out;
}

/** Conv cost: shift-adds over non-zero weights, float MACs over all weights, both on taps inside the image. */
function convCost(g: ConvGeometry, words: Uint32Array, bits: number): { nonZero: number; shiftAdds: number; floatMacs: number } {
  const rows = validPerTap(g.outH, g.kh, g.stride, g.padTop, g.inH);
  const cols = validPerTap(g.outW, g.kw, g.stride, g.padLeft, g.inW);
  const slab = g.inC * g.outC;
  let nonZero = 0;
  let shiftAdds = 0;
  let floatMacs = 0;
  for (let ky = 0; ky < g.kh; ky++) {
    for (let kx = 0; kx < g.kw; kx++) {
      let nz = 0;
      const base = (ky * g.kw + kx) * slab;
      for (let i = 0; i < slab; i++) if (readCode(words, base + i, bits) !== 0) nz++;
      nonZero += nz;
      shiftAdds += rows[ky] * cols[kx] * nz;
      floatMacs += rows[ky] * cols[kx] * slab;
    }
  }
  return { nonZero, shiftAdds, floatMacs };
}

/** C hex literals of a word array, 8 per line. */
function wordsLiteral(words: Uint32Array, count: number): string {
  const lines: string[] = [];
  for (let i = 0; i < count; i += 8) {
    const row: string[] = [];
    for (let j = i; j < Math.min(count, i + 8); j++) row.push(`0x${words[j].toString(16).padStart(8, '0')}u`);
    lines.push(`    ${row.join(', ')}`);
  }
  return lines.join(',\n');
}

/** C int literals, 8 per line (INT32_MIN written so that it stays an int). */
function intsLiteral(v: Int32Array): string {
  const lines: string[] = [];
  for (let i = 0; i < v.length; i += 8) {
    lines.push(`    ${Array.from(v.subarray(i, i + 8), (x) => (x === -(2 ** 31) ? '(-2147483647 - 1)' : String(x))).join(', ')}`);
  }
  return lines.join(',\n');
}

const fmt = (s: readonly number[]): string => `[${s.join(', ')}]`;

/** The shared helpers of model.c: bit length, max |x|, the F rule, rounding shifts, code reads, terms. */
const HELPERS = `/*
 * C99 leaves >> of a negative value implementation-defined; this model needs it arithmetic (floor),
 * which every mainstream compiler gives. Compilation stops here if it does not.
 */
typedef char inq_needs_arithmetic_right_shift[(-1 >> 1) == -1 ? 1 : -1];

/* Number of significant bits of m (0 for m = 0). */
static int inq_bit_length(uint32_t m)
{
    int n = 0;
    while (m != 0u) {
        m >>= 1;
        n++;
    }
    return n;
}

/* The largest |x[i]|, by compares. */
static uint32_t inq_max_abs(const int32_t *x, int32_t n)
{
    uint32_t m = 0u;
    int32_t i;
    for (i = 0; i < n; i++) {
        uint32_t a = x[i] < 0 ? 0u - (uint32_t)x[i] : (uint32_t)x[i];
        if (a > m) m = a;
    }
    return m;
}

/*
 * Fractional bits F of a layer's input, by the fixed-shift kernels' headroom rule:
 * F = clamp(${FIXED_HEADROOM_BITS} - e_x - k, -126, cap) with max|x| < 2^e_x, k = max(0, ceil(log2(fanIn)) + n1).
 * Then |x| < 2^30 at scale F, every term is below 2^(30 - ceil(log2 fanIn)) and the i32 sum cannot
 * overflow; cap keeps the bias inside i32 too. g: the fractional bits x has now.
 */
static int inq_frac_bits(uint32_t max_abs, int g, int k, int cap)
{
    int ex = max_abs == 0u ? -126 : inq_bit_length(max_abs) - g;
    int f = ${FIXED_HEADROOM_BITS} - ex - k;
    if (f < -126) f = -126;
    if (f > cap) f = cap;
    return f;
}

/* v times 2^s, rounded half to even: a left shift for s >= 0 (the F rule keeps it in range), else a right one. */
static int32_t inq_scale(int32_t v, int s)
{
    uint32_t d, r, half;
    int32_t q;
    if (s >= 0) return s >= 32 ? 0 : (int32_t)((uint32_t)v << s);
    if (s < -31) return 0;
    d = (uint32_t)(-s);
    q = v >> d;
    r = (uint32_t)v & ((1u << d) - 1u);
    half = 1u << (d - 1u);
    if (r > half || (r == half && (q & 1) != 0)) q++;
    return q;
}

/* Rescales n values in place by 2^s (see inq_scale). */
static void inq_rescale(int32_t *x, int32_t n, int s)
{
    int32_t i;
    if (s == 0) return;
    for (i = 0; i < n; i++) x[i] = inq_scale(x[i], s);
}

/* The b-bit code at bit position \`bit\` of a packed array (codes may straddle two words). */
static uint32_t inq_code(const uint32_t *words, uint32_t bit, uint32_t bits)
{
    uint32_t i = bit >> 5;
    uint32_t s = bit & 31u;
    uint32_t c = words[i] >> s;
    if (s + bits > 32u) c |= words[i + 1u] << (32u - s);
    return c & ((1u << bits) - 1u);
}

/*
 * One term: x times a weight +-2^p is one arithmetic shift, x << p or x >> -p (floor), then the
 * sign. Code: bit b-1 = non-zero, bit b-2 = sign, bits 0..b-3 = n1 - p. Shift amounts of 32 and
 * more are taken as the kernels take them (0 to the left, 31 to the right).
 */
static int32_t inq_term(int32_t x, uint32_t code, int n1, uint32_t bits)
{
    int p = n1 - (int)(code & ((1u << (bits - 2u)) - 1u));
    int32_t t;
    if (p >= 0) t = p >= 32 ? 0 : (int32_t)((uint32_t)x << p);
    else t = p <= -31 ? x >> 31 : x >> (-p);
    return ((code >> (bits - 2u)) & 1u) != 0u ? -t : t;
}

/* A logit from scale 2^-g to 2^-INQ_LOGITS_FRAC_BITS, saturated to the i32 range. */
static int32_t inq_logit(int32_t v, int g)
{
    int s = INQ_LOGITS_FRAC_BITS - g;
    if (s > 0) {
        if (s >= 31) return v > 0 ? INT32_MAX : v < 0 ? INT32_MIN : 0;
        if (v > (INT32_MAX >> s)) return INT32_MAX;
        if (v < (INT32_MIN >> s)) return INT32_MIN;
    }
    return inq_scale(v, s);
}
`;

/** Generates model.h and model.c for a shift network; throws RangeError for a network the shift kernels could not run either. */
export function generateC(input: CExportInput): CExport {
  const { layers, inputShape, numClasses } = input;
  const shapes = shiftLayerShapes(layers, inputShape);
  const last = shapes.length ? shapes[shapes.length - 1] : [...inputShape];
  if (last.length !== 1 || last[0] !== numClasses) throw new RangeError(`the network ends in ${fmt(last)}, not [${numClasses}] logits`);
  const inCount = inputShape[0] * inputShape[1] * inputShape[2];
  const counts = [inCount, ...shapes.map((s) => s.reduce((a, b) => a * b, 1))];
  const bufLen = Math.max(...counts);
  const safeName = input.name.replace(/\*\//g, '* /').replace(/[^\x20-\x7e]/g, '?').slice(0, 80);
  const bitsSet = new Set<number>();

  const used = new Set<string>();
  const data: string[] = [];
  const funcs: string[] = [];
  const calls: string[] = [];
  const info: CLayerInfo[] = [];
  let constBytes = 0;
  let floatBytes = 0;
  let shape: number[] = [...inputShape];
  // Which of the two buffers holds the activations now.
  let cur = 0;
  const buf = (i: number): string => `inq_buf${i}`;

  layers.forEach((l, li) => {
    const outShape = shapes[li];
    const id = cName(l.name, used);
    if (l.kind === 'conv2d' || l.kind === 'dense') {
      const k = l.kernel;
      bitsSet.add(k.bits);
      const count = k.shape.reduce((a, b) => a * b, 1);
      const nWords = packedCodeBytes(count, k.bits) / 4;
      const B = biasScale(l.bias);
      const biasQ = new Int32Array(l.bias.length);
      for (let i = 0; i < l.bias.length; i++) biasQ[i] = roundHalfEven(l.bias[i] * 2 ** B);
      const kRule = Math.max(0, ceilLog2(fanIn(k)) + k.n1);
      const cap = Math.min(126, B);
      constBytes += nWords * 4 + biasQ.length * 4;
      floatBytes += (count + l.bias.length) * 4;
      data.push(
        `/* ${l.name}: ${count} ${k.bits}-bit codes of the ${l.kind === 'conv2d' ? 'HWIO' : 'IO'} kernel ${fmt(k.shape)}, n1 = ${k.n1} (levels 0, +-2^${k.n1} ... +-2^${k.n1 + 1 - 2 ** (k.bits - 2)}). */`,
        `static const uint32_t ${id}_codes[${nWords}] = {\n${wordsLiteral(k.words, nWords)}\n};`,
        `/* ${l.name}: bias times 2^${B}, rounded half to even. */`,
        `static const int32_t ${id}_bias[${biasQ.length}] = {\n${intsLiteral(biasQ)}\n};`,
        '',
      );
      const inN = counts[li];
      const bitsU = `${k.bits}u`;
      const relu = l.relu ? 'v < 0 ? 0 : v' : 'v';
      const head = [
        `    int f = inq_frac_bits(inq_max_abs(x, ${inN}), g, ${kRule}, ${cap});`,
        `    inq_rescale(x, ${inN}, f - g);`,
        `    for (o = 0; o < ${biasQ.length}; o++) b[o] = inq_scale(${id}_bias[o], f - ${B});`,
      ];
      if (l.kind === 'conv2d') {
        const g = convGeometry([1, shape[0], shape[1], shape[2]], k.shape, l.stride, l.padding);
        const cost = convCost(g, k.words, k.bits);
        info.push({ name: l.name, kind: 'conv2d', shape: k.shape, bits: k.bits, n1: k.n1, nonZero: cost.nonZero, count, shiftAdds: cost.shiftAdds, floatMacs: cost.floatMacs });
        const rowStep = g.inW * g.inC;
        // Bound checks only where some tap can fall in the padding.
        const needRows = g.padTop > 0 || (g.outH - 1) * g.stride + g.kh > g.inH;
        const needCols = g.padLeft > 0 || (g.outW - 1) * g.stride + g.kw > g.inW;
        const vars = ['o', 'oy', 'ox', 'oc', 'ky', 'kx', 'ic', 'xrow', 'xpix', 'xr', 'xi', 'acc', 'v', 'n = 0'];
        if (needRows) vars.push('iy0');
        if (needCols) vars.push('ix0');
        const oyInit = [`oy = 0`, ...(needRows ? [`iy0 = ${-g.padTop}`] : []), `xrow = ${-g.padTop * rowStep}`].join(', ');
        const oyStep = [`oy++`, ...(needRows ? [`iy0 += ${g.stride}`] : []), `xrow += ${g.stride * rowStep}`].join(', ');
        const oxInit = [`ox = 0`, ...(needCols ? [`ix0 = ${-g.padLeft}`] : []), `xpix = xrow - ${g.padLeft * g.inC}`].join(', ');
        const oxStep = [`ox++`, ...(needCols ? [`ix0 += ${g.stride}`] : []), `xpix += ${g.stride * g.inC}`].join(', ');
        funcs.push(
          `/*
 * ${l.name}: conv ${g.kh}x${g.kw}, ${g.inC} -> ${g.outC} channels, '${l.padding}' padding, stride ${g.stride}: ${fmt(shape)} -> ${fmt(outShape)}${l.relu ? ', ReLU' : ''}.
 * x: the input at scale 2^-g (rescaled in place to 2^-F); y: the output at scale 2^-F; returns F.
 */
static int ${id}(int32_t *x, int32_t *y, int g)
{
    int32_t b[${g.outC}];
    int32_t ${vars.join(', ')};
    uint32_t ob, wb, code;
${head.join('\n')}
    for (${oyInit}; oy < ${g.outH}; ${oyStep}) {
        for (${oxInit}; ox < ${g.outW}; ${oxStep}) {
            for (oc = 0, ob = 0u; oc < ${g.outC}; oc++, ob += ${bitsU}) {
                acc = 0;
                wb = ob;
                for (ky = 0, xr = xpix; ky < ${g.kh}; ky++, xr += ${rowStep}) {
${needRows ? `                    if (iy0 + ky < 0 || iy0 + ky >= ${g.inH}) {\n                        wb += ${g.kw * g.inC * g.outC * k.bits}u;\n                        continue;\n                    }\n` : ''}                    for (kx = 0, xi = xr; kx < ${g.kw}; kx++, xi += ${g.inC}) {
${needCols ? `                        if (ix0 + kx < 0 || ix0 + kx >= ${g.inW}) {\n                            wb += ${g.inC * g.outC * k.bits}u;\n                            continue;\n                        }\n` : ''}                        for (ic = 0; ic < ${g.inC}; ic++, wb += ${g.outC * k.bits}u) {
                            code = inq_code(${id}_codes, wb, ${bitsU});
                            if (code != 0u) acc += inq_term(x[xi + ic], code, ${k.n1}, ${bitsU});
                        }
                    }
                }
                v = acc + b[oc];
                y[n++] = ${relu};
            }
        }
    }
    return f;
}
`,
        );
      } else {
        const [inN2, outN] = k.shape;
        let nonZero = 0;
        for (let i = 0; i < count; i++) if (readCode(k.words, i, k.bits) !== 0) nonZero++;
        info.push({ name: l.name, kind: 'dense', shape: k.shape, bits: k.bits, n1: k.n1, nonZero, count, shiftAdds: nonZero, floatMacs: count });
        funcs.push(
          `/*
 * ${l.name}: dense ${inN2} -> ${outN}${l.relu ? ', ReLU' : ''}.
 * x: the input at scale 2^-g (rescaled in place to 2^-F); y: the output at scale 2^-F; returns F.
 */
static int ${id}(int32_t *x, int32_t *y, int g)
{
    int32_t b[${outN}];
    int32_t o, i, acc, v;
    uint32_t ob, wb, code;
${head.join('\n')}
    for (o = 0, ob = 0u; o < ${outN}; o++, ob += ${bitsU}) {
        acc = 0;
        for (i = 0, wb = ob; i < ${inN2}; i++, wb += ${outN * k.bits}u) {
            code = inq_code(${id}_codes, wb, ${bitsU});
            if (code != 0u) acc += inq_term(x[i], code, ${k.n1}, ${bitsU});
        }
        v = acc + b[o];
        y[o] = ${relu};
    }
    return f;
}
`,
        );
      }
      calls.push(`    g = ${id}(${buf(cur)}, ${buf(1 - cur)}, g);`);
      cur = 1 - cur;
    } else if (l.kind === 'maxPool2d') {
      const [, w, c] = shape;
      const [oh, ow] = outShape;
      funcs.push(
        `/* ${l.name}: max-pool 2x2, stride 2, by compares: ${fmt(shape)} -> ${fmt(outShape)}. */
static void ${id}(const int32_t *x, int32_t *y)
{
    int32_t oy, ox, c, r, p, i, m, n = 0;
    for (oy = 0, r = 0; oy < ${oh}; oy++, r += ${2 * w * c}) {
        for (ox = 0, p = r; ox < ${ow}; ox++, p += ${2 * c}) {
            for (c = 0; c < ${c}; c++) {
                i = p + c;
                m = x[i];
                if (x[i + ${c}] > m) m = x[i + ${c}];
                if (x[i + ${w * c}] > m) m = x[i + ${w * c}];
                if (x[i + ${w * c + c}] > m) m = x[i + ${w * c + c}];
                y[n++] = m;
            }
        }
    }
}
`,
      );
      calls.push(`    ${id}(${buf(cur)}, ${buf(1 - cur)});`);
      cur = 1 - cur;
    } else {
      calls.push(`    /* ${l.name}: NHWC order is already the flat order */`);
    }
    shape = outShape;
  });

  let shiftAddsPerImage = 0;
  let floatMacsPerImage = 0;
  for (const l of info) {
    shiftAddsPerImage += l.shiftAdds;
    floatMacsPerImage += l.floatMacs;
  }
  const scratchBytes = 2 * bufLen * 4;
  const [h, w, c] = inputShape;
  const bitsText = [...bitsSet].sort((a, b) => a - b).join('/');
  const layerTable = info
    .map((l) => ` *   ${l.name.padEnd(10)} ${l.kind.padEnd(6)} ${fmt(l.shape).padEnd(16)} n1 = ${String(l.n1).padStart(3)}  ${l.nonZero} of ${l.count} weights non-zero`)
    .join('\n');

  const header = `/*
 * ${safeName}: an INQ-quantized network (${bitsText}-bit power-of-two weights) as C99 that computes with
 * arithmetic shifts, integer adds and compares only. Generated by the INQ Playground (inq export-c).
 *
 * int inq_predict(const int32_t *input, int32_t *logits)
 *   input   INQ_INPUT_SIZE values: one ${h}x${w}x${c} input, NHWC (row by row, channels last), in fixed
 *           point with INQ_INPUT_FRAC_BITS = ${C_INPUT_FRAC_BITS} fractional bits:
 *               input[i] = round(x[i] * 2^${C_INPUT_FRAC_BITS})   (round half to even)
 *           where x[i] is the value the trained network takes; |x[i]| < ${2 ** (31 - C_INPUT_FRAC_BITS)}. For 8-bit images
 *           scaled to [0, 1] (MNIST, Fashion-MNIST), x = pixel / 255: a pixel of 255 is
 *           2^${C_INPUT_FRAC_BITS} = ${2 ** C_INPUT_FRAC_BITS}, and in general
 *               input[i] = (int32_t)(((((int64_t)pixel << ${C_INPUT_FRAC_BITS + 1}) / 255) + 1) >> 1);
 *           (inq export-c --check feeds round(f32(pixel / 255) * 2^${C_INPUT_FRAC_BITS}), the value tfjs sees,
 *           which differs from that by at most 32, i.e. 3e-8).
 *   logits  INQ_NUM_CLASSES values in fixed point with INQ_LOGITS_FRAC_BITS = ${C_LOGITS_FRAC_BITS} fractional bits
 *           (saturated to the int32_t range).
 *   returns the class: the index of the first largest logit (compared before the rescale).
 *
 * Each conv and dense layer picks the fixed-point scale 2^-F of its input from the input's largest
 * magnitude (the rule of the playground's fixed-shift GPU kernel), rescales the input by a shift,
 * and sums one arithmetic shift per non-zero weight in int32_t. Bias and ReLU stay integer;
 * max-pool is compares. No heap, no libm, no multiply, divide or floating point in model.c.
 * Not reentrant: the activations live in two static buffers (INQ_SCRATCH_BYTES bytes).
 * Needs arithmetic >> of negative values (every mainstream compiler; checked when model.c compiles).
 *
 * Layers (packed ${bitsText}-bit codes; code = non-zero flag, sign, n1 - p):
${layerTable}
 * Per image: ${shiftAddsPerImage} shift-adds, against ${floatMacsPerImage} multiply-adds for the same network in floating point.
 */
#ifndef INQ_MODEL_H
#define INQ_MODEL_H

#include <stdint.h>

#define INQ_INPUT_HEIGHT ${h}
#define INQ_INPUT_WIDTH ${w}
#define INQ_INPUT_CHANNELS ${c}
#define INQ_INPUT_SIZE ${inCount}
#define INQ_NUM_CLASSES ${numClasses}
#define INQ_INPUT_FRAC_BITS ${C_INPUT_FRAC_BITS}
#define INQ_LOGITS_FRAC_BITS ${C_LOGITS_FRAC_BITS}
#define INQ_SCRATCH_BYTES ${scratchBytes}

/* Classifies one input; see above for the scales of input and logits. */
int inq_predict(const int32_t *input, int32_t *logits);

#endif
`;

  const source = `/*
 * ${safeName}: inq_predict in shifts, integer adds and compares (see model.h).
 * Generated by the INQ Playground (inq export-c).
 */
#include "model.h"

${HELPERS}
${data.join('\n')}
/* The activations, ping-ponged between two buffers. */
static int32_t inq_buf0[${bufLen}];
static int32_t inq_buf1[${bufLen}];

${funcs.join('\n')}
int inq_predict(const int32_t *input, int32_t *logits)
{
    int32_t i;
    int best = 0;
    int g = INQ_INPUT_FRAC_BITS;
    for (i = 0; i < ${inCount}; i++) inq_buf0[i] = input[i];
${calls.join('\n')}
    for (i = 1; i < ${numClasses}; i++) {
        if (${buf(cur)}[i] > ${buf(cur)}[best]) best = (int)i;
    }
    for (i = 0; i < ${numClasses}; i++) logits[i] = inq_logit(${buf(cur)}[i], g);
    return best;
}
`;

  return {
    header,
    source,
    layers: info,
    shiftAddsPerImage,
    floatMacsPerImage,
    constBytes,
    floatBytes,
    scratchBytes,
    inputFracBits: C_INPUT_FRAC_BITS,
    logitsFracBits: C_LOGITS_FRAC_BITS,
  };
}

/** A test program for model.c: reads little-endian int32 inputs (a file, or '-' for stdin) and prints "class logit…" per input. */
export function generateCHarness(): string {
  return `/*
 * Test harness for model.c (inq export-c --check). Reads inputs as little-endian int32 values,
 * INQ_INPUT_SIZE per input, from a file (or '-' for stdin) and prints one line per input: the class
 * inq_predict returns, then the logits (fixed point, INQ_LOGITS_FRAC_BITS fractional bits).
 */
#include <stdio.h>
#include <string.h>
#include "model.h"

int main(int argc, char **argv)
{
    static unsigned char raw[4 * INQ_INPUT_SIZE];
    static int32_t input[INQ_INPUT_SIZE];
    int32_t logits[INQ_NUM_CLASSES];
    FILE *f;
    size_t got;
    int i, j;
    if (argc != 2) {
        fprintf(stderr, "usage: %s INPUTS.bin   (or - for stdin)\\n", argv[0]);
        return 2;
    }
    f = strcmp(argv[1], "-") == 0 ? stdin : fopen(argv[1], "rb");
    if (f == NULL) {
        fprintf(stderr, "cannot open %s\\n", argv[1]);
        return 2;
    }
    while ((got = fread(raw, 1, sizeof raw, f)) == sizeof raw) {
        for (i = 0; i < INQ_INPUT_SIZE; i++) {
            uint32_t u = (uint32_t)raw[4 * i] | (uint32_t)raw[4 * i + 1] << 8 | (uint32_t)raw[4 * i + 2] << 16 | (uint32_t)raw[4 * i + 3] << 24;
            input[i] = (int32_t)u;
        }
        printf("%d", inq_predict(input, logits));
        for (j = 0; j < INQ_NUM_CLASSES; j++) printf(" %ld", (long)logits[j]);
        printf("\\n");
    }
    if (got != 0) {
        fprintf(stderr, "the input ends part-way through an image (%lu stray bytes)\\n", (unsigned long)got);
        return 1;
    }
    return f == stdin || fclose(f) == 0 ? 0 : 1;
}
`;
}

/** C keywords and the type names model.c uses: a '*' right after one of these declares a pointer. */
const C_TYPE_WORDS = new Set(['int', 'char', 'void', 'const', 'unsigned', 'signed', 'short', 'long', 'int32_t', 'uint32_t', 'int64_t', 'uint64_t', 'uint8_t', 'int8_t', 'size_t']);

/** Removes C comments and string/char literals. */
function stripC(src: string): string {
  return src.replace(/\/\*[\s\S]*?\*\/|\/\/[^\n]*|"(?:\\.|[^"\\])*"|'(?:\\.|[^'\\])*'/g, ' ');
}

/**
 * Static check of a generated model.c: no floating point, heap or libm anywhere (comments included),
 * no include but model.h and stdint.h, and no multiplication, division or modulo at all (a '*' is
 * allowed only as a pointer declarator, right after a type name). Returns the problems found.
 */
export function checkCSource(source: string): string[] {
  const problems: string[] = [];
  for (const word of ['float', 'double', 'malloc', 'calloc', 'realloc', 'free', 'alloca', 'math.h', 'long double']) {
    const re = new RegExp(`(^|[^A-Za-z0-9_])${word.replace('.', '\\.')}($|[^A-Za-z0-9_])`);
    if (re.test(source)) problems.push(`"${word}" appears`);
  }
  for (const m of source.matchAll(/#\s*include\s*([<"][^>"]*[>"])/g)) {
    if (m[1] !== '"model.h"' && m[1] !== '<stdint.h>') problems.push(`includes ${m[1]}`);
  }
  const code = stripC(source);
  const tokens = code.match(/[A-Za-z_][A-Za-z0-9_]*|0[xX][0-9a-fA-F]+[uUlL]*|[0-9]+[uUlL]*|\*=|\/=|%=|->|\+\+|--|&&|\|\||<<=?|>>=?|[<>=!]=|\S/g) ?? [];
  tokens.forEach((t, i) => {
    const prev = tokens[i - 1] ?? '';
    const near = tokens.slice(Math.max(0, i - 4), i + 4).join(' ');
    if (t === '*=' || t === '/' || t === '/=' || t === '%' || t === '%=') problems.push(`operator ${t} in: ${near}`);
    else if (t === '*') {
      const binary = /^[A-Za-z_0-9]/.test(prev) ? !C_TYPE_WORDS.has(prev) : prev === ')' || prev === ']';
      if (binary) problems.push(`multiplication in: ${near}`);
    }
  });
  return problems;
}
