/**
 * Several lines on one plain-SVG chart (the compare view's accuracy curves): axes with round ticks,
 * one coloured line with dots per series (hover shows each value), and dashed reference lines.
 * LineChartSvg's single-series sibling; same scales and styling.
 */
import { memo } from 'react';
import type { ChartPoint } from './LineChartSvg.tsx';
import { linear, niceTicks } from './svgScale.ts';

/** One line. */
export interface ChartSeries {
  key: string;
  color: string;
  points: readonly ChartPoint[];
}

/** What to draw. */
export interface MultiLineChartSvgProps {
  series: readonly ChartSeries[];
  xDomain: [number, number];
  xTicks: readonly number[];
  yDomain: [number, number];
  yFormat: (v: number) => string;
  /** Dashed horizontal lines (e.g. float baselines). */
  references?: readonly { y: number; label: string; color: string }[];
  xLabel?: string;
  /** viewBox size: the chart scales to its box, so a wide card wants a wide viewBox to keep the text small. */
  width?: number;
  height?: number;
  /** Accessible description of the whole chart. */
  label: string;
}

const M = { left: 42, right: 12, top: 10, bottom: 20 };

/** The chart; memoised, so it redraws only when its data changes. */
export const MultiLineChartSvg = memo(function MultiLineChartSvg(p: MultiLineChartSvgProps) {
  const W = p.width ?? 480;
  const H = p.height ?? 240;
  const sx = linear(p.xDomain[0], p.xDomain[1], M.left, W - M.right);
  const sy = linear(p.yDomain[0], p.yDomain[1], H - M.bottom, M.top);
  const yTicks = niceTicks(p.yDomain[0], p.yDomain[1], 5);
  const refs = (p.references ?? []).filter((r) => r.y >= p.yDomain[0] && r.y <= p.yDomain[1]);
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
      {refs.map((r, i) => (
        <g key={`ref-${i}`} data-reference={r.y}>
          <line x1={M.left} x2={W - M.right} y1={sy(r.y)} y2={sy(r.y)} stroke={r.color} strokeDasharray="5 4" />
          <text
            x={W - M.right - 4}
            y={sy(r.y) + (sy(r.y) > H - M.bottom - 14 ? -5 : 12) + i * 12}
            textAnchor="end"
            className="tick halo"
            fill={r.color}
          >
            {r.label}
          </text>
        </g>
      ))}
      {p.series.map((s) => (
        <g key={s.key} data-series={s.key}>
          {s.points.length > 0 && (
            <path
              d={s.points.map((pt, i) => `${i ? 'L' : 'M'}${sx(pt.x).toFixed(1)},${sy(pt.y).toFixed(1)}`).join('')}
              fill="none"
              stroke={s.color}
              strokeWidth={2}
            />
          )}
          {s.points.map((pt) => (
            <circle key={pt.x} className="point" cx={sx(pt.x)} cy={sy(pt.y)} r={3.5} fill={s.color} stroke="#fff" strokeWidth={1}>
              <title>{pt.title}</title>
            </circle>
          ))}
        </g>
      ))}
    </svg>
  );
});
