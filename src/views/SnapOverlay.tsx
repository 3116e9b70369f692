/**
 * The snap, seen: over one layer's histogram, the weights chosen this round as dots at their float
 * values (partition), then travelling to their levels in about a second (quantize), where the
 * histogram's spikes take over. Canvas pixels written directly each frame: tens of thousands of dots
 * take a millisecond or two a frame, where as many SVG nodes (or fillRect calls) would not animate smoothly.
 */
import { useEffect, useMemo, useRef } from 'react';
import type { LayerInfo, LayerSnapshot } from '../engine/types.ts';
import { COLORS, pixelOf } from './colors.ts';
import { HISTOGRAM_BOX, histogramAxis } from './WeightHistograms.tsx';

/** How long the dots travel, and how long they then stay before fading. */
export const SNAP_MS = 1000;
const HOLD_MS = 500;
const FADE_MS = 400;
/** Most dots drawn (a larger layer's chosen weights are sampled evenly). */
export const MAX_DOTS = 60_000;

/** Where the dots start and end, in the histogram's viewBox units. */
export interface SnapPaths {
  x0: Float32Array;
  x1: Float32Array;
  y: Float32Array;
}

/** A fixed height in [0, 1) per weight index, so a dot keeps its row while it moves. */
function rowOf(i: number): number {
  let h = Math.imul(i ^ 0x9e3779b9, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) / 4294967296;
}

/** The chosen weights of `round` (from `to`'s freeze rounds), from their values in `from` to those in `to`. */
export function snapPaths(info: LayerInfo, from: LayerSnapshot, to: LayerSnapshot, round: number, log: boolean): SnapPaths {
  const { sx } = histogramAxis(info, to, log);
  const { margin: M, plotWidth, plotHeight } = HISTOGRAM_BOX;
  const chosen: number[] = [];
  for (let i = 0; i < to.frozenRound.length; i++) if (to.frozenRound[i] === round) chosen.push(i);
  const stride = Math.max(1, Math.ceil(chosen.length / MAX_DOTS));
  const n = Math.ceil(chosen.length / stride);
  const x0 = new Float32Array(n);
  const x1 = new Float32Array(n);
  const y = new Float32Array(n);
  const clamp = (x: number): number => Math.min(M.left + plotWidth, Math.max(M.left, x));
  for (let k = 0; k < n; k++) {
    const i = chosen[k * stride];
    x0[k] = clamp(sx(from.weights[i]));
    x1[k] = clamp(sx(to.weights[i]));
    y[k] = M.top + plotHeight * (0.06 + 0.84 * rowOf(i));
  }
  return { x0, x1, y };
}

const ease = (t: number): number => (t < 0.5 ? 4 * t * t * t : 1 - (-2 * t + 2) ** 3 / 2);

/**
 * The dots over a histogram. `moving`: animate from x0 to x1 once when the paths change (quantize);
 * otherwise they stay at x0 (partition). Respects reduced motion (jumps to the end).
 */
export function SnapOverlay({ info, from, to, round, log, moving }: { info: LayerInfo; from: LayerSnapshot; to: LayerSnapshot; round: number; log: boolean; moving: boolean }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const paths = useMemo(() => snapPaths(info, from, to, round, log), [info, from, to, round, log]);

  useEffect(() => {
    const el = canvas.current;
    const ctx = el?.getContext('2d');
    if (!el || !ctx) return;
    // The SVG below keeps its aspect ratio and centres it in its box: map the viewBox the same way.
    const dpr = window.devicePixelRatio || 1;
    const cw = el.clientWidth;
    const ch = el.clientHeight;
    el.width = Math.round(cw * dpr);
    el.height = Math.round(ch * dpr);
    const scale = Math.min(cw / HISTOGRAM_BOX.width, ch / HISTOGRAM_BOX.height);
    const ox = (cw - HISTOGRAM_BOX.width * scale) / 2;
    const oy = (ch - HISTOGRAM_BOX.height * scale) / 2;
    const { x0, x1, y } = paths;
    const n = x0.length;
    // Pixels written straight into an ImageData (a fillRect per dot costs microseconds each: tens of ms a frame at 24,000).
    const img = ctx.createImageData(el.width, el.height);
    const px = new Uint32Array(img.data.buffer);
    const rgb = pixelOf(COLORS.frozenNow) & 0x00ffffff;
    const dot = Math.max(1, Math.round((n > 20_000 ? 1 : 1.5) * dpr));
    const base = n > 20_000 ? 0.45 : n > 3000 ? 0.6 : 0.85;
    const draw = (t: number, alpha: number): void => {
      px.fill(0);
      if (alpha > 0) {
        const colour = (rgb | (Math.round(255 * alpha * base) << 24)) >>> 0;
        const e = ease(t);
        const w = el.width;
        const h = el.height;
        for (let k = 0; k < n; k++) {
          const x = Math.round((ox + (x0[k] + (x1[k] - x0[k]) * e) * scale) * dpr);
          const yy = Math.round((oy + y[k] * scale) * dpr);
          for (let dy = 0; dy < dot; dy++) {
            const row = yy + dy;
            if (row < 0 || row >= h) continue;
            for (let dx = 0; dx < dot; dx++) {
              const col = x + dx;
              if (col >= 0 && col < w) px[row * w + col] = colour;
            }
          }
        }
      }
      ctx.putImageData(img, 0, 0);
    };
    const reduced = window.matchMedia?.('(prefers-reduced-motion: reduce)').matches ?? false;
    if (!moving) {
      el.dataset.state = 'chosen';
      draw(0, 1);
      return;
    }
    if (reduced) {
      el.dataset.state = 'landed';
      draw(1, 0);
      return;
    }
    let raf = 0;
    const t0 = performance.now();
    el.dataset.state = 'moving';
    const frame = (now: number): void => {
      const dt = now - t0;
      if (dt < SNAP_MS) draw(dt / SNAP_MS, 1);
      else if (dt < SNAP_MS + HOLD_MS) draw(1, 1);
      else if (dt < SNAP_MS + HOLD_MS + FADE_MS) draw(1, 1 - (dt - SNAP_MS - HOLD_MS) / FADE_MS);
      else {
        draw(1, 0);
        el.dataset.state = 'landed';
        return;
      }
      raf = requestAnimationFrame(frame);
    };
    raf = requestAnimationFrame(frame);
    return () => cancelAnimationFrame(raf);
  }, [paths, moving]);

  return <canvas ref={canvas} className="snap-overlay" data-testid="snap-overlay" data-dots={paths.x0.length} aria-hidden="true" />;
}
