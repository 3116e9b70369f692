// Shift-only dense layer, fixed-shift mode: i32 sums of ±(x << p | x >> −p); see shiftConv2dFixed.wgsl.
// CPU twin: denseShiftFixed in src/inq/shiftRef.ts — bit-exact.

override WG: u32 = 64;

struct Params {
  total: u32,   // batch · outN
  inN: u32,
  outN: u32,
  bits: u32,
  n1: i32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> codes: array<u32>;
@group(0) @binding(2) var<storage, read> x: array<i32>;
@group(0) @binding(3) var<storage, read_write> y: array<i32>;

// The i-th b-bit code (see shiftConv2d.wgsl for why 32 − s never reaches 32).
fn readCode(i: u32) -> u32 {
  let bit = i * params.bits;
  let w = bit >> 5u;
  let s = bit & 31u;
  var code = codes[w] >> s;
  if (s + params.bits > 32u) {
    code |= codes[w + 1u] << (32u - s);
  }
  return code & ((1u << params.bits) - 1u);
}

// x·2^p by shifts, never letting WGSL take the amount mod 32 (see shiftConv2dFixed.wgsl).
fn shift(v: i32, p: i32) -> i32 {
  if (p >= 0) {
    return select(v << u32(p), 0, p >= 32);
  }
  return v >> u32(min(-p, 31));
}

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let idx = gid.x + gid.y * nwg.x * WG;
  if (idx >= params.total) {
    return;
  }
  let o = idx % params.outN;
  let b = idx / params.outN;
  let offMask = (1u << (params.bits - 2u)) - 1u;
  let signBit = 1u << (params.bits - 2u);
  let xBase = b * params.inN;
  var acc = 0i;
  var wi = o;
  for (var i = 0u; i < params.inN; i++) {
    let code = readCode(wi);
    if (code != 0u) {
      let t = shift(x[xBase + i], params.n1 - i32(code & offMask));
      acc += select(t, -t, (code & signBit) != 0u);
    }
    wi += params.outN;
  }
  y[idx] = acc;
}
