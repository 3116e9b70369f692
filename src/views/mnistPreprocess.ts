/**
 * A drawing as MNIST would have it: crop to the ink's bounding box, scale the longer side to 20 px
 * (area averaging, aspect kept), and place it in 28×28 so its centre of mass sits in the middle.
 * Pure and cheap (a 280×280 drawing takes well under a millisecond), so it runs on the main thread.
 */

/** MNIST's image side. */
export const MNIST_SIDE = 28;
/** MNIST's digits fit a box of this side before centring. */
export const MNIST_BOX = 20;

/** Grey values (0–1) of an RGBA image, from its red channel (the drawing is white on black). */
export function greyOfRgba(rgba: Uint8ClampedArray, width: number, height: number): Float32Array {
  const out = new Float32Array(width * height);
  for (let i = 0; i < out.length; i++) out[i] = rgba[4 * i] / 255;
  return out;
}

/** The ink's bounding box (pixels above `threshold`), or null for an empty drawing. */
export function inkBox(grey: Float32Array, width: number, height: number, threshold = 0.1): { x0: number; y0: number; x1: number; y1: number } | null {
  let x0 = width;
  let y0 = height;
  let x1 = -1;
  let y1 = -1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (grey[y * width + x] <= threshold) continue;
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      y1 = y;
    }
  }
  return x1 < 0 ? null : { x0, y0, x1, y1 };
}

/** Weights of the source pixels [0, n) over output pixel j of m (area averaging along one axis). */
function axisWeights(n: number, m: number): { from: number; weights: number[] }[] {
  const step = n / m;
  const out: { from: number; weights: number[] }[] = [];
  for (let j = 0; j < m; j++) {
    const a = j * step;
    const b = (j + 1) * step;
    const from = Math.floor(a);
    const weights: number[] = [];
    for (let i = from; i < Math.min(n, Math.ceil(b)); i++) weights.push((Math.min(b, i + 1) - Math.max(a, i)) / step);
    out.push({ from, weights });
  }
  return out;
}

/** Resamples a w×h region (top-left x0, y0) of a `stride`-wide image to tw×th by area averaging. */
export function resampleArea(grey: Float32Array, stride: number, x0: number, y0: number, w: number, h: number, tw: number, th: number): Float32Array {
  const wx = axisWeights(w, tw);
  const wy = axisWeights(h, th);
  // Rows first (h × tw), then columns (th × tw).
  const rows = new Float32Array(h * tw);
  for (let y = 0; y < h; y++) {
    const base = (y0 + y) * stride + x0;
    for (let j = 0; j < tw; j++) {
      const { from, weights } = wx[j];
      let s = 0;
      for (let k = 0; k < weights.length; k++) s += weights[k] * grey[base + from + k];
      rows[y * tw + j] = s;
    }
  }
  const out = new Float32Array(th * tw);
  for (let i = 0; i < th; i++) {
    const { from, weights } = wy[i];
    for (let j = 0; j < tw; j++) {
      let s = 0;
      for (let k = 0; k < weights.length; k++) s += weights[k] * rows[(from + k) * tw + j];
      out[i * tw + j] = s;
    }
  }
  return out;
}

/** Centre of mass (x, y) of a w×h image, in pixel units with pixel i spanning [i, i + 1). */
export function centreOfMass(img: Float32Array, w: number, h: number): { x: number; y: number } {
  let m = 0;
  let mx = 0;
  let my = 0;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const v = img[y * w + x];
      m += v;
      mx += v * (x + 0.5);
      my += v * (y + 0.5);
    }
  }
  return m > 0 ? { x: mx / m, y: my / m } : { x: w / 2, y: h / 2 };
}

/**
 * A width×height grey drawing (0–1, white ink on black) as a 28×28 MNIST-style image (0–1,
 * row-major), or null when nothing is drawn.
 */
export function toMnistImage(grey: Float32Array, width: number, height: number, threshold = 0.1): Float32Array | null {
  const box = inkBox(grey, width, height, threshold);
  if (!box) return null;
  const w = box.x1 - box.x0 + 1;
  const h = box.y1 - box.y0 + 1;
  const scale = MNIST_BOX / Math.max(w, h);
  const tw = Math.max(1, Math.min(MNIST_BOX, Math.round(w * scale)));
  const th = Math.max(1, Math.min(MNIST_BOX, Math.round(h * scale)));
  const small = resampleArea(grey, width, box.x0, box.y0, w, h, tw, th);
  const com = centreOfMass(small, tw, th);
  const half = MNIST_SIDE / 2;
  // Whole-pixel shift so the centre of mass lands on the middle, keeping the box inside the image.
  const ox = Math.min(MNIST_SIDE - tw, Math.max(0, Math.round(half - com.x)));
  const oy = Math.min(MNIST_SIDE - th, Math.max(0, Math.round(half - com.y)));
  const out = new Float32Array(MNIST_SIDE * MNIST_SIDE);
  for (let y = 0; y < th; y++) {
    for (let x = 0; x < tw; x++) out[(oy + y) * MNIST_SIDE + ox + x] = Math.min(1, Math.max(0, small[y * tw + x]));
  }
  return out;
}
