/**
 * The one line chart of the page (values against rounds, epochs, bits or ensemble size), drawn by
 * recharts: axes, grid, one line with dots per series, dashed reference lines (the float model),
 * a tooltip and a legend. Memoised, so it redraws only when its own props change. Never animated:
 * an animated line re-renders every frame for a second and a half, which a round's end can't afford.
 *
 * Every change of its props, data or not (the ringed round, the float line, the x range at a
 * run's start), reaches recharts later as a yielding update (useStaggered): a recharts
 * update is tens of milliseconds of main-thread work on a slow machine, more than one task may take.
 */
import { memo, startTransition, useEffect, useMemo, useRef, useState } from 'react';
import { Area, CartesianGrid, ComposedChart, Line, ReferenceDot, ReferenceLine, Tooltip, XAxis, YAxis } from 'recharts';
import { COLORS } from '../colors.ts';
import { useStaggered } from '../useStaggered.ts';

/** One point of a series. */
export interface LinePoint {
  x: number;
  y: number;
}

/** One line. */
export interface LineSeries {
  /** Stable identity (a run id, a strategy). */
  id: string;
  /** What the legend and the tooltip call it. */
  name: string;
  color: string;
  points: readonly LinePoint[];
  /** A shaded interval around the line (a repeat's 95 % band), where it has one. */
  band?: readonly { x: number; lo: number; hi: number }[];
}

/** A dashed horizontal line (e.g. the float model's accuracy). */
export interface ReferenceY {
  y: number;
  label: string;
  color: string;
}

/** What to draw. */
export interface LineChartProps {
  series: readonly LineSeries[];
  xDomain: [number, number];
  xTicks: readonly number[];
  xLabel: string;
  yDomain: [number, number];
  /** The y ticks (default: recharts' own within yDomain). */
  yTicks?: readonly number[];
  /** Tick and tooltip text of a y value. */
  yFormat: (v: number) => string;
  /** Tooltip heading of an x value (e.g. "round 2 (75 % frozen)"). */
  xTitle?: (x: number) => string;
  /** Tick text of an x value (default: the number). */
  xFormat?: (x: number) => string;
  references?: readonly ReferenceY[];
  /** x of the point to ring on the first series (the round the other views show). */
  highlightX?: number | null;
  /** Draw a legend below the plot (charts with one series say what it is in their caption instead). */
  legend?: boolean;
  height: number;
  /** Accessible description of the whole chart. */
  label: string;
  /** Its stagger slot (useStaggered's SLOTS) and the name its updates are timed under. */
  slot: number;
  measure?: string;
}

// Every prop handed to recharts is stable between updates (module constants or memoised): recharts keeps
// each axis', line's and tooltip's settings in its own store, and a new object there recomputes them all.
const MARGIN = { top: 10, right: 16, bottom: 4, left: 0 };
const TICK = { fontSize: 11, fill: COLORS.tick };
const TOOLTIP_STYLE = { fontSize: 12, padding: '4px 8px', borderColor: COLORS.axis };
const ACTIVE_DOT = { r: 5.5 };

/**
 * Row per x with one key per series (`s0`, `s1`, …) and per band (`b0`: [lo, hi], a range recharts'
 * Area shades): recharts' data shape. Series keys are indices, never user text.
 */
function rowsOf(series: readonly LineSeries[]): Record<string, number | [number, number]>[] {
  const byX = new Map<number, Record<string, number | [number, number]>>();
  const rowAt = (x: number): Record<string, number | [number, number]> => {
    let row = byX.get(x);
    if (!row) byX.set(x, (row = { x }));
    return row;
  };
  series.forEach((s, i) => {
    for (const p of s.points) rowAt(p.x)[`s${i}`] = p.y;
    for (const b of s.band ?? []) rowAt(b.x)[`b${i}`] = [b.lo, b.hi];
  });
  return [...byX.values()].sort((a, b) => (a.x as number) - (b.x as number));
}

/**
 * The legend, a labelled list below the plot. Not recharts' Legend: that one measures its box after
 * every commit (a forced layout of the page) and sets state again, a long task at a round's end.
 */
function LegendList({ series }: { series: readonly LineSeries[] }) {
  return (
    <ul className="chart-legend" aria-label="Legend">
      {series.map((s) => (
        <li key={s.id}>
          <span className="swatch" style={{ background: s.color }} /> {s.name}
        </li>
      ))}
    </ul>
  );
}

/**
 * The width of an element, followed as it changes. Not recharts' ResponsiveContainer: its resize
 * updates render the whole chart at default priority, in one task; here a new width is a
 * transition like every other change of the chart.
 */
function useWidth(): [React.RefObject<HTMLDivElement | null>, number] {
  const ref = useRef<HTMLDivElement | null>(null);
  const [width, setWidth] = useState(0);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    // The observer reports the first width too, after layout: no forced layout and no synchronous
    // re-render when a chart mounts (the compare chart mounts on a click during a run).
    const ro = new ResizeObserver((entries) => {
      const w = Math.floor(entries[entries.length - 1].contentRect.width);
      startTransition(() => setWidth(w));
    });
    ro.observe(el);
    return () => ro.disconnect();
  }, []);
  return [ref, width];
}

/** The chart: its box at once, the recharts drawing of its props when the yielding update lands. */
export const LineChart = memo(function LineChart(p: LineChartProps) {
  const shown = useStaggered(p, p.slot, p.measure, 'yielding');
  const [box, width] = useWidth();
  // The same element while nothing new has landed, so re-rendering the box leaves recharts alone.
  const chart = useMemo(() => (shown && width > 0 ? <RechartsDrawing {...shown} width={width} /> : null), [shown, width]);
  return (
    <div className="line-chart" ref={box} style={{ minHeight: p.height }}>
      {chart}
      {p.legend && <LegendList series={p.series} />}
    </div>
  );
});

function RechartsDrawing(p: LineChartProps & { width: number }) {
  const rows = useMemo(() => rowsOf(p.series), [p.series]);
  const refs = useMemo(() => (p.references ?? []).filter((r) => r.y >= p.yDomain[0] && r.y <= p.yDomain[1]), [p.references, p.yDomain]);
  const first = p.series[0];
  const ring = p.highlightX == null || !first ? undefined : first.points.find((pt) => pt.x === p.highlightX);
  const { yFormat, xTitle, xLabel } = p;
  const xAxisLabel = useMemo(() => ({ value: xLabel, position: 'insideBottomLeft' as const, offset: -2, dx: -34, fontSize: 11, fill: COLORS.axis }), [xLabel]);
  const tooltipLabel = useMemo(() => (x: unknown) => (xTitle ? xTitle(Number(x)) : String(x)), [xTitle]);
  const tooltipValue = useMemo(() => (v: unknown) => yFormat(Number(v)), [yFormat]);
  const dots = useMemo(() => p.series.map((s) => ({ r: 3.5, fill: s.color, stroke: COLORS.pointOutline, strokeWidth: 1 })), [p.series]);
  const refLabels = useMemo(() => refs.map((r) => ({ value: r.label, position: 'top' as const, fontSize: 11, fill: r.color })), [refs]);
  return (
    <ComposedChart data={rows} width={p.width} height={p.height} margin={MARGIN} role="img" title={p.label}>
        <CartesianGrid stroke={COLORS.grid} vertical={false} />
        <XAxis
          dataKey="x"
          type="number"
          domain={p.xDomain}
          ticks={p.xTicks as number[]}
          interval={0}
          allowDecimals={false}
          tick={TICK}
          tickFormatter={p.xFormat}
          stroke={COLORS.axis}
          label={xAxisLabel}
        />
        {/* interval 0: show the ticks as computed, without measuring each label's text in the DOM (a forced layout per tick). */}
        <YAxis domain={p.yDomain} ticks={p.yTicks as number[] | undefined} interval={0} tickFormatter={yFormat} tick={TICK} stroke={COLORS.axis} width={54} allowDataOverflow />
        <Tooltip isAnimationActive={false} contentStyle={TOOLTIP_STYLE} labelFormatter={tooltipLabel} formatter={tooltipValue} />
        {refs.map((r, i) => (
          <ReferenceLine
            key={`ref-${i}`}
            y={r.y}
            stroke={r.color}
            strokeDasharray="5 4"
            ifOverflow="discard"
            label={refLabels[i]}
          />
        ))}
        {p.series.map((s, i) =>
          s.band ? (
            <Area
              key={`band-${s.id}`}
              dataKey={`b${i}`}
              name={`${s.name} (95 % interval)`}
              type="linear"
              stroke="none"
              fill={s.color}
              fillOpacity={0.18}
              tooltipType="none"
              activeDot={false}
              connectNulls
              isAnimationActive={false}
            />
          ) : null,
        )}
        {p.series.map((s, i) => (
          <Line
            key={s.id}
            dataKey={`s${i}`}
            name={s.name}
            type="linear"
            stroke={s.color}
            strokeWidth={2}
            dot={dots[i]}
            activeDot={ACTIVE_DOT}
            connectNulls
            isAnimationActive={false}
          />
        ))}
        {ring && first && <ReferenceDot x={ring.x} y={ring.y} r={7.5} fill="none" stroke={first.color} strokeWidth={1.5} ifOverflow="discard" />}
    </ComposedChart>
  );
}
