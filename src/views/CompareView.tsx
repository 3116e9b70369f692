/** Compare saved runs: their accuracy-per-round curves overlaid with the float baseline, and a side-by-side table (for tuning a schedule by hand). */
import { useMemo } from 'react';
import { formatSchedule } from '../inq/schedule.ts';
import { useRuns, type RunsState } from '../store/runsStore.ts';
import { COLORS } from './colors.ts';
import { compareChart, compareToCsv, entryFinal, entryRound, isRepeat, pairedComparisons, runEntries, type RunEntry } from './compareData.ts';
import { downloadFile } from './exportFiles.ts';
import { SavePngButton } from './shared/SavePngButton.tsx';
import { kB, pct, plusMinus, signedPoints } from './format.ts';
import { LineChart, type LineSeries, type ReferenceY } from './shared/LineChart.tsx';
import { wholeTicks } from './shared/niceScale.ts';
import { SLOTS } from './useStaggered.ts';

const selectCompare = (s: RunsState) => s.compare;
const selectRuns = (s: RunsState) => s.runs;
const NO_RUNS: RunEntry[] = [];
const percent = (v: number): string => `${Number(v.toFixed(2))}%`;
const roundTitle = (x: number): string => `round ${x}`;

/** The compare card: chart, legend and table of the ticked runs. */
export function CompareView() {
  const ids = useRuns(selectCompare);
  const all = useRuns(selectRuns);
  const picked = useMemo(() => {
    const entries = runEntries(all);
    return ids.map((id) => entries.find((e) => e.id === id)).filter((e): e is RunEntry => e !== undefined);
  }, [ids, all]);
  // The list is read again after every saved round; the chart redraws later, in slices (shared/LineChart.tsx).
  const runs = picked.length === 0 ? NO_RUNS : picked;
  const chart = useMemo(() => compareChart(runs), [runs]);
  const xTicks = useMemo(() => wholeTicks(chart.maxRounds), [chart.maxRounds]);
  const xDomain = useMemo((): [number, number] => (chart.maxRounds === 1 ? [0.5, 1.5] : [1, chart.maxRounds]), [chart.maxRounds]);
  const series = useMemo((): LineSeries[] => chart.series.map((s) => ({ id: s.id, name: s.name, color: s.color, points: s.points, band: s.band })), [chart.series]);
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
            before quantization. A schedule is good when its curve stays close to the dashed line up to the last round. A repeat (one setting, several seeds)
            is drawn as its mean with a shaded 95 % band: two schedules differ only where their bands part.
          </p>
          <div className="chart-box" data-testid="compare-chart" data-series={chart.series.length} data-baselines={chart.baselines.length} data-bands={chart.series.filter((s) => s.band && s.band.length > 0).length}>
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

/** One row per entry: settings, accuracy after each round, final accuracy (a repeat: mean ± 95 % interval, and its spread), distance to float, packed size. */
function CompareTable({ runs, colors, maxRounds }: { runs: RunEntry[]; colors: string[]; maxRounds: number }) {
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
            <th scope="col" className="num" title="A repeat: its lowest and highest final accuracy over seeds">
              Spread
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
          {runs.map((e, i) => {
            const first = e.runs[0];
            const f = entryFinal(e);
            const delta = f.mean !== null && first.floatAccuracy !== null ? f.mean - first.floatAccuracy : null;
            const K = first.config.schedule.length;
            const reached = Math.min(...e.runs.map((r) => r.completedRounds));
            return (
              <tr key={e.id} data-run-name={e.name} data-seeds={e.runs.length}>
                <th scope="row">
                  <span className="swatch" style={{ background: colors[i] }} /> {e.name}
                  {isRepeat(e) && <small className="hint"> seeds {e.runs.map((r) => r.config.seed).join(', ')}</small>}
                </th>
                <td className="num">{first.config.bits}</td>
                <td>{formatSchedule(first.config.schedule)}</td>
                {rounds.map((k) => {
                  const p = entryRound(e, k);
                  return (
                    <td key={k} className="num" title={p ? `${pct(p.portion)} frozen${isRepeat(e) ? `; mean of ${p.n} seed${p.n === 1 ? '' : 's'}` : ''}` : undefined}>
                      {p ? `${pct(p.accuracy, 2)}${plusMinus(p.interval)}` : k <= K ? '…' : ''}
                    </td>
                  );
                })}
                <td
                  className="num"
                  data-final={f.mean ?? ''}
                  data-interval={f.interval ? f.interval.join(',') : ''}
                  title={f.interval ? `95 % t interval over ${f.finals.length} seeds: ${pct(f.interval[0], 2)} to ${pct(f.interval[1], 2)}` : undefined}
                >
                  {f.mean !== null && f.finals.length === e.runs.length && e.runs.length === e.of
                    ? `${pct(f.mean, 2)}${plusMinus(f.interval)}`
                    : isRepeat(e)
                      ? `${f.finals.length}/${e.of} seeds done${f.mean !== null ? ` (${pct(f.mean, 2)}${plusMinus(f.interval)})` : ''}`
                      : `${reached}/${K} rounds`}
                </td>
                <td className="num">{f.spread ? `${pct(f.spread[0], 2)}–${pct(f.spread[1], 2)}` : '—'}</td>
                <td className="num">{delta === null ? '—' : `${signedPoints(delta)} pts`}</td>
                <td className="num">{first.packedBytes !== null ? kB(first.packedBytes) : '—'}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

const points = (x: number): string => signedPoints(x);
const pText = (p: number): string => (p < 1e-4 ? p.toExponential(1) : p.toPrecision(2));

/**
 * Each pair of ticked runs compared image by image on the test images both were scored on: the
 * difference of their final accuracies with a 95 % interval (Newcombe's, for paired proportions),
 * the images only one of them got right, and McNemar's exact p-value: whether the difference is
 * more than the test set's noise.
 */
function PairTable({ runs }: { runs: RunEntry[] }) {
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
