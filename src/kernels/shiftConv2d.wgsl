// Shift-only conv2d, float-exponent mode. Every weight is 0 or ±2^p, so a term is ±ldexp(x, p): an
// exponent add, never a float multiply of weight by activation. Bias and ReLU are fused.
// CPU twin: conv2dShiftFloat + biasRelu in src/inq/shiftRef.ts, same summation order (ky, kx, ic),
// so the sums are bit-identical.
//
// The weights come pre-decoded (shiftConvDecode.wgsl, once per layer): per weight the top bits of
// D = (p << 23) + (sign << 31) and a non-zero flag. For a normal float x whose exponent field e
// keeps 1 ≤ e + p ≤ 254, the float bits of ±x·2^p are exactly bits(x) + D (mod 2^32): the exponent
// field moves by p, the sign flips with the sign bit. So the fast inner loop is, per term, one
// integer add, one AND (weight and activation masks) and the float accumulate. Whether that holds
// for every weight of the layer and every input of this pass is decided once per pass from the
// input's exponent range (expRange.wgsl): fastMinE ≤ min e and max e ≤ fastMaxE, with
// fastMinE = max(1, 1 − n2) and fastMaxE = 254 − n1. Otherwise (subnormal, huge, inf or NaN
// inputs) the exact ldexp loop runs instead; the branch is uniform, so nothing diverges.
//
// Work split: one invocation = 4 neighbouring output pixels of a row × 8 output channels (8 vec4
// accumulators), a workgroup = WG such pixel quads of one image × the same 8 channels. Per input
// channel step an invocation loads 4 activations and one vec4 of weights and does 32 terms. On a
// SIMD CPU adapter (llvmpipe) every load whose address differs per invocation is a gather, so
// loads per term matter more than arithmetic per term.

override WG: u32 = 64;

struct Params {
  groups: u32,    // batch · octs · pixBlocks workgroups
  pixBlocks: u32, // ceil(outH · ceil(outW / 4) / WG)
  octs: u32,      // ceil(outC / 8)
  inH: u32,
  inW: u32,
  inC: u32,
  outH: u32,
  outW: u32,
  outC: u32,
  kh: u32,
  kw: u32,
  stride: u32,
  padTop: u32,
  padLeft: u32,
  fastMinE: i32,
  fastMaxE: i32,
  relu: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
// One vec4 per (ky, kx, ic, oct): 8 weights as 16-bit fields; see shiftConvDecode.wgsl.
@group(0) @binding(1) var<storage, read> table: array<vec4<u32>>;
// [min, max] biased exponent of the non-zero inputs (expRange.wgsl).
@group(0) @binding(2) var<storage, read> range: array<u32>;
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<storage, read> x: array<f32>;
@group(0) @binding(5) var<storage, read_write> y: array<f32>;

// The input's float bits at a tap, or 0 for a tap in the padding.
fn tap(ok: bool, i: u32) -> u32 {
  return select(0u, bitcast<u32>(x[select(0u, i, ok)]), ok);
}

// bits(x) + D, masked to +0 for a zero weight (m) or a zero input: ±0 + D would be the weight itself.
fn fast(vb: u32, d: vec4<u32>, m: vec4<u32>) -> vec4f {
  let keep = select(0u, 0xffffffffu, (vb << 1u) != 0u);
  return bitcast<vec4f>((vec4<u32>(vb) + d) & (m & vec4<u32>(keep)));
}

// Exact ±ldexp(v, p) per channel for the slow path, from 16-bit fields f (p mod 256 in bits 0..7,
// the sign bit of D in bit 8, non-zero in bit 9).
fn slow(vb: u32, f: vec4<u32>) -> vec4f {
  let p = bitcast<vec4<i32>>(f << vec4<u32>(24u)) >> vec4<u32>(24u);
  let neg = ((f & vec4<u32>(0x100u)) != vec4<u32>(0u)) != (p < vec4<i32>(0));
  let t = ldexp(vec4f(bitcast<f32>(vb)), p);
  return select(vec4f(0.0), select(t, -t, neg), (f & vec4<u32>(0x200u)) != vec4<u32>(0u));
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let g = wid.x + wid.y * nwg.x;
  if (g >= params.groups) {
    return;
  }
  let pb = g % params.pixBlocks;
  let r = g / params.pixBlocks;
  let oct = r % params.octs;
  let n = r / params.octs;
  let quadsPerRow = (params.outW + 3u) / 4u;
  let q = pb * WG + lid;
  let live = q < params.outH * quadsPerRow;
  let oy = q / quadsPerRow;
  let ox0 = (q % quadsPerRow) * 4u;
  let s = params.stride;
  let iy0 = i32(oy * s) - i32(params.padTop);
  let ix0 = i32(ox0 * s) - i32(params.padLeft);
  let inC = params.inC;
  let inW = i32(params.inW);
  let octs = params.octs;
  let fastPath = i32(range[0]) >= params.fastMinE && i32(range[1]) <= params.fastMaxE;

  // a<j>l: pixel j, channels 0..3 of the block; a<j>h: channels 4..7.
  var a0l = vec4f(0.0);
  var a0h = vec4f(0.0);
  var a1l = vec4f(0.0);
  var a1h = vec4f(0.0);
  var a2l = vec4f(0.0);
  var a2h = vec4f(0.0);
  var a3l = vec4f(0.0);
  var a3h = vec4f(0.0);
  for (var ky = 0u; ky < params.kh; ky++) {
    let iy = iy0 + i32(ky);
    let rowOk = live && iy >= 0 && iy < i32(params.inH);
    let rowBase = (n * params.inH + u32(max(iy, 0))) * params.inW;
    for (var kx = 0u; kx < params.kw; kx++) {
      // Out-of-image taps (padding, and pixels past the row's end) count as a zero input.
      let ix = ix0 + i32(kx);
      let ix1 = ix + i32(s);
      let ix2 = ix1 + i32(s);
      let ix3 = ix2 + i32(s);
      let ok0 = rowOk && ix >= 0 && ix < inW && ox0 < params.outW;
      let ok1 = rowOk && ix1 >= 0 && ix1 < inW && ox0 + 1u < params.outW;
      let ok2 = rowOk && ix2 >= 0 && ix2 < inW && ox0 + 2u < params.outW;
      let ok3 = rowOk && ix3 >= 0 && ix3 < inW && ox0 + 3u < params.outW;
      let b0 = (rowBase + u32(max(ix, 0))) * inC;
      let b1 = (rowBase + u32(max(ix1, 0))) * inC;
      let b2 = (rowBase + u32(max(ix2, 0))) * inC;
      let b3 = (rowBase + u32(max(ix3, 0))) * inC;
      var t = ((ky * params.kw + kx) * inC) * octs + oct;
      if (fastPath) {
        for (var ic = 0u; ic < inC; ic++) {
          let w = table[t];
          t += octs;
          let dl = w << vec4<u32>(23u);
          let ml = bitcast<vec4<u32>>(bitcast<vec4<i32>>(w << vec4<u32>(22u)) >> vec4<u32>(31u));
          let dh = (w >> vec4<u32>(16u)) << vec4<u32>(23u);
          let mh = bitcast<vec4<u32>>(bitcast<vec4<i32>>(w << vec4<u32>(6u)) >> vec4<u32>(31u));
          let v0 = tap(ok0, b0 + ic);
          let v1 = tap(ok1, b1 + ic);
          let v2 = tap(ok2, b2 + ic);
          let v3 = tap(ok3, b3 + ic);
          a0l += fast(v0, dl, ml);
          a0h += fast(v0, dh, mh);
          a1l += fast(v1, dl, ml);
          a1h += fast(v1, dh, mh);
          a2l += fast(v2, dl, ml);
          a2h += fast(v2, dh, mh);
          a3l += fast(v3, dl, ml);
          a3h += fast(v3, dh, mh);
        }
      } else {
        for (var ic = 0u; ic < inC; ic++) {
          let w = table[t];
          t += octs;
          let fl = w & vec4<u32>(0xffffu);
          let fh = w >> vec4<u32>(16u);
          let v0 = tap(ok0, b0 + ic);
          let v1 = tap(ok1, b1 + ic);
          let v2 = tap(ok2, b2 + ic);
          let v3 = tap(ok3, b3 + ic);
          a0l += slow(v0, fl);
          a0h += slow(v0, fh);
          a1l += slow(v1, fl);
          a1h += slow(v1, fh);
          a2l += slow(v2, fl);
          a2h += slow(v2, fh);
          a3l += slow(v3, fl);
          a3h += slow(v3, fh);
        }
      }
    }
  }
  if (!live) {
    return;
  }
  let oc0 = oct * 8u;
  let rowOut = (n * params.outH + oy) * params.outW;
  store(rowOut, ox0, oc0, a0l, a0h);
  store(rowOut, ox0 + 1u, oc0, a1l, a1h);
  store(rowOut, ox0 + 2u, oc0, a2l, a2h);
  store(rowOut, ox0 + 3u, oc0, a3l, a3h);
}

// Bias, ReLU and the store of one pixel's 8 channels (those that exist).
fn store(rowOut: u32, ox: u32, oc0: u32, lo: vec4f, hi: vec4f) {
  if (ox >= params.outW) {
    return;
  }
  let base = (rowOut + ox) * params.outC;
  for (var j = 0u; j < 8u; j++) {
    let oc = oc0 + j;
    if (oc < params.outC) {
      let v = select(hi[j & 3u], lo[j & 3u], j < 4u) + bias[oc];
      y[base + oc] = select(v, max(v, 0.0), params.relu != 0u);
    }
  }
}
