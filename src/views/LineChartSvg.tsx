/**
 * A small line chart in plain SVG: axes with round ticks, a line, one dot per point (hover shows its
 * value), and an optional dashed reference line. Used instead of recharts, whose updates cost
 * 20–60 ms of main-thread time each here (long tasks during a run).
 */
import { memo } from 'react';
import { linear, niceTicks } from './svgScale.ts';

/** One point of the line. */
export interface ChartPoint {
  x: number;
  y: number;
  /** Hover text of the point's dot. */
  title: string;
}

/** What to draw. */
export interface LineChartSvgProps {
  points: readonly ChartPoint[];
  xDomain: [number, number];
  xTicks: readonly number[];
  yDomain: [number, number];
  yFormat: (v: number) => string;
  color: string;
  /** Horizontal reference line (e.g. the float baseline). */
  reference?: { y: number; label: string; color: string } | null;
  xLabel?: string;
  /** x of the point to ring (the round the other views show). */
  highlightX?: number | null;
  height?: number;
  /** Accessible description of the whole chart. */
  label: string;
}

const W = 400;
const M = { left: 42, right: 12, top: 10, bottom: 20 };

/** The chart; memoised, so it redraws only when its data changes. */
export const LineChartSvg = memo(function LineChartSvg(p: LineChartSvgProps) {
  const H = p.height ?? 200;
  const sx = linear(p.xDomain[0], p.xDomain[1], M.left, W - M.right);
  const sy = linear(p.yDomain[0], p.yDomain[1], H - M.bottom, M.top);
  const yTicks = niceTicks(p.yDomain[0], p.yDomain[1], 5);
  const line = p.points.map((pt, i) => `${i ? 'L' : 'M'}${sx(pt.x).toFixed(1)},${sy(pt.y).toFixed(1)}`).join('');
  const ref = p.reference && p.reference.y >= p.yDomain[0] && p.reference.y <= p.yDomain[1] ? p.reference : null;
  return (
    <svg className="line-chart" viewBox={`0 0 ${W} ${H}`} role="img" aria-label={p.label}>
      {yTicks.map((v) => (
        <g key={v}>
          <line x1={M.left} x2={W - M.right} y1={sy(v)} y2={sy(v)} stroke="#eef1f4" />
          <text x={M.left - 5} y={sy(v) + 3.5} textAnchor="end" className="tick" fill="#57606a">
            {p.yFormat(v)}
          </text>
        </g>
      ))}
      {p.xTicks.map((v) => (
        <text key={v} x={sx(v)} y={H - 7} textAnchor="middle" className="tick" fill="#57606a">
          {v}
        </text>
      ))}
      {p.xLabel && (
        <text x={M.left - 5} y={H - 7} textAnchor="end" className="tick" fill="#8c959f">
          {p.xLabel}
        </text>
      )}
      <line x1={M.left} x2={W - M.right} y1={H - M.bottom} y2={H - M.bottom} stroke="#8c959f" />
      {ref && (
        <g>
          <line x1={M.left} x2={W - M.right} y1={sy(ref.y)} y2={sy(ref.y)} stroke={ref.color} strokeDasharray="5 4" />
          <text x={(M.left + W - M.right) / 2} y={sy(ref.y) + (sy(ref.y) > H - M.bottom - 14 ? -5 : 12)} textAnchor="middle" className="tick halo" fill={ref.color}>
            {ref.label}
          </text>
        </g>
      )}
      {line && <path d={line} fill="none" stroke={p.color} strokeWidth={2} />}
      {p.points
        .filter((pt) => pt.x === p.highlightX)
        .map((pt) => (
          <circle key="ring" cx={sx(pt.x)} cy={sy(pt.y)} r={7.5} fill="none" stroke={p.color} strokeWidth={1.5} />
        ))}
      {p.points.map((pt) => (
        <circle key={pt.x} className="point" cx={sx(pt.x)} cy={sy(pt.y)} r={4} fill={p.color} stroke="#fff" strokeWidth={1}>
          <title>{pt.title}</title>
        </circle>
      ))}
    </svg>
  );
});
