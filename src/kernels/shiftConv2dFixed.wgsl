// Shift-only conv2d, fixed-shift mode: i32 activations with F fractional bits (quantizeFixed.wgsl),
// each term an arithmetic shift x << p or x >> −p, summed in i32 (the F rule in src/inq/shiftRef.ts
// keeps the sum below 2^31). Output: raw i32 sums; dequantBiasRelu.wgsl converts them back.
// Work split as in shiftConv2d.wgsl: one output pixel × 4 output channels per invocation.
// CPU twin: conv2dShiftFixed in src/inq/shiftRef.ts — bit-exact.

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
}

@group(0) @binding(0) var<uniform> params: Params;
// Padded by two words past the last code (see shiftConv2d.wgsl).
@group(0) @binding(1) var<storage, read> codes: array<u32>;
@group(0) @binding(2) var<storage, read> x: array<i32>;
@group(0) @binding(3) var<storage, read_write> y: array<i32>;

// The code starting at bit b (0 ≤ b < 64) of hi:lo (see shiftConv2d.wgsl for the shift-by-32 care).
fn window(lo: u32, hi: u32, b: u32) -> u32 {
  let low = (lo >> b) | ((hi << 1u) << (31u - b));
  return select(hi >> (b & 31u), low, b < 32u) & ((1u << params.bits) - 1u);
}

// ±(v · 2^p) by shifts, 0 for the zero code. WGSL takes a shift amount mod 32, so amounts ≥ 32 are
// handled here: a left shift by ≥ 32 gives 0, a right shift by ≥ 31 equals the shift by 31
// (0 or −1, i.e. floor(v / 2^s)).
fn term(code: u32, v: i32) -> i32 {
  let offMask = (1u << (params.bits - 2u)) - 1u;
  let p = params.n1 - i32(code & offMask);
  let left = select(v << u32(max(p, 0)), 0, p >= 32);
  let right = v >> u32(min(-p, 31));
  let t = select(right, left, p >= 0);
  let signed = select(t, -t, ((code >> (params.bits - 2u)) & 1u) != 0u);
  return select(signed, 0, code == 0u);
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
  var acc = vec4i(0);
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
        acc += vec4i(term(window(lo, hi, s), v), term(window(lo, hi, s + b), v),
                     term(window(lo, hi, s + 2u * b), v), term(window(lo, hi, s + 3u * b), v));
        bit += params.outC * b;
      }
    }
  }
  let outBase = ((n * params.outH + oy) * params.outW + ox) * params.outC;
  for (var j = 0u; j < 4u; j++) {
    if (oc0 + j < params.outC) {
      y[outBase + oc0 + j] = acc[j];
    }
  }
}
