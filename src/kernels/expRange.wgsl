// The smallest and largest biased float32 exponent among the non-zero elements of x (NaN and ±inf
// count as exponent 255, subnormals as 0), into range[0] and range[1]; range[0] = 256 and
// range[1] = 0 when every element is ±0. shiftConv2d.wgsl reads it to decide, for the whole layer,
// whether adding p to an activation's exponent bits is exact (see there).
// Dispatched as ONE workgroup (grid-stride over x), so range needs no clearing between passes.

override WG: u32 = 64;

struct Params {
  total: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> range: array<u32>;

var<workgroup> wmin: atomic<u32>;
var<workgroup> wmax: atomic<u32>;

@compute @workgroup_size(WG)
fn main(@builtin(local_invocation_index) lid: u32) {
  if (lid == 0u) {
    atomicStore(&wmin, 256u);
    atomicStore(&wmax, 0u);
  }
  workgroupBarrier();
  var lo = 256u;
  var hi = 0u;
  for (var i = lid; i < params.total; i += WG) {
    let b = bitcast<u32>(x[i]);
    let e = (b >> 23u) & 0xffu;
    let nonzero = (b << 1u) != 0u;
    lo = select(lo, min(lo, e), nonzero);
    hi = select(hi, max(hi, e), nonzero);
  }
  atomicMin(&wmin, lo);
  atomicMax(&wmax, hi);
  workgroupBarrier();
  if (lid == 0u) {
    range[0] = atomicLoad(&wmin);
    range[1] = atomicLoad(&wmax);
  }
}
