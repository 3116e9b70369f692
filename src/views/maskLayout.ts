/**
 * Where each weight of a kernel sits on the partition-mask canvas: one tile per output channel
 * (conv [kh, kw, in, out]: the in-channel kernels side by side; dense [in, out]: the inputs folded
 * into a near-square), tiles in a grid. Built once per layer shape; O(N), no per-weight calls.
 */

/** Pixel grid of a layer's mask: `indexAt[y * width + x]` is the weight index there, or −1 for padding. */
export interface MaskLayout {
  width: number;
  height: number;
  indexAt: Int32Array;
  /** Where weight i lives in the kernel, in words. */
  describe: (i: number) => string;
}

/** Lays out a kernel of the given shape (row-major, last axis fastest, as tfjs stores it). */
export function maskLayout(shape: readonly number[]): MaskLayout {
  const n = shape.reduce((a, b) => a * b, 1);
  // Every kernel is seen as [kh, kw, cin, cout] tiles; `nin` counts the real cells of one in-channel kernel.
  let kh: number, kw: number, cin: number, cout: number, kind: 'conv' | 'dense' | 'flat';
  let describe: (i: number) => string;
  if (shape.length === 4) {
    kind = 'conv';
    [kh, kw, cin, cout] = shape;
    describe = (i) => {
      const o = i % cout;
      const c = Math.floor(i / cout) % cin;
      const x = Math.floor(i / (cout * cin)) % kw;
      const y = Math.floor(i / (cout * cin * kw));
      return `kernel row ${y}, col ${x} · in-channel ${c} → out-channel ${o}`;
    };
  } else if (shape.length === 2) {
    kind = 'dense';
    const nout = shape[1];
    cin = 1;
    cout = nout;
    kw = Math.ceil(Math.sqrt(shape[0]));
    kh = Math.ceil(shape[0] / kw);
    describe = (i) => `input ${Math.floor(i / nout)} → output ${i % nout}`;
  } else {
    kind = 'flat';
    cin = 1;
    cout = 1;
    kw = Math.max(1, Math.ceil(Math.sqrt(2 * n)));
    kh = Math.max(1, Math.ceil(n / kw));
    describe = (i) => `weight ${i}`;
  }
  // In-channel kernels inside a tile: a near-square sub-grid, 1 px apart when kernels are 2-D.
  const subCols = Math.ceil(Math.sqrt(cin));
  const subRows = Math.ceil(cin / subCols);
  const gIn = cin > 1 && kh * kw > 1 ? 1 : 0;
  const tileW = subCols * kw + (subCols - 1) * gIn;
  const tileH = subRows * kh + (subRows - 1) * gIn;
  // Tiles: a grid about twice as wide as tall, 1 px apart (2 when tiles are big).
  const gap = cout > 1 ? (tileW * tileH > 64 ? 2 : 1) : 0;
  const cols = Math.max(1, Math.min(cout, Math.round(Math.sqrt((2 * cout * (tileH + gap)) / (tileW + gap)))));
  const rows = Math.ceil(cout / cols);
  const width = cols * tileW + (cols - 1) * gap;
  const height = rows * tileH + (rows - 1) * gap;
  const indexAt = new Int32Array(width * height).fill(-1);
  for (let o = 0; o < cout; o++) {
    const tx = (o % cols) * (tileW + gap);
    const ty = Math.floor(o / cols) * (tileH + gap);
    if (kind === 'conv') {
      for (let c = 0; c < cin; c++) {
        const sx = tx + (c % subCols) * (kw + gIn);
        const sy = ty + Math.floor(c / subCols) * (kh + gIn);
        for (let y = 0; y < kh; y++) {
          const row = (sy + y) * width + sx;
          let i = y * kw * cin * cout + c * cout + o;
          const step = cin * cout;
          for (let x = 0; x < kw; x++, i += step) indexAt[row + x] = i;
        }
      }
    } else {
      // dense: input j of output o is weight j·cout + o; flat: weight j (cout = 1).
      const nin = kind === 'dense' ? shape[0] : n;
      for (let j = 0; j < nin; j++) indexAt[(ty + Math.floor(j / kw)) * width + tx + (j % kw)] = j * cout + o;
    }
  }
  return { width, height, indexAt, describe };
}
