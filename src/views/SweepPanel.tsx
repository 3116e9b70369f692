/**
 * Sweeps: one action runs INQ at every bit-width 2–8 from the same pre-trained model (optionally also
 * with the random partition, the paper's ablation) and plots final accuracy against bits with the float
 * line; or N models from consecutive seeds, softmax-averaged, accuracy against N (seeds/003).
 */
import { useId, useMemo, useState } from 'react';
import { usePlayground } from '../store/store.ts';
import { isRunActive } from '../store/types.ts';
import { useSweep, type SweepRow } from '../store/sweepStore.ts';
import { getPageSweep, MAX_ENSEMBLE } from '../store/sweepDriver.ts';
import { SLOTS } from './useStaggered.ts';
import { LineChart, type LineSeries, type ReferenceY } from './shared/LineChart.tsx';
import { SavePngButton } from './shared/SavePngButton.tsx';
import { niceTicks, paddedPercentDomain, wholeTicks } from './shared/niceScale.ts';
import { COLORS, RUN_COLORS } from './colors.ts';
import { kB, pct, signedPoints } from './format.ts';
import { inputRange } from './inputRange.ts';
import { boundText, CONFIG_BOUNDS, withinBound } from '../engine/config.ts';
import { meanInterval } from '../inq/stats.ts';
import { sweepPresetById } from '../engine/presets.ts';
import { bitsSummary, type BitsPoint } from './sweepSummary.ts';

const REGULARISER = sweepPresetById('regulariser');

const STRATEGY_COLORS = { magnitude: COLORS.accuracy, random: COLORS.randomPartition } as const;
const BIT_TICKS = [2, 3, 4, 5, 6, 7, 8];
const BIT_DOMAIN: [number, number] = [2, 8];
const percent = (v: number): string => `${Number(v.toFixed(2))}%`;
const signedPointsAxis = (v: number): string => `${v > 0 ? '+' : v < 0 ? '−' : ''}${Number(Math.abs(v).toFixed(2))}`;
const bitsTitle = (x: number): string => `${x} bits`;
const membersTitle = (x: number): string => `${x} model${x === 1 ? '' : 's'}`;

/** The float model's accuracy as a dashed line (none before the first result). */
function floatLine(float: number | undefined): ReferenceY[] {
  return float === undefined ? [] : [{ y: float * 100, label: `float ${pct(float, 2)}`, color: COLORS.baseline }];
}

/** Final accuracy against bits, one line per partition; with repeats, each point is its seeds' mean with a shaded 95 % band. */
function BitsChart({ points, runs }: { points: BitsPoint[]; runs: number }) {
  const series = useMemo(
    (): LineSeries[] =>
      (['magnitude', 'random'] as const)
        .map((strategy) => {
          const mine = points.filter((p) => p.strategy === strategy);
          const band = bandOf(mine, 0);
          return {
            id: strategy,
            name: `${strategy} partition${band ? ' (mean, 95 % band)' : ''}`,
            color: STRATEGY_COLORS[strategy],
            points: mine.map((p) => ({ x: p.bits, y: p.mean * 100 })),
            ...(band ? { band } : {}),
          };
        })
        .filter((s) => s.points.length > 0),
    [points],
  );
  const float = points[0]?.floatAccuracy;
  const references = useMemo(() => floatLine(float), [float]);
  const yDomain = useMemo(
    () => paddedPercentDomain([...points.flatMap((p) => [p.mean * 100, ...(p.interval ?? []).map((v) => v * 100)]), float === undefined ? NaN : float * 100], 0.1),
    [points, float],
  );
  const bands = series.filter((s) => s.band).length;
  return (
    <BitsPlot
      series={series}
      points={points.length}
      runs={runs}
      yDomain={yDomain}
      yFormat={percent}
      references={references}
      label={`Final test accuracy against bit-width for ${runs} runs${bands > 0 ? ", the mean of each bit-width's seeds with its 95 % interval" : ''}${float === undefined ? '' : `; float model ${pct(float, 2)}`}`}
    />
  );
}

/** The bit-width charts' frame: accuracy (or its distance to float) against bits 2–8, with the counts e2e tests read. */
function BitsPlot(props: {
  series: LineSeries[];
  points: number;
  runs: number;
  yDomain: [number, number];
  yTicks?: readonly number[];
  yFormat: (v: number) => string;
  references: readonly ReferenceY[];
  label: string;
}) {
  const { series } = props;
  return (
    <div
      className="chart-box"
      data-testid="sweep-bits-chart"
      data-points={props.points}
      data-runs={props.runs}
      data-bands={series.filter((s) => s.band).length}
      data-models={series.length}
    >
      <LineChart
        series={series}
        xDomain={BIT_DOMAIN}
        xTicks={BIT_TICKS}
        xLabel="bits"
        xTitle={bitsTitle}
        yDomain={props.yDomain}
        yTicks={props.yTicks}
        yFormat={props.yFormat}
        references={props.references}
        legend
        height={250}
        slot={SLOTS.accuracy}
        label={props.label}
      />
    </div>
  );
}

/** A band in percent (shifted down by `minus`, a fraction), or undefined where no point has an interval. */
function bandOf(points: readonly BitsPoint[], minus: number | ((p: BitsPoint) => number)): LineSeries['band'] {
  const off = typeof minus === 'number' ? () => minus : minus;
  const band = points.flatMap((p) => (p.interval ? [{ x: p.bits, lo: (p.interval[0] - off(p)) * 100, hi: (p.interval[1] - off(p)) * 100 }] : []));
  return band.length > 0 ? band : undefined;
}

const FLOAT_ZERO: ReferenceY[] = [{ y: 0, label: 'float', color: COLORS.baseline }];

/**
 * A preset's models side by side (seeds/003: the over-parameterised one and the small one): each
 * bit-width's mean distance to its own float model in points, with its 95 % band, against the
 * float line at 0. Each model has its own float, so distances are what can share an axis.
 */
function PresetChart({ points, parts, runs }: { points: BitsPoint[]; parts: { model: string; role: string }[]; runs: number }) {
  const series = useMemo(
    (): LineSeries[] =>
      parts
        .map((part, i) => {
          const mine = points.filter((p) => p.model === part.model);
          const band = bandOf(mine, (p) => p.floatAccuracy);
          return {
            id: part.model,
            name: `${part.model} (${part.role}, float ${mine[0] ? pct(mine[0].floatAccuracy, 2) : '…'})`,
            color: RUN_COLORS[i % RUN_COLORS.length],
            points: mine.map((p) => ({ x: p.bits, y: (p.mean - p.floatAccuracy) * 100 })),
            ...(band ? { band } : {}),
          };
        })
        .filter((s) => s.points.length > 0),
    [points, parts],
  );
  const yTicks = useMemo(() => niceTicks([0, ...series.flatMap((s) => [...s.points.map((p) => p.y), ...(s.band ?? []).flatMap((b) => [b.lo, b.hi])])], 5), [series]);
  const yDomain = useMemo((): [number, number] => [yTicks[0], yTicks[yTicks.length - 1]], [yTicks]);
  return (
    <BitsPlot
      series={series}
      points={points.length}
      runs={runs}
      yDomain={yDomain}
      yTicks={yTicks}
      yFormat={signedPointsAxis}
      references={FLOAT_ZERO}
      label={`Final test accuracy minus each model's float accuracy, in points, against bit-width, for ${runs} runs of ${series.length} models: the mean of each bit-width's seeds with its 95 % interval`}
    />
  );
}

function EnsembleChart() {
  const points = useSweep((s) => s.ensemble);
  const float = useSweep((s) => s.rows[0]?.floatAccuracy);
  const n = Math.max(2, points.length);
  const series = useMemo(
    (): LineSeries[] => [
      { id: 'ensemble', name: 'ensemble (averaged softmax)', color: COLORS.accuracy, points: points.map((p) => ({ x: p.members, y: p.accuracy * 100 })) },
      { id: 'mean', name: 'mean member alone', color: COLORS.ensembleMember, points: points.map((p) => ({ x: p.members, y: p.meanMemberAccuracy * 100 })) },
    ],
    [points],
  );
  const references = useMemo(() => floatLine(float), [float]);
  const yDomain = useMemo(
    () => paddedPercentDomain([...points.flatMap((p) => [p.accuracy * 100, p.meanMemberAccuracy * 100]), float === undefined ? NaN : float * 100], 0.1),
    [points, float],
  );
  const xDomain = useMemo((): [number, number] => [1, n], [n]);
  const xTicks = useMemo(() => wholeTicks(n), [n]);
  return (
    <div className="chart-box" data-testid="sweep-ensemble-chart" data-points={points.length}>
      <LineChart
        series={series}
        xDomain={xDomain}
        xTicks={xTicks}
        xLabel="models"
        xTitle={membersTitle}
        yDomain={yDomain}
        yFormat={percent}
        references={references}
        legend
        height={240}
        slot={SLOTS.accuracy}
        label={`Ensemble accuracy against the number of models (${points.length} points)`}
      />
    </div>
  );
}

/** A repeat's result so far: mean final accuracy over the seeds with its 95 % t interval, and the spread. */
function RepeatLine({ rows, of }: { rows: SweepRow[]; of: number }) {
  const s = meanInterval(rows.map((x) => x.accuracy), [0, 1]);
  const accs = rows.map((x) => x.accuracy);
  return (
    <p className="repeat-result" data-testid="repeat-result" data-mean={s.mean} data-interval={s.interval ? s.interval.join(',') : ''}>
      {rows.length} of {of} seeds: mean final accuracy <strong>{pct(s.mean, 2)}</strong>
      {s.interval ? `, 95 % interval ${pct(s.interval[0], 2)} to ${pct(s.interval[1], 2)}` : ''}, spread {pct(Math.min(...accs), 2)} to {pct(Math.max(...accs), 2)}. Tick it in
      Saved runs to set it against another setting.
    </p>
  );
}

/** Every finished run of a sweep: its settings, final accuracy, distance to float and packed size. */
function RunsTable({ rows }: { rows: SweepRow[] }) {
  return (
    <table className="mini-table" aria-label="Sweep results">
      <thead>
        <tr>
          <th scope="col">Bits</th>
          <th scope="col">Partition</th>
          <th scope="col">Seed</th>
          <th scope="col">Accuracy</th>
          <th scope="col">vs float</th>
          <th scope="col">Packed</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={r.runId}>
            <td className="num">{r.bits}</td>
            <td>{r.strategy}</td>
            <td className="num">{r.seed}</td>
            <td className="num">{pct(r.accuracy, 2)}</td>
            <td className="num">{signedPoints(r.accuracy - r.floatAccuracy)}</td>
            <td className="num">{kB(r.packedBytes)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** A repeated bit-width sweep per bit-width: the seeds' mean final accuracy, its 95 % interval and the distance to float. */
function BitsTable({ points, withModel }: { points: BitsPoint[]; withModel: boolean }) {
  return (
    <table className="mini-table" aria-label="Sweep means">
      <thead>
        <tr>
          {withModel && <th scope="col">Model</th>}
          <th scope="col">Bits</th>
          <th scope="col">Partition</th>
          <th scope="col">Seeds</th>
          <th scope="col">Mean accuracy</th>
          <th scope="col">95 % interval</th>
          <th scope="col">vs float</th>
        </tr>
      </thead>
      <tbody>
        {points.map((p) => (
          <tr key={`${p.model}-${p.strategy}-${p.bits}`} data-model={p.model} data-bits={p.bits} data-mean={p.mean} data-interval={p.interval ? p.interval.join(',') : ''}>
            {withModel && <td>{p.model}</td>}
            <td className="num">{p.bits}</td>
            <td>{p.strategy}</td>
            <td className="num">{p.seeds.length}</td>
            <td className="num">{pct(p.mean, 2)}</td>
            <td className="num">{p.interval ? `${pct(p.interval[0], 2)} to ${pct(p.interval[1], 2)}` : '—'}</td>
            <td className="num">{signedPoints(p.mean - p.floatAccuracy)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The sweeps card. */
export function SweepPanel() {
  const status = usePlayground((s) => s.status);
  const bits = usePlayground((s) => s.config.bits);
  const sw = useSweep((s) => s);
  const [withRandom, setWithRandom] = useState(false);
  const [size, setSize] = useState('5');
  const sizeId = useId();
  const [repeats, setRepeats] = useState('3');
  const repeatsId = useId();
  const presetHintId = useId();
  const seed = usePlayground((s) => s.config.seed);
  const r = Number(repeats);
  const repeatsOk = withinBound(CONFIG_BOUNDS.repeats, r);
  const running = sw.status === 'running';
  const busy = running || isRunActive(status) || status === 'loading';
  const n = Number(size);
  const sizeOk = Number.isInteger(n) && n >= 1 && n <= MAX_ENSEMBLE;
  const current = running ? sw.plan[sw.index] : undefined;
  const rows = useMemo(() => [...sw.rows].sort((a, b) => (a.strategy === b.strategy ? a.bits - b.bits || a.seed - b.seed : a.strategy.localeCompare(b.strategy))), [sw.rows]);
  const bitsPoints = useMemo(() => (sw.kind === 'bits' ? bitsSummary(sw.rows) : []), [sw.kind, sw.rows]);
  const repeated = sw.kind === 'bits' && sw.repeats > 1;

  return (
    <section className="card sweep-panel" aria-label="Sweeps">
      <SavePngButton chart={sw.kind === 'ensemble' ? 'ensemble accuracy' : 'accuracy against bit-width'} file={sw.kind === 'ensemble' ? 'ensemble' : 'bit-sweep'} disabled={rows.length === 0 || sw.kind === 'repeat'} />
      <h2>Sweeps</h2>
      <p className="explain">
        Many runs from one click, each from the same pre-trained model with the current settings, one after another (each is saved like any run). A bit-width
        sweep shows where accuracy starts to fall, and can peak in the middle (quantization regularises); an ensemble averages the softmax of models quantized
        from different seeds; a repeat runs the same settings from several seeds, so a schedule is judged by its mean and interval, not by one lucky seed.
      </p>
      <div className="sweep-actions">
        <button type="button" disabled={busy} onClick={() => getPageSweep().startBits(withRandom)}>
          Sweep bit-widths 2–8
        </button>
        <label className="checkbox">
          <input type="checkbox" checked={withRandom} disabled={busy} onChange={(e) => setWithRandom(e.target.checked)} /> Also random partition (ablation)
        </label>
      </div>
      {REGULARISER && (
        <div className="sweep-actions">
          <button
            type="button"
            disabled={busy}
            aria-describedby={presetHintId}
            onClick={() => getPageSweep().startPreset(REGULARISER, import.meta.env.BASE_URL)}
          >
            {REGULARISER.title}
          </button>
          <small className="hint" id={presetHintId}>
            bit-widths 2–8, each from {REGULARISER.repeats} seeds, on the wide MLP that over-fits its{' '}
            {REGULARISER.parts[0].trainSize.toLocaleString('en')} training images (every seed re-trains on those same images, subset seed{' '}
            {REGULARISER.parts[0].trainSeed}), then on the small LeNet-5 ({REGULARISER.parts[1]?.trainSize.toLocaleString('en')} images);{' '}
            {REGULARISER.bits.length * REGULARISER.repeats * REGULARISER.parts.length} runs, final models on all {REGULARISER.finalTestSize.toLocaleString('en')} test
            images. The chart gives each model&apos;s distance to its own float in points (0: float), mean and 95 % band. From the shell:{' '}
            <code>inq sweep --preset {REGULARISER.id}</code>
          </small>
        </div>
      )}
      <div className="sweep-actions">
        <label htmlFor={sizeId}>Ensemble size</label>
        <input id={sizeId} type="number" min={1} max={MAX_ENSEMBLE} value={size} disabled={busy} aria-invalid={!sizeOk} onChange={(e) => setSize(e.target.value)} />
        <button type="button" disabled={busy || !sizeOk} onClick={() => getPageSweep().startEnsemble(n)}>
          Quantize an ensemble at {bits} bits
        </button>
        {!sizeOk && <small className="field-error">an ensemble has 1 to {MAX_ENSEMBLE} models</small>}
      </div>
      <div className="sweep-actions">
        <label htmlFor={repeatsId}>Seeds</label>
        <input id={repeatsId} type="number" {...inputRange('repeats')} value={repeats} disabled={busy} aria-invalid={!repeatsOk} onChange={(e) => setRepeats(e.target.value)} />
        <button
          type="button"
          disabled={busy || !repeatsOk}
          title="The current settings from consecutive seeds: saved and compared as one entry, with the mean and its 95 % interval"
          onClick={() => getPageSweep().startRepeat(r)}
        >
          Repeat ×{repeatsOk ? r : 'N'}
        </button>
        {repeatsOk ? (
          <small className="hint">
            seeds {seed}–{seed + r - 1}
          </small>
        ) : (
          <small className="field-error">repeats must be {boundText(CONFIG_BOUNDS.repeats)}</small>
        )}
      </div>
      {running && (
        <p role="status" className="sweep-progress">
          Run {sw.index + 1} of {sw.plan.length}
          {current ? `: ${current.part !== undefined && sw.parts[current.part] ? `${sw.parts[current.part].model}, ` : ''}${current.bits} bits, ${current.strategy} partition, seed ${current.seed}${current.repeat ? ` (${current.repeat.index + 1} of ${current.repeat.of})` : ''}` : ''}{' '}
          <button type="button" onClick={() => getPageSweep().stop()}>
            Stop sweep
          </button>
        </p>
      )}
      {sw.message && (
        <p role="alert" className="field-error">
          {sw.message}
        </p>
      )}
      {sw.kind === 'bits' && rows.length > 0 && (sw.parts.length > 1 ? <PresetChart points={bitsPoints} parts={sw.parts} runs={rows.length} /> : <BitsChart points={bitsPoints} runs={rows.length} />)}
      {repeated && bitsPoints.length > 0 && <BitsTable points={bitsPoints} withModel={sw.parts.length > 1} />}
      {sw.kind === 'ensemble' && sw.ensemble.length > 0 && <EnsembleChart />}
      {sw.kind === 'repeat' && rows.length > 0 && <RepeatLine rows={rows} of={sw.plan.length} />}
      {rows.length > 0 && (repeated ? (
        <details className="sweep-runs">
          <summary>Every run ({rows.length})</summary>
          <RunsTable rows={rows} />
        </details>
      ) : (
        <RunsTable rows={rows} />
      ))}
      {sw.kind === 'ensemble' && sw.ensemble.length > 0 && (
        <table className="mini-table" aria-label="Ensemble results">
          <thead>
            <tr>
              <th scope="col">Models</th>
              <th scope="col">Ensemble</th>
              <th scope="col">Mean member</th>
            </tr>
          </thead>
          <tbody>
            {sw.ensemble.map((p) => (
              <tr key={p.members}>
                <td className="num">{p.members}</td>
                <td className="num">{pct(p.accuracy, 2)}</td>
                <td className="num">{pct(p.meanMemberAccuracy, 2)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
