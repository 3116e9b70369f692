// The bias + ReLU epilogue of the fixed-shift layers: y = ldexp(f32(sum), −F) + bias[c], then ReLU.
// F is the one quantizeFixed.wgsl chose for this layer (stats[2·slot + 1]).
// CPU twin: dequantizeBiasRelu in src/inq/shiftRef.ts.

override WG: u32 = 64;

struct Params {
  total: u32,
  channels: u32,
  slot: u32,
  relu: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> sums: array<i32>;
@group(0) @binding(2) var<storage, read> stats: array<u32>;
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<storage, read_write> y: array<f32>;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let idx = gid.x + gid.y * nwg.x * WG;
  if (idx >= params.total) {
    return;
  }
  let f = bitcast<i32>(stats[2u * params.slot + 1u]);
  let v = ldexp(f32(sums[idx]), -f) + bias[idx % params.channels];
  y[idx] = select(v, max(v, 0.0), params.relu != 0u);
}
