/** Compare saved runs: their accuracy-per-round curves overlaid with the float baseline, and a side-by-side table (for tuning a schedule by hand). */
import { useMemo } from 'react';
import { formatSchedule } from '../inq/schedule.ts';
import type { RunMeta } from '../store/runsDb.ts';
import { useRuns, type RunsState } from '../store/runsStore.ts';
import { COLORS } from './colors.ts';
import { compareChart, compareToCsv, pairedComparisons } from './compareData.ts';
import { downloadFile } from './exportFiles.ts';
import { SavePngButton } from './shared/SavePngButton.tsx';
import { kB, pct } from './format.ts';
import { LineChart, type LineSeries, type ReferenceY } from './shared/LineChart.tsx';
import { wholeTicks } from './shared/niceScale.ts';
import { SLOTS } from './useStaggered.ts';

const selectCompare = (s: RunsState) => s.compare;
const selectRuns = (s: RunsState) => s.runs;
const NO_RUNS: RunMeta[] = [];
const percent = (v: number): string => `${Number(v.toFixed(2))}%`;
const roundTitle = (x: number): string => `round ${x}`;

/** The compare card: chart, legend and table of the ticked runs. */
export function CompareView() {
  const ids = useRuns(selectCompare);
  const all = useRuns(selectRuns);
  const picked = useMemo(() => ids.map((id) => all.find((r) => r.id === id)).filter((r): r is RunMeta => r !== undefined), [ids, all]);
  // The list is read again after every saved round; the chart redraws later, in slices (shared/LineChart.tsx).
  const runs = picked.length === 0 ? NO_RUNS : picked;
  const chart = useMemo(() => compareChart(runs), [runs]);
  const xTicks = useMemo(() => wholeTicks(chart.maxRounds), [chart.maxRounds]);
  const xDomain = useMemo((): [number, number] => (chart.maxRounds === 1 ? [0.5, 1.5] : [1, chart.maxRounds]), [chart.maxRounds]);
  const series = useMemo((): LineSeries[] => chart.series.map((s) => ({ id: s.id, name: s.name, color: s.color, points: s.points })), [chart.series]);
  const references = useMemo((): ReferenceY[] => chart.baselines.map((b) => ({ y: b.y, label: b.label, color: COLORS.baseline })), [chart.baselines]);

  return (
    <section className="card compare-view" aria-label="Compare runs">
      <span className="card-actions">
        <button
          type="button"
          className="link-button"
          disabled={runs.length === 0}
          onClick={() => downloadFile({ name: 'inq-compare.csv', type: 'text/csv', data: compareToCsv(runs) })}
          title={runs.length === 0 ? 'Nothing to save yet' : 'The table as CSV: each run’s settings, seed, test size, final accuracy with its 95 % interval, and every round'}
        >
          Download table (CSV)
        </button>
        <SavePngButton chart="comparison" file="compare" disabled={runs.length === 0} />
      </span>
      <h2>Compare runs</h2>
      {runs.length === 0 ? (
        <p className="hint">Tick “Compare” on saved runs above to overlay their accuracy per round here, with the float model as a dashed line.</p>
      ) : (
        <>
          <p className="explain">
            Test accuracy after each round, one colour per run; <span className="swatch" style={{ background: COLORS.baseline }} /> dashed: the float model
            before quantization. A schedule is good when its curve stays close to the dashed line up to the last round.
          </p>
          <div className="chart-box" data-testid="compare-chart" data-series={chart.series.length} data-baselines={chart.baselines.length}>
            <LineChart
              series={series}
              xDomain={xDomain}
              xTicks={xTicks}
              xLabel="round"
              xTitle={roundTitle}
              yDomain={chart.yDomain}
              yFormat={percent}
              references={references}
              legend
              height={280}
              slot={SLOTS.compare}
              measure="compare"
              label={`Test accuracy per round of ${runs.length} run${runs.length === 1 ? '' : 's'}: ${runs.map((r) => r.name).join(', ')}`}
            />
          </div>
          <CompareTable runs={runs} colors={chart.series.map((s) => s.color)} maxRounds={chart.maxRounds} />
          {runs.length >= 2 && <PairTable runs={runs} />}
        </>
      )}
    </section>
  );
}

/** One row per run: settings, accuracy after each round, final accuracy, distance to float, packed size. */
function CompareTable({ runs, colors, maxRounds }: { runs: RunMeta[]; colors: string[]; maxRounds: number }) {
  const rounds = Array.from({ length: maxRounds }, (_, i) => i + 1);
  return (
    <div className="table-scroll">
      <table className="mini-table compare-table" aria-label="Runs side by side" data-testid="compare-table">
        <thead>
          <tr>
            <th scope="col">Run</th>
            <th scope="col">Bits</th>
            <th scope="col">Schedule</th>
            {rounds.map((k) => (
              <th scope="col" key={k} className="num">
                R{k}
              </th>
            ))}
            <th scope="col" className="num">
              Final
            </th>
            <th scope="col" className="num">
              vs float
            </th>
            <th scope="col" className="num">
              Packed
            </th>
          </tr>
        </thead>
        <tbody>
          {runs.map((r, i) => {
            const final = r.finalAccuracy;
            const delta = final !== null && r.floatAccuracy !== null ? 100 * (final - r.floatAccuracy) : null;
            return (
              <tr key={r.id} data-run-name={r.name}>
                <th scope="row">
                  <span className="swatch" style={{ background: colors[i] }} /> {r.name}
                </th>
                <td className="num">{r.config.bits}</td>
                <td>{formatSchedule(r.config.schedule)}</td>
                {rounds.map((k) => {
                  const p = r.history.find((h) => h.round === k);
                  return (
                    <td key={k} className="num" title={p ? `${pct(p.portion)} frozen` : undefined}>
                      {p ? pct(p.accuracy, 2) : k <= r.config.schedule.length ? '…' : ''}
                    </td>
                  );
                })}
                <td className="num" data-final={final ?? ''}>
                  {final !== null ? pct(final, 2) : `${r.completedRounds}/${r.config.schedule.length} rounds`}
                </td>
                <td className="num">{delta === null ? '—' : `${delta >= 0 ? '+' : '−'}${Math.abs(delta).toFixed(2)} pts`}</td>
                <td className="num">{r.packedBytes !== null ? kB(r.packedBytes) : '—'}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

const points = (x: number): string => `${x >= 0 ? '+' : '−'}${Math.abs(100 * x).toFixed(2)}`;
const pText = (p: number): string => (p < 1e-4 ? p.toExponential(1) : p.toPrecision(2));

/**
 * Each pair of ticked runs compared image by image on the test images both were scored on: the
 * difference of their final accuracies with a 95 % interval (Newcombe's, for paired proportions),
 * the images only one of them got right, and McNemar's exact p-value: whether the difference is
 * more than the test set's noise.
 */
function PairTable({ runs }: { runs: RunMeta[] }) {
  const rows = useMemo(() => pairedComparisons(runs), [runs]);
  return (
    <div className="table-scroll">
      <table className="mini-table pair-table" aria-label="Paired comparison" data-testid="pair-table">
        <caption>
          Final models compared image by image. A difference is real at the 5 % level when McNemar’s p is below 0.05; otherwise the test set cannot
          tell the two apart.
        </caption>
        <thead>
          <tr>
            <th scope="col">A</th>
            <th scope="col">B</th>
            <th scope="col" className="num">
              A − B (points)
            </th>
            <th scope="col" className="num">
              95 % interval
            </th>
            <th scope="col" className="num">
              Only A right / only B right
            </th>
            <th scope="col" className="num">
              McNemar p
            </th>
            <th scope="col">Verdict</th>
          </tr>
        </thead>
        <tbody>
          {rows.map(({ a, b, result, reason }) => (
            <tr key={`${a.id}|${b.id}`} data-pair={`${a.name}|${b.name}`} data-p={result ? result.pValue : ''}>
              <th scope="row">{a.name}</th>
              <td>{b.name}</td>
              {result ? (
                <>
                  <td className="num">{points(result.diff)}</td>
                  <td className="num">
                    [{points(result.interval[0])}, {points(result.interval[1])}]
                  </td>
                  <td className="num">
                    {result.discordant[0]} / {result.discordant[1]}
                  </td>
                  <td className="num">{pText(result.pValue)}</td>
                  <td>{result.pValue < 0.05 ? `different, on ${result.testSize} images` : `not distinguishable on ${result.testSize} images`}</td>
                </>
              ) : (
                <td colSpan={5} className="hint">
                  {reason}
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
