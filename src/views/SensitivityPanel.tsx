/**
 * Layer sensitivity: before a schedule is tuned, each layer alone snapped to its power-of-two levels
 * (the others float) and scored, so the fragile layers are known first. The worker measures on a
 * copy of the pre-trained model; a bar chart (recharts) shows each layer's accuracy drop in points.
 * Measured on demand, never during a run, so its one render is no round-end cost.
 */
import { Bar, BarChart, CartesianGrid, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { usePlayground } from '../store/store.ts';
import { isRunActive, type PlaygroundState } from '../store/types.ts';
import { COLORS } from './colors.ts';
import { pct } from './format.ts';
import { useInqClient } from './clientContext.ts';
import { SavePngButton } from './shared/SavePngButton.tsx';

const selectSensitivity = (s: PlaygroundState) => s.sensitivity;
const selectBlocked = (s: PlaygroundState) => isRunActive(s.status) || s.status === 'loading';
const points = (drop: number): string => `${drop >= 0 ? '' : '−'}${Math.abs(100 * drop).toFixed(2)} pts`;
const TICK = { fontSize: 11, fill: COLORS.tick };

/** The card. */
export function SensitivityPanel() {
  const client = useInqClient();
  const s = usePlayground(selectSensitivity);
  const blocked = usePlayground(selectBlocked);
  const bits = usePlayground((st) => st.config.bits);
  const testSize = usePlayground((st) => st.config.testSize);
  const running = s.status === 'running';
  const result = s.status === 'done' ? s.result : null;
  const rows = result ? result.layers.map((l) => ({ layer: l.layer, drop: 100 * l.drop, accuracy: l.accuracy })) : [];
  return (
    <section className="card sensitivity" aria-label="Layer sensitivity">
      <SavePngButton chart="layer sensitivity" file="sensitivity" disabled={!result} />
      <h2>Layer sensitivity</h2>
      <p className="explain">
        Before tuning a schedule: each layer alone snapped to its {bits}-bit power-of-two levels, every other weight float, on the first {testSize} test
        images. A tall bar is a layer that loses accuracy when quantized, one to freeze late or give more re-training; a bar near zero is a layer INQ can
        freeze early.
      </p>
      <div className="row">
        <button type="button" disabled={blocked || running} onClick={() => client.sensitivity(bits, 'pow2', testSize)}>
          Measure layer sensitivity at {bits} bits
        </button>
        {blocked && !running && <small className="hint">Available when no run is going.</small>}
      </div>
      {running && (
        <p role="status" className="hint">
          Measuring{s.total ? `: ${s.done} of ${s.total} layers done` : '…'}
        </p>
      )}
      {s.status === 'error' && (
        <p role="alert" className="field-error">
          The sensitivity could not be measured: {s.message}
        </p>
      )}
      {result && (
        <div className="chart-box" data-testid="sensitivity-chart" data-layers={rows.length} data-bits={result.bits}>
          <p className="hint">
            Float model: {pct(result.floatAccuracy, 2)} on {result.testSize} test images; measured at {result.bits} bits.
          </p>
          <ResponsiveContainer width="100%" height={200}>
            <BarChart data={rows} margin={{ top: 10, right: 16, bottom: 4, left: 0 }} role="img" title={`Accuracy drop per layer at ${result.bits} bits`}>
              <CartesianGrid stroke={COLORS.grid} vertical={false} />
              <XAxis dataKey="layer" tick={TICK} stroke={COLORS.axis} />
              <YAxis tick={TICK} stroke={COLORS.axis} width={46} tickFormatter={(v: number) => `${Number(v.toFixed(2))}`} label={{ value: 'points', angle: -90, position: 'insideLeft', fontSize: 11, fill: COLORS.axis }} />
              <ReferenceLine y={0} stroke={COLORS.axis} />
              <Tooltip isAnimationActive={false} formatter={(v: unknown) => [`${Number(v).toFixed(2)} points`, 'accuracy drop']} />
              <Bar dataKey="drop" fill={COLORS.frozen} isAnimationActive={false} />
            </BarChart>
          </ResponsiveContainer>
          <table className="mini-table" aria-label="Accuracy with one layer quantized">
            <thead>
              <tr>
                <th scope="col">Layer</th>
                <th scope="col" className="num">
                  Accuracy
                </th>
                <th scope="col" className="num">
                  Drop
                </th>
              </tr>
            </thead>
            <tbody>
              {result.layers.map((l) => (
                <tr key={l.layer} data-layer={l.layer} data-drop={l.drop}>
                  <th scope="row">{l.layer}</th>
                  <td className="num">{pct(l.accuracy, 2)}</td>
                  <td className="num">{points(l.drop)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
