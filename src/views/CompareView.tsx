/** Compare saved runs: their accuracy-per-round curves overlaid with the float baseline, and a side-by-side table (for tuning a schedule by hand). */
import { useMemo } from 'react';
import { formatSchedule } from '../inq/schedule.ts';
import type { RunMeta } from '../store/runsDb.ts';
import { useRuns, type RunsState } from '../store/runsStore.ts';
import { COLORS } from './colors.ts';
import { compareChart, roundTicks } from './compareData.ts';
import { kB, pct } from './format.ts';
import { MultiLineChartSvg } from './MultiLineChartSvg.tsx';

const selectCompare = (s: RunsState) => s.compare;
const selectRuns = (s: RunsState) => s.runs;

/** The compare card: chart, legend and table of the ticked runs. */
export function CompareView() {
  const ids = useRuns(selectCompare);
  const all = useRuns(selectRuns);
  const runs = useMemo(() => ids.map((id) => all.find((r) => r.id === id)).filter((r): r is RunMeta => r !== undefined), [ids, all]);
  const chart = useMemo(() => compareChart(runs), [runs]);
  const xTicks = useMemo(() => roundTicks(chart.maxRounds), [chart.maxRounds]);
  const references = useMemo(() => chart.baselines.map((b) => ({ y: b.y, label: b.label, color: COLORS.baseline })), [chart.baselines]);

  return (
    <section className="card compare-view" aria-label="Compare runs">
      <h2>Compare runs</h2>
      {runs.length === 0 ? (
        <p className="hint">Tick “Compare” on saved runs above to overlay their accuracy per round here, with the float model as a dashed line.</p>
      ) : (
        <>
          <p className="explain">
            Test accuracy after each round, one colour per run; <span className="swatch" style={{ background: COLORS.baseline }} /> dashed: the float model
            before quantization. A schedule is good when its curve stays close to the dashed line up to the last round.
          </p>
          <ul className="compare-legend" aria-label="Legend">
            {chart.series.map((s) => (
              <li key={s.id}>
                <span className="swatch" style={{ background: s.color }} /> {s.name}
              </li>
            ))}
            {chart.baselines.length > 0 && (
              <li>
                <span className="legend-dash" style={{ borderColor: COLORS.baseline }} /> float model
              </li>
            )}
          </ul>
          <div className="chart-box" data-testid="compare-chart" data-series={chart.series.length} data-baselines={chart.baselines.length}>
            <MultiLineChartSvg
              series={chart.series.map((s) => ({ key: s.id, color: s.color, points: s.points }))}
              xDomain={chart.maxRounds === 1 ? [0.5, 1.5] : [1, chart.maxRounds]}
              xTicks={xTicks}
              yDomain={chart.yDomain}
              yFormat={(v) => `${v}%`}
              references={references}
              xLabel="round"
              width={760}
              height={260}
              label={`Test accuracy per round of ${runs.length} run${runs.length === 1 ? '' : 's'}: ${runs.map((r) => r.name).join(', ')}`}
            />
          </div>
          <CompareTable runs={runs} colors={chart.series.map((s) => s.color)} maxRounds={chart.maxRounds} />
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
