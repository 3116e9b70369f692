// Decodes a conv layer's packed b-bit HWIO codes (src/inq/codec.ts: 0 = zero; else bit b−1 = 1,
// bit b−2 = sign, bits 0..b−3 = n1 − p) once, when the layer is built, into the table the conv
// kernels read, so their inner loops extract no variable-width bit fields. One vec4<u32> per
// (k, oct), k = (ky·kw + kx)·inC + ic and oct = oc / 8 (output channels padded with zero weights
// to a multiple of 8): component c holds channel 8·oct + c in bits 0..15 and 8·oct + 4 + c in
// bits 16..31, each a 16-bit field
//   float-exponent (fixed = 0): bits 0..8 = bits 23..31 of D = (p << 23) + (sign << 31), i.e.
//     p mod 256 and the sign bit as float bits see them; bit 9 = 1 for a non-zero weight.
//   fixed-shift (fixed = 1): for x·2^p as (x << L) >> R: bits 0..4 = L (p for 0 ≤ p < 32, else 0),
//     bits 5..9 = R (min(−p, 31) for p < 0, else 0), bit 10 = sign, bit 11 = 1 for a non-zero
//     weight with p < 32 (a left shift by ≥ 32 gives 0, as in shiftTerm in src/inq/shiftRef.ts).

override WG: u32 = 64;

struct Params {
  total: u32,   // K · octs groups, K = kh · kw · inC
  octs: u32,    // ceil(outC / 8)
  outC: u32,
  bits: u32,
  n1: i32,
  fixed: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
// ceil(count · bits / 32) words; readCode reads the next word only when a code spans two.
@group(0) @binding(1) var<storage, read> codes: array<u32>;
@group(0) @binding(2) var<storage, read_write> table: array<vec4<u32>>;

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

// The 16-bit field of output channel oc at kernel position k.
fn field(k: u32, oc: u32) -> u32 {
  var code = 0u;
  if (oc < params.outC) {
    code = readCode(k * params.outC + oc);
  }
  let p = params.n1 - i32(code & ((1u << (params.bits - 2u)) - 1u));
  let neg = (code >> (params.bits - 2u)) & 1u;
  let nonzero = select(0u, 1u, code != 0u);
  if (params.fixed == 0u) {
    let d = (bitcast<u32>(p) << 23u) + (neg << 31u);
    return (d >> 23u) | (nonzero << 9u);
  }
  let l = select(0u, u32(p), p >= 0 && p < 32);
  let r = select(0u, u32(min(-p, 31)), p < 0);
  let live = select(0u, nonzero, p < 32);
  return l | (r << 5u) | (neg << 10u) | (live << 11u);
}

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let idx = gid.x + gid.y * nwg.x * WG;
  if (idx >= params.total) {
    return;
  }
  let oc0 = (idx % params.octs) * 8u;
  let k = idx / params.octs;
  var w = vec4<u32>(0u);
  for (var c = 0u; c < 4u; c++) {
    w[c] = field(k, oc0 + c) | (field(k, oc0 + 4u + c) << 16u);
  }
  table[idx] = w;
}
