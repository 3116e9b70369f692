// Float activations to i32 fixed point: q = round(ldexp(x, F)), round half to even. F comes from
// max |x| (stats[2·slot], see maxAbs.wgsl) by the headroom rule of src/inq/shiftRef.ts:
//   F = clamp(30 − e_x − max(0, e_k + n1), −126, 126),  max|x| < 2^e_x,  e_k = ceil(log2(fanIn)).
// F is written to stats[2·slot + 1] for dequantBiasRelu.wgsl. CPU twin: fracBitsFromMax + quantizeFixed.

override WG: u32 = 64;

struct Params {
  total: u32,
  slot: u32,
  fanInLog2: i32,
  n1: i32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> stats: array<u32>;
@group(0) @binding(3) var<storage, read_write> q: array<i32>;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let idx = gid.x + gid.y * nwg.x * WG;
  // Biased exponent E of max|x|: max|x| < 2^(E − 126); 0 and subnormals give a safe −126.
  let ex = i32(stats[2u * params.slot] >> 23u) - 126;
  let f = clamp(30 - ex - max(0, params.fanInLog2 + params.n1), -126, 126);
  if (idx == 0u) {
    stats[2u * params.slot + 1u] = bitcast<u32>(f);
  }
  if (idx >= params.total) {
    return;
  }
  q[idx] = i32(round(ldexp(x[idx], f)));
}
