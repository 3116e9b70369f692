/** Test accuracy per round against the float baseline, and the training loss per epoch (recharts, see shared/LineChart.tsx). */
import { useMemo } from 'react';
import { shownRound, usePlayground } from '../store/store.ts';
import { type EpochLoss, type PlaygroundState } from '../store/types.ts';
import type { RoundResult } from '../engine/types.ts';
import { COLORS } from './colors.ts';
import { pct } from './format.ts';
import { LineChart, type LineSeries, type ReferenceY } from './shared/LineChart.tsx';
import { ChartCard } from './shared/ChartCard.tsx';
import { niceCeil, paddedPercentDomain, wholeTicks } from './shared/niceScale.ts';
import { SLOTS } from './useStaggered.ts';

// Stable empties: a new run's fresh [] must not count as a change.
const selectRounds = (s: PlaygroundState) => (s.rounds.length === 0 ? null : s.rounds);
const selectLosses = (s: PlaygroundState) => (s.epochLosses.length === 0 ? null : s.epochLosses);
const NO_ROUNDS: RoundResult[] = [];
const NO_LOSSES: EpochLoss[] = [];
const percent = (v: number): string => `${Number(v.toFixed(2))}%`;

/** Accuracy after each round (one dot per round) with the float model's as a dashed line. */
export function AccuracyChart() {
  const rounds = usePlayground(selectRounds) ?? NO_ROUNDS;
  const floatAccuracy = usePlayground((s) => s.floatAccuracy);
  const oneShot = usePlayground((s) => s.oneShotAccuracy);
  const total = usePlayground((s) => s.progress?.rounds ?? s.config.schedule.length);
  const shown = usePlayground(shownRound);
  const series = useMemo((): LineSeries[] => [{ id: 'accuracy', name: 'test accuracy', color: COLORS.accuracy, points: rounds.map((r) => ({ x: r.round, y: 100 * r.accuracy })) }], [rounds]);
  const references = useMemo(
    (): ReferenceY[] => [
      ...(floatAccuracy === null ? [] : [{ y: 100 * floatAccuracy, label: `float ${pct(floatAccuracy)}`, color: COLORS.baseline }]),
      ...(oneShot === null ? [] : [{ y: 100 * oneShot, label: `one-shot ${pct(oneShot)}`, color: COLORS.oneShot }]),
    ],
    [floatAccuracy, oneShot],
  );
  const yDomain = useMemo(
    () => paddedPercentDomain([...rounds.map((r) => 100 * r.accuracy), floatAccuracy === null ? NaN : 100 * floatAccuracy, oneShot === null ? NaN : 100 * oneShot]),
    [rounds, floatAccuracy, oneShot],
  );
  const last = Math.max(1, total);
  const xTicks = useMemo(() => wholeTicks(last), [last]);
  const xDomain = useMemo((): [number, number] => (last === 1 ? [0.5, 1.5] : [1, last]), [last]);
  const xTitle = useMemo(() => {
    const portion = new Map(rounds.map((r) => [r.round, r.portion]));
    return (x: number): string => `round ${x}${portion.has(x) ? ` (${pct(portion.get(x) ?? 0)} frozen)` : ''}`;
  }, [rounds]);

  return (
    <ChartCard
      title="Accuracy per round"
      chart="accuracy per round"
      file="accuracy"
      empty={rounds.length === 0}
      caption={
        <>
          <span className="swatch" style={{ background: COLORS.accuracy }} /> test accuracy after each round's quantize-and-re-train step;{' '}
          <span className="swatch" style={{ background: COLORS.baseline }} /> dashed: the float model before quantization. INQ's claim is that the last point
          (every weight a power of two) stays close to the dashed line. <span className="swatch" style={{ background: COLORS.oneShot }} /> dashed: one-shot,
          every weight snapped to its level at once with no re-training, which is what the incremental rounds avoid.
        </>
      }
    >
      <div
        className="chart-box"
        data-testid="accuracy-chart"
        data-points={rounds.length}
        data-baseline={floatAccuracy ?? ''}
        data-one-shot={oneShot ?? ''}
        data-accuracies={rounds.map((r) => r.accuracy).join(',')}
      >
        {rounds.length === 0 && (
          <p className="hint chart-overlay">
            {floatAccuracy === null ? 'Each round adds a point here.' : `Float model: ${pct(floatAccuracy, 2)} on the test images. Each round adds a point here.`}
          </p>
        )}
        <LineChart
          series={series}
          xDomain={xDomain}
          xTicks={xTicks}
          xLabel="round"
          xTitle={xTitle}
          yDomain={yDomain}
          yFormat={percent}
          references={references}
          highlightX={shown}
          height={210}
          slot={SLOTS.accuracy}
          measure="accuracy"
          label={`Test accuracy per round: ${rounds.length} of ${last} rounds done`}
        />
        <ul className="sr-only" aria-label="Accuracy per round">
          {rounds.map((r) => (
            <li key={r.round}>
              Round {r.round} ({pct(r.portion, 1)} frozen): {pct(r.accuracy, 2)}
            </li>
          ))}
        </ul>
      </div>
    </ChartCard>
  );
}

const lossText = (v: number): string => String(Number(v.toPrecision(3)));

/** Mean training loss of each re-training epoch, across rounds. */
export function LossChart() {
  const losses = usePlayground(selectLosses) ?? NO_LOSSES;
  const series = useMemo((): LineSeries[] => [{ id: 'loss', name: 'training loss', color: COLORS.loss, points: losses.map((l, i) => ({ x: i + 1, y: l.loss })) }], [losses]);
  const yDomain = useMemo((): [number, number] => [0, losses.length === 0 ? 1 : niceCeil(Math.max(...losses.map((l) => l.loss)))], [losses]);
  const n = Math.max(2, losses.length);
  const xTicks = useMemo(() => wholeTicks(n, 10), [n]);
  const xDomain = useMemo((): [number, number] => [1, n], [n]);
  const xTitle = useMemo(
    () =>
      (x: number): string => {
        const l = losses[x - 1];
        return l ? `${l.round === 0 ? 'pruning' : `round ${l.round}`}, epoch ${l.epoch}` : `epoch ${x}`;
      },
    [losses],
  );
  return (
    <ChartCard
      title="Training loss per epoch"
      chart="training loss per epoch"
      file="loss"
      empty={losses.length === 0}
      caption={
        <>
          <span className="swatch" style={{ background: COLORS.loss }} /> Mean loss of each re-training epoch. It jumps when a round freezes more weights and
          falls as the free ones compensate.
        </>
      }
    >
      <div className="chart-box" data-testid="loss-chart" data-points={losses.length}>
        {losses.length === 0 && <p className="hint chart-overlay">No re-training epoch yet.</p>}
        <LineChart
          series={series}
          xDomain={xDomain}
          xTicks={xTicks}
          xLabel="epoch"
          xTitle={xTitle}
          yDomain={yDomain}
          yFormat={lossText}
          height={160}
          slot={SLOTS.loss}
          measure="loss"
          label={`Training loss of ${losses.length} epochs`}
        />
      </div>
    </ChartCard>
  );
}
