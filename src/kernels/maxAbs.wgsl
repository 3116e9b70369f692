// max |x| over a whole buffer, as float32 bits (non-negative floats order like their u32 bits),
// into stats[2·slot]; the F rule of the next layer is computed from it (quantizeFixed.wgsl).
// stats must be zeroed before the first dispatch of a forward pass. Dispatched 1-D, grid-stride.

override WG: u32 = 64;

struct Params {
  total: u32,
  slot: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> stats: array<atomic<u32>>;

// Zero-initialised per workgroup by WGSL; one global atomic per workgroup instead of per element.
var<workgroup> wmax: atomic<u32>;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(local_invocation_index) lid: u32,
        @builtin(num_workgroups) nwg: vec3u) {
  var m = 0u;
  let stride = nwg.x * WG;
  for (var i = gid.x; i < params.total; i += stride) {
    m = max(m, bitcast<u32>(abs(x[i])));
  }
  atomicMax(&wmax, m);
  workgroupBarrier();
  if (lid == 0u) {
    atomicMax(&stats[2u * params.slot], atomicLoad(&wmax));
  }
}
