/** Test accuracy per round against the float baseline, and the training loss per epoch. */
import { useMemo } from 'react';
import { shownRound, usePlayground } from '../store/store.ts';
import type { EpochLoss, PlaygroundState } from '../store/types.ts';
import type { RoundResult } from '../engine/types.ts';
import { COLORS } from './colors.ts';
import { pct } from './format.ts';
import { LineChartSvg, type ChartPoint } from './LineChartSvg.tsx';
import { niceCeil } from './svgScale.ts';
import { SLOTS, useStaggered } from './useStaggered.ts';
import { SavePngButton } from './ExportPanel.tsx';

// Stable empties: a new run's fresh [] must not count as a change.
const selectRounds = (s: PlaygroundState) => (s.rounds.length === 0 ? null : s.rounds);
const selectLosses = (s: PlaygroundState) => (s.epochLosses.length === 0 ? null : s.epochLosses);
const NO_ROUNDS: RoundResult[] = [];
const NO_LOSSES: EpochLoss[] = [];

/** Accuracy after each round (one dot per round) with the float model's as a dashed line. */
export function AccuracyChart() {
  const live = usePlayground(selectRounds);
  const rounds = useStaggered(live, SLOTS.accuracy) ?? NO_ROUNDS;
  const floatAccuracy = usePlayground((s) => s.floatAccuracy);
  const total = usePlayground((s) => s.progress?.rounds ?? s.config.schedule.length);
  const shown = usePlayground(shownRound);
  const points = useMemo(
    (): ChartPoint[] => rounds.map((r) => ({ x: r.round, y: 100 * r.accuracy, title: `round ${r.round} (${pct(r.portion)} frozen): ${pct(r.accuracy, 2)}` })),
    [rounds],
  );
  const yDomain = useMemo((): [number, number] => {
    const vals = points.map((d) => d.y);
    if (floatAccuracy !== null) vals.push(100 * floatAccuracy);
    if (vals.length === 0) return [0, 100];
    const lo = Math.min(...vals);
    const hi = Math.max(...vals);
    const pad = Math.max(0.5, (hi - lo) * 0.15);
    return [Math.max(0, Math.floor(lo - pad)), Math.min(100, Math.ceil(hi + pad))];
  }, [points, floatAccuracy]);
  const last = Math.max(1, total);
  const xTicks = useMemo(() => {
    const step = Math.max(1, Math.ceil(last / 12));
    const t: number[] = [];
    for (let k = 1; k <= last; k += step) t.push(k);
    return t;
  }, [last]);

  return (
    <section className="card">
      <SavePngButton chart="accuracy per round" file="accuracy" disabled={points.length === 0} />
      <h2>Accuracy per round</h2>
      <p className="explain">
        <span className="swatch" style={{ background: COLORS.accuracy }} /> test accuracy after each round's quantize-and-re-train step;{' '}
        <span className="swatch" style={{ background: COLORS.baseline }} /> dashed: the float model before quantization. INQ's claim is that the last point
        (every weight a power of two) stays close to the dashed line.
      </p>
      <div
        className="chart-box"
        data-testid="accuracy-chart"
        data-points={points.length}
        data-baseline={floatAccuracy ?? ''}
        data-accuracies={rounds.map((r) => r.accuracy).join(',')}
      >
        {points.length === 0 && (
          <p className="hint chart-overlay">
            {floatAccuracy === null ? 'Each round adds a point here.' : `Float model: ${pct(floatAccuracy, 2)} on the test images. Each round adds a point here.`}
          </p>
        )}
        <LineChartSvg
          points={points}
          xDomain={last === 1 ? [0.5, 1.5] : [1, last]}
          xTicks={xTicks}
          yDomain={yDomain}
          yFormat={(v) => `${v}%`}
          color={COLORS.accuracy}
          reference={floatAccuracy === null ? null : { y: 100 * floatAccuracy, label: `float ${pct(floatAccuracy)}`, color: COLORS.baseline }}
          xLabel="round"
          highlightX={shown}
          label={`Test accuracy per round: ${points.length} of ${last} rounds done`}
        />
        <ul className="sr-only" aria-label="Accuracy per round">
          {rounds.map((r) => (
            <li key={r.round}>
              Round {r.round} ({pct(r.portion, 1)} frozen): {pct(r.accuracy, 2)}
            </li>
          ))}
        </ul>
      </div>
    </section>
  );
}

/** Mean training loss of each re-training epoch, across rounds. */
export function LossChart() {
  const live = usePlayground(selectLosses);
  const losses = useStaggered(live, SLOTS.loss) ?? NO_LOSSES;
  const points = useMemo((): ChartPoint[] => losses.map((l, i) => ({ x: i + 1, y: l.loss, title: `${l.round === 0 ? 'pruning' : `round ${l.round}`}, epoch ${l.epoch}: loss ${l.loss.toFixed(4)}` })), [losses]);
  const top = useMemo(() => (points.length === 0 ? 1 : niceCeil(Math.max(...points.map((p) => p.y)))), [points]);
  const n = Math.max(2, points.length);
  const xTicks = useMemo(() => {
    const step = Math.max(1, Math.ceil(n / 10));
    const t: number[] = [];
    for (let k = 1; k <= n; k += step) t.push(k);
    return t;
  }, [n]);
  return (
    <section className="card">
      <SavePngButton chart="training loss per epoch" file="loss" disabled={points.length === 0} />
      <h2>Training loss per epoch</h2>
      <p className="explain">
        <span className="swatch" style={{ background: COLORS.loss }} /> Mean loss of each re-training epoch. It jumps when a round freezes more weights and
        falls as the free ones compensate.
      </p>
      <div className="chart-box" data-testid="loss-chart" data-points={points.length}>
        {points.length === 0 && <p className="hint chart-overlay">No re-training epoch yet.</p>}
        <LineChartSvg
          points={points}
          xDomain={[1, n]}
          xTicks={xTicks}
          yDomain={[0, top]}
          yFormat={(v) => String(Number(v.toPrecision(3)))}
          color={COLORS.loss}
          xLabel="epoch"
          height={150}
          label={`Training loss of ${points.length} epochs`}
        />
      </div>
    </section>
  );
}
