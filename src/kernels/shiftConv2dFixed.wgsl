// Shift-only conv2d, fixed-shift mode: i32 activations with F fractional bits (quantizeFixed.wgsl),
// each term an arithmetic shift x << p or x >> −p, summed in i32 (the F rule in src/inq/shiftRef.ts
// keeps the sum below 2^31). Output: raw i32 sums; dequantBiasRelu.wgsl converts them back.
// CPU twin: conv2dShiftFixed in src/inq/shiftRef.ts — bit-exact (same terms, same order ky, kx, ic).
//
// The weights come pre-decoded (shiftConvDecode.wgsl, fixed = 1): per weight the shifts L and R
// (one of them 0), the sign and a non-zero flag in a 16-bit field, so a term is
// ((((x << L) >> R) ^ S) − S) & M with S, M all-ones or 0: no variable-width bit extraction and no
// branch in the inner loop. Work split as in shiftConv2d.wgsl: one invocation = 4 neighbouring
// output pixels of a row × 8 channels.

override WG: u32 = 64;

struct Params {
  groups: u32,    // batch · octs · pixBlocks workgroups
  pixBlocks: u32, // ceil(outH · ceil(outW / 4) / WG)
  octs: u32,      // ceil(outC / 8)
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
}

@group(0) @binding(0) var<uniform> params: Params;
// One vec4 per (ky, kx, ic, oct): 8 weights as 16-bit fields; see shiftConvDecode.wgsl.
@group(0) @binding(1) var<storage, read> table: array<vec4<u32>>;
@group(0) @binding(2) var<storage, read> x: array<i32>;
@group(0) @binding(3) var<storage, read_write> y: array<i32>;

// The quantized input at a tap, or 0 for a tap in the padding.
fn tap(ok: bool, i: u32) -> i32 {
  return select(0, x[select(0u, i, ok)], ok);
}

// Four terms: shift, then negate, then mask (l, r: shifts; s, m: sign and non-zero masks).
fn terms(v: i32, l: vec4<u32>, r: vec4<u32>, s: vec4<i32>, m: vec4<i32>) -> vec4<i32> {
  let t = (vec4<i32>(v) << l) >> r;
  return ((t ^ s) - s) & m;
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let g = wid.x + wid.y * nwg.x;
  if (g >= params.groups) {
    return;
  }
  let pb = g % params.pixBlocks;
  let r = g / params.pixBlocks;
  let oct = r % params.octs;
  let n = r / params.octs;
  let quadsPerRow = (params.outW + 3u) / 4u;
  let q = pb * WG + lid;
  let live = q < params.outH * quadsPerRow;
  let oy = q / quadsPerRow;
  let ox0 = (q % quadsPerRow) * 4u;
  let st = params.stride;
  let iy0 = i32(oy * st) - i32(params.padTop);
  let ix0 = i32(ox0 * st) - i32(params.padLeft);
  let inC = params.inC;
  let inW = i32(params.inW);
  let octs = params.octs;

  var a0l = vec4<i32>(0);
  var a0h = vec4<i32>(0);
  var a1l = vec4<i32>(0);
  var a1h = vec4<i32>(0);
  var a2l = vec4<i32>(0);
  var a2h = vec4<i32>(0);
  var a3l = vec4<i32>(0);
  var a3h = vec4<i32>(0);
  for (var ky = 0u; ky < params.kh; ky++) {
    let iy = iy0 + i32(ky);
    let rowOk = live && iy >= 0 && iy < i32(params.inH);
    let rowBase = (n * params.inH + u32(max(iy, 0))) * params.inW;
    for (var kx = 0u; kx < params.kw; kx++) {
      let ix = ix0 + i32(kx);
      let ix1 = ix + i32(st);
      let ix2 = ix1 + i32(st);
      let ix3 = ix2 + i32(st);
      let ok0 = rowOk && ix >= 0 && ix < inW && ox0 < params.outW;
      let ok1 = rowOk && ix1 >= 0 && ix1 < inW && ox0 + 1u < params.outW;
      let ok2 = rowOk && ix2 >= 0 && ix2 < inW && ox0 + 2u < params.outW;
      let ok3 = rowOk && ix3 >= 0 && ix3 < inW && ox0 + 3u < params.outW;
      let b0 = (rowBase + u32(max(ix, 0))) * inC;
      let b1 = (rowBase + u32(max(ix1, 0))) * inC;
      let b2 = (rowBase + u32(max(ix2, 0))) * inC;
      let b3 = (rowBase + u32(max(ix3, 0))) * inC;
      var t = ((ky * params.kw + kx) * inC) * octs + oct;
      for (var ic = 0u; ic < inC; ic++) {
        let w = table[t];
        t += octs;
        let wh = w >> vec4<u32>(16u);
        let ll = w & vec4<u32>(31u);
        let rl = (w >> vec4<u32>(5u)) & vec4<u32>(31u);
        let sl = bitcast<vec4<i32>>(w << vec4<u32>(21u)) >> vec4<u32>(31u);
        let ml = bitcast<vec4<i32>>(w << vec4<u32>(20u)) >> vec4<u32>(31u);
        let lh = wh & vec4<u32>(31u);
        let rh = (wh >> vec4<u32>(5u)) & vec4<u32>(31u);
        let sh = bitcast<vec4<i32>>(w << vec4<u32>(5u)) >> vec4<u32>(31u);
        let mh = bitcast<vec4<i32>>(w << vec4<u32>(4u)) >> vec4<u32>(31u);
        let v0 = tap(ok0, b0 + ic);
        let v1 = tap(ok1, b1 + ic);
        let v2 = tap(ok2, b2 + ic);
        let v3 = tap(ok3, b3 + ic);
        a0l += terms(v0, ll, rl, sl, ml);
        a0h += terms(v0, lh, rh, sh, mh);
        a1l += terms(v1, ll, rl, sl, ml);
        a1h += terms(v1, lh, rh, sh, mh);
        a2l += terms(v2, ll, rl, sl, ml);
        a2h += terms(v2, lh, rh, sh, mh);
        a3l += terms(v3, ll, rl, sl, ml);
        a3h += terms(v3, lh, rh, sh, mh);
      }
    }
  }
  if (!live) {
    return;
  }
  let oc0 = oct * 8u;
  let rowOut = (n * params.outH + oy) * params.outW;
  store(rowOut, ox0, oc0, a0l, a0h);
  store(rowOut, ox0 + 1u, oc0, a1l, a1h);
  store(rowOut, ox0 + 2u, oc0, a2l, a2h);
  store(rowOut, ox0 + 3u, oc0, a3l, a3h);
}

// The store of one pixel's 8 channel sums (those that exist).
fn store(rowOut: u32, ox: u32, oc0: u32, lo: vec4<i32>, hi: vec4<i32>) {
  if (ox >= params.outW) {
    return;
  }
  let base = (rowOut + ox) * params.outC;
  for (var j = 0u; j < 8u; j++) {
    let oc = oc0 + j;
    if (oc < params.outC) {
      y[base + oc] = select(hi[j & 3u], lo[j & 3u], j < 4u);
    }
  }
}
