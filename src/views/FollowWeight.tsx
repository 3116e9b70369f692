/**
 * Follow one weight: the one whose mask cell was clicked, its value through the run against its
 * level (the shared recharts line chart), the round it froze in and the level it took.
 */
import { useMemo } from 'react';
import { usePlayground } from '../store/store.ts';
import type { PlaygroundState } from '../store/types.ts';
import { PRUNED_ROUND } from '../engine/types.ts';
import { COLORS } from './colors.ts';
import { levelText } from './format.ts';
import { LineChart, type LineSeries, type ReferenceY } from './shared/LineChart.tsx';
import { SLOTS } from './useStaggered.ts';
import { maskLayout } from './maskLayout.ts';
import { weightPath } from './weightTrail.ts';

const selectPinned = (s: PlaygroundState) => s.pinned;
const selectTrail = (s: PlaygroundState) => s.trail;
const selectRounds = (s: PlaygroundState) => s.rounds;
const valueText = (v: number): string => (v === 0 ? '0' : String(Number(v.toPrecision(3))));

/** The followed weight's card body (a hint until a mask cell is clicked). */
export function FollowWeight({ height = 150 }: { height?: number }) {
  const pinned = usePlayground(selectPinned);
  const info = usePlayground((s) => (s.pinned ? (s.layers.find((l) => l.name === s.pinned?.layer) ?? null) : null));
  const trail = usePlayground(selectTrail);
  const rounds = usePlayground(selectRounds);
  const pinWeight = usePlayground((s) => s.pinWeight);
  const path = useMemo(() => (info && pinned ? weightPath(info, pinned.index, trail, rounds) : null), [info, pinned, trail, rounds]);
  const where = useMemo(() => (info && pinned ? maskLayout(info.shape).describe(pinned.index) : ''), [info, pinned]);
  const series = useMemo((): LineSeries[] => (path ? [{ id: 'weight', name: 'value', color: COLORS.frozenNow, points: path.points.map((p, i) => ({ x: i, y: p.value })) }] : []), [path]);
  const references = useMemo((): ReferenceY[] => (path ? [{ y: path.level, label: `level ${levelText(path.level)}`, color: COLORS.level }] : []), [path]);
  const yDomain = useMemo((): [number, number] => {
    if (!path) return [0, 1];
    const vs = [...path.points.map((p) => p.value), path.level];
    const lo = Math.min(...vs);
    const hi = Math.max(...vs);
    const pad = Math.max((hi - lo) * 0.15, Math.abs(hi) * 0.05, 1e-4);
    return [lo - pad, hi + pad];
  }, [path]);
  const xTicks = useMemo(() => (path ? path.points.flatMap((p, i) => (i === 0 || p.label.endsWith('snap') || p.label.startsWith('round') ? [i] : [])) : []), [path]);
  const xTitle = useMemo(() => (x: number): string => path?.points[x]?.label ?? '', [path]);
  // Ticks fall on the start and each snap: "r2" there (the tooltip names every point in full).
  const xFormat = useMemo(() => (x: number): string => {
    const p = path?.points[x];
    return !p ? '' : p.label.startsWith('r') && p.label.endsWith(' snap') ? p.label.slice(0, -5) : p.label;
  }, [path]);

  if (!pinned || !info || !path) {
    return (
      <p className="hint" data-testid="follow-weight-hint">
        Click a cell of the mask to follow that weight through the run: its value after each phase against its level, and the round it froze.
      </p>
    );
  }
  const last = path.points[path.points.length - 1];
  const status =
    path.frozeIn === PRUNED_ROUND
      ? 'pruned before INQ: frozen at 0'
      : path.frozeIn
        ? `froze in round ${path.frozeIn} at ${levelText(path.level)} (${valueText(path.level)})${path.frozeAt > 0 ? `, from ${valueText(path.points[path.frozeAt - 1].value)}` : ''}`
        : `still free at ${valueText(last.value)}; it would snap to ${levelText(path.level)} now`;
  return (
    <div className="follow-weight" data-testid="follow-weight" data-last={last.value} data-level={path.level} data-froze={path.frozeIn} data-points={path.points.length}>
      <p className="follow-head">
        <strong>
          {info.name} weight #{pinned.index}
        </strong>{' '}
        <span className="sub">{where}</span>
        {status}.{' '}
        <button type="button" className="link-button" onClick={() => pinWeight(null)}>
          Stop following
        </button>
      </p>
      <LineChart
        series={series}
        xDomain={[0, Math.max(1, path.points.length - 1)]}
        xTicks={xTicks}
        xLabel="phase"
        xTitle={xTitle}
        xFormat={xFormat}
        yDomain={yDomain}
        yFormat={valueText}
        references={references}
        highlightX={path.frozeAt >= 0 ? path.frozeAt : null}
        height={height}
        slot={SLOTS.accuracy}
        measure="follow weight"
        label={`${info.name} weight ${pinned.index}: ${path.points.length} values, ${status}`}
      />
    </div>
  );
}
