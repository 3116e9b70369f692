/** Colours per kind of quantity, in one place so every view agrees (free, frozen, accuracy, loss, rounds). */

/** One colour per kind of quantity shown on the page. */
export const COLORS = {
  /** Free (still float, re-trained) weights: histogram bars. */
  free: '#8aa1b8',
  /** Free weights on the mask, lighter so frozen cells stand out. */
  freeCell: '#c3cedb',
  /** Weights frozen in the round being shown. */
  frozenNow: '#e8590c',
  /** Weights frozen in an earlier round. */
  frozenEarlier: '#1f4e79',
  /** Frozen weights as spikes on their power-of-two levels. */
  frozen: '#1f4e79',
  /** Level positions ±2^n1 … ±2^n2. */
  level: '#c9a227',
  /** Weights pruned before INQ (frozen at zero). */
  pruned: '#f1f3f5',
  /** Padding between mask tiles. */
  gap: '#ffffff',
  /** Test accuracy of the quantized model. */
  accuracy: '#2b8a3e',
  /** Float (pre-trained) accuracy, the reference. */
  baseline: '#6e7781',
  /** Training loss. */
  loss: '#9c36b5',
  /** Progress bars. */
  progress: '#1f6feb',
  /** Draw-a-digit: the float (pre-trained) model's probabilities. */
  floatModel: '#6e7781',
  /** Draw-a-digit: the quantized model's probabilities on the shift kernels. */
  shiftModel: '#1f4e79',
  /** Errors and invalid input. */
  error: '#cf222e',
} as const;

/** Colour of round k (1-based) of K in the schedule bar: from light to dark as more weights freeze. */
export function roundColor(k: number, total: number): string {
  const t = total <= 1 ? 1 : (k - 1) / (total - 1);
  const hue = 205 - 25 * t;
  const light = 72 - 42 * t;
  return `hsl(${hue.toFixed(0)} 60% ${light.toFixed(0)}%)`;
}

/** Packs a #rrggbb colour as a little-endian RGBA pixel for a Uint32Array view of ImageData. */
export function pixelOf(hex: string): number {
  const v = Number.parseInt(hex.slice(1), 16);
  const r = (v >> 16) & 255;
  const g = (v >> 8) & 255;
  const b = v & 255;
  return ((255 << 24) | (b << 16) | (g << 8) | r) >>> 0;
}
