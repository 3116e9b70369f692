// Shift-only conv2d, float-exponent mode. Every weight is 0 or ±2^p, stored as packed b-bit codes
// (src/inq/codec.ts): 0 = zero; else bit b−1 = 1, bit b−2 = sign, bits 0..b−3 = n1 − p. A term is
// ±ldexp(x, p): an exponent add, never a float multiply of weight by activation.
// Bias and ReLU are fused in the epilogue (one pass over the output instead of two).
// CPU twin: conv2dShiftFloat + biasRelu in src/inq/shiftRef.ts (same summation order: ky, kx, ic).
//
// Work split: one invocation = one output pixel × 4 consecutive output channels (a vec4
// accumulator), so each activation is loaded once for 4 terms and the 4 codes come from one or two
// words. Invocations run with ox fastest, then oy, then the channel block, then n: neighbouring
// invocations read the same code words (a broadcast load), and the zero-code select never diverges.

override WG: u32 = 64;

struct Params {
  total: u32,   // batch · ocBlocks · outH · outW invocations
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
  bits: u32,
  n1: i32,
  ocBlocks: u32, // ceil(outC / 4)
  relu: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
// Padded by two words past the last code, so the window read below never leaves the buffer.
@group(0) @binding(1) var<storage, read> codes: array<u32>;
@group(0) @binding(2) var<storage, read> bias: array<f32>;
@group(0) @binding(3) var<storage, read> x: array<f32>;
@group(0) @binding(4) var<storage, read_write> y: array<f32>;

// The code starting at bit b (0 ≤ b < 64) of the 64-bit window hi:lo. WGSL takes shift amounts mod
// 32, so a shift by 32 − b is written (hi << 1) << (31 − b), which is 0 for b = 0 as it must be;
// for b ≥ 32 the other select arm is taken and the mod-32 shifts above are discarded.
fn window(lo: u32, hi: u32, b: u32) -> u32 {
  let low = (lo >> b) | ((hi << 1u) << (31u - b));
  return select(hi >> (b & 31u), low, b < 32u) & ((1u << params.bits) - 1u);
}

// ±ldexp(v, p) for a non-zero code, 0 for the zero code (ldexp(v, p) is never 0 for v ≠ 0).
fn term(code: u32, v: f32) -> f32 {
  let offMask = (1u << (params.bits - 2u)) - 1u;
  let t = ldexp(v, params.n1 - i32(code & offMask));
  let signed = select(t, -t, ((code >> (params.bits - 2u)) & 1u) != 0u);
  return select(signed, 0.0, code == 0u);
}

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let idx = gid.x + gid.y * nwg.x * WG;
  if (idx >= params.total) {
    return;
  }
  let plane = params.outH * params.outW;
  let pos = idx % plane;
  let r = idx / plane;
  let oc0 = (r % params.ocBlocks) * 4u;
  let n = r / params.ocBlocks;
  let ox = pos % params.outW;
  let oy = pos / params.outW;

  let b = params.bits;
  let iy0 = i32(oy * params.stride) - i32(params.padTop);
  let ix0 = i32(ox * params.stride) - i32(params.padLeft);
  var acc = vec4f(0.0);
  for (var ky = 0u; ky < params.kh; ky++) {
    let iy = iy0 + i32(ky);
    if (iy < 0 || iy >= i32(params.inH)) {
      continue;
    }
    for (var kx = 0u; kx < params.kw; kx++) {
      let ix = ix0 + i32(kx);
      if (ix < 0 || ix >= i32(params.inW)) {
        continue;
      }
      let xBase = ((n * params.inH + u32(iy)) * params.inW + u32(ix)) * params.inC;
      var bit = ((ky * params.kw + kx) * params.inC * params.outC + oc0) * b;
      for (var ic = 0u; ic < params.inC; ic++) {
        let v = x[xBase + ic];
        let w = bit >> 5u;
        let s = bit & 31u;
        let lo = codes[w];
        let hi = codes[w + 1u];
        acc += vec4f(term(window(lo, hi, s), v), term(window(lo, hi, s + b), v),
                     term(window(lo, hi, s + 2u * b), v), term(window(lo, hi, s + 3u * b), v));
        bit += params.outC * b;
      }
    }
  }
  let outBase = ((n * params.outH + oy) * params.outW + ox) * params.outC;
  for (var j = 0u; j < 4u; j++) {
    let oc = oc0 + j;
    if (oc < params.outC) {
      let v = acc[j] + bias[oc];
      y[outBase + oc] = select(v, max(v, 0.0), params.relu != 0u);
    }
  }
}
