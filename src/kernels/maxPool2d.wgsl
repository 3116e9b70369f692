// Max-pool 2×2, stride 2, 'valid' on NHWC float activations (odd trailing rows/columns dropped,
// as in tfjs). CPU twin: maxPool2x2 in src/inq/shiftRef.ts.

override WG: u32 = 64;

struct Params {
  total: u32,   // batch · outH · outW · c
  inH: u32,
  inW: u32,
  c: u32,
  outH: u32,
  outW: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let idx = gid.x + gid.y * nwg.x * WG;
  if (idx >= params.total) {
    return;
  }
  let ch = idx % params.c;
  var r = idx / params.c;
  let ox = r % params.outW;
  r = r / params.outW;
  let oy = r % params.outH;
  let n = r / params.outH;
  let i = ((n * params.inH + 2u * oy) * params.inW + 2u * ox) * params.c + ch;
  let row = params.inW * params.c;
  y[idx] = max(max(x[i], x[i + params.c]), max(x[i + row], x[i + row + params.c]));
}
