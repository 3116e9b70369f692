/** Colours per kind of quantity, in one place so every view and chart agrees (free, frozen, accuracy, loss, rounds, compared runs, axes). */

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
  /** One-shot accuracy: every weight snapped at once, no re-training (INQ's foil). */
  oneShot: '#cf222e',
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
  /** Accuracy with the random partition (the paper's ablation) in the bit-width sweep. */
  randomPartition: '#e8590c',
  /** Mean accuracy of an ensemble's members alone. */
  ensembleMember: '#8aa1b8',
  /** Chart axes and their lines. */
  axis: '#8c959f',
  /** Tick labels. */
  tick: '#57606a',
  /** Grid lines. */
  grid: '#eef1f4',
  /** Outline of a chart's points against the plot. */
  pointOutline: '#ffffff',
} as const;

/** One colour per compared run, in the order ticked (distinct in hue and lightness; none is the baseline's grey). */
export const RUN_COLORS = ['#1f6feb', '#e8590c', '#2b8a3e', '#9c36b5', '#c9a227', '#0b7285', '#c2255c', '#5c3d2e'] as const;

/** Colour of the i-th compared run. */
export function runColor(i: number): string {
  return RUN_COLORS[i % RUN_COLORS.length];
}

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

/** A #rrggbb colour with opacity `alpha` (0–1), as rgba() for a CSS background. */
export function withAlpha(hex: string, alpha: number): string {
  const v = Number.parseInt(hex.slice(1), 16);
  return `rgba(${(v >> 16) & 255}, ${(v >> 8) & 255}, ${v & 255}, ${Math.min(1, Math.max(0, alpha)).toFixed(3)})`;
}
