// Shift-only dense layer, float-exponent mode: y[b, o] = Σ_i ±ldexp(x[b, i], p[i, o]) + bias[o].
// Codes as in shiftConv2d.wgsl; kernel layout [in, out] (tfjs). Bias and ReLU fused.
// CPU twin: denseShiftFloat + biasRelu in src/inq/shiftRef.ts (summation order i = 0..in−1).

override WG: u32 = 64;

struct Params {
  total: u32,   // batch · outN
  inN: u32,
  outN: u32,
  bits: u32,
  n1: i32,
  relu: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> codes: array<u32>;
@group(0) @binding(2) var<storage, read> bias: array<f32>;
@group(0) @binding(3) var<storage, read> x: array<f32>;
@group(0) @binding(4) var<storage, read_write> y: array<f32>;

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
  var acc = 0.0;
  var wi = o;
  for (var i = 0u; i < params.inN; i++) {
    let code = readCode(wi);
    if (code != 0u) {
      let t = ldexp(x[xBase + i], params.n1 - i32(code & offMask));
      acc += select(t, -t, (code & signBit) != 0u);
    }
    wi += params.outN;
  }
  let v = acc + bias[o];
  y[idx] = select(v, max(v, 0.0), params.relu != 0u);
}
