/**
 * Teach: INQ on one screen for a class (`#view=teach`, sized for 1440×900): the run's controls, a
 * caption that tells what the shown round did with this run's numbers, the accuracy against float
 * and one-shot, and one layer's weights (histogram, log-magnitude axis on by default: the levels as
 * a ruler) and partition mask, with a layer picker. Larger type, nothing below the fold.
 */
import { useId, useMemo, useState } from 'react';
import { usePlayground } from '../store/store.ts';
import type { LayerInfo, LayerSnapshot, RoundResult } from '../engine/types.ts';
import { RunControls } from './RunControls.tsx';
import { AccuracyChart } from './AccuracyCharts.tsx';
import { OneLayerHistogram } from './WeightHistograms.tsx';
import { OneLayerMask } from './PartitionMasks.tsx';
import { useShownResult } from './useShownRound.ts';
import { COLORS } from './colors.ts';
import { int, levelText, pct } from './format.ts';
import { formatSchedule } from '../inq/schedule.ts';
import { ViewSwitch } from './ViewSwitch.tsx';

/** The layer Teach shows: the one the link names if the model has it, else the largest. */
export function teachLayer<L extends { name: string; size: number }>(layers: readonly L[], wanted: string): L | null {
  return layers.find((l) => l.name === wanted) ?? layers.reduce<L | null>((a, l) => (!a || l.size > a.size ? l : a), null);
}

/** What the shown round did to one layer, counted from its snapshot. */
export function roundStory(snap: LayerSnapshot, round: number): { newly: number; zeros: number; levels: number; smallest: number; largest: number; free: number } {
  let newly = 0;
  let zeros = 0;
  let free = 0;
  let smallest = Infinity;
  let largest = 0;
  const used = new Set<number>();
  for (let i = 0; i < snap.weights.length; i++) {
    const r = snap.frozenRound[i];
    if (r === 0) free++;
    if (r !== round) continue;
    newly++;
    const w = snap.weights[i];
    if (w === 0) zeros++;
    else {
      used.add(w);
      smallest = Math.min(smallest, Math.abs(w));
      largest = Math.max(largest, Math.abs(w));
    }
  }
  return { newly, zeros, levels: used.size, smallest: Number.isFinite(smallest) ? smallest : 0, largest, free };
}

/** The caption: one or two sentences from the run's own numbers, in the paper's words. */
function caption(info: LayerInfo | null, result: RoundResult | null, total: number, float: number | null, oneShot: number | null, pretrained: number | null): string {
  const refs = `${float !== null ? `float ${pct(float, 2)}` : ''}${oneShot !== null ? `, one-shot ${pct(oneShot, 2)}` : ''}`;
  if (!result) {
    const score = float ?? pretrained;
    if (score === null && !info) return 'Loading the pre-trained model…';
    return (
      `The float model scores ${score !== null ? pct(score, 2) : '…'} on the test images. Each round freezes a portion of every layer's weights, the largest ` +
      `still free, and snaps them to powers of two; the free ones re-train to make up for it.` +
      (oneShot !== null
        ? ` Snapping every weight at once instead (one-shot, no re-training) scores ${pct(oneShot, 2)}.`
        : ' Press Run (or Step, one round at a time): first the worker measures what snapping every weight at once would score.')
    );
  }
  if (!info) return '';
  const snap = result.layers.find((l) => l.name === info.name);
  if (!snap) return '';
  const s = roundStory(snap, result.round);
  const moved = s.newly - s.zeros;
  const span = s.smallest === s.largest ? `±${levelText(s.largest).slice(1)}` : `±${levelText(s.smallest).slice(1)} … ±${levelText(s.largest).slice(1)}`;
  const onto = s.levels > 0 ? `${int(moved)} snapped to ${span} (${s.levels} level${s.levels === 1 ? '' : 's'})` : '';
  const parts = [
    `Round ${result.round} of ${total}: ${pct(result.portion)} of every layer is frozen.`,
    `${int(s.newly)} more of ${info.name}'s ${int(info.size)} weights froze, the largest still free; ${[onto, s.zeros ? `${int(s.zeros)} to zero` : ''].filter(Boolean).join(', ')}.`,
    s.free > 0
      ? `The ${int(s.free)} still free were re-trained: test accuracy ${pct(result.accuracy, 2)} (${refs}).`
      : `Every weight is now 0 or ±2^p: test accuracy ${pct(result.accuracy, 2)} (${refs}).`,
  ];
  return parts.join(' ');
}

/** The Teach view. */
export function TeachView() {
  const layers = usePlayground((s) => s.layers);
  const wanted = usePlayground((s) => s.config.layer);
  const setConfig = usePlayground((s) => s.setConfig);
  const float = usePlayground((s) => s.floatAccuracy);
  const oneShot = usePlayground((s) => s.oneShotAccuracy);
  const total = usePlayground((s) => s.progress?.rounds ?? s.config.schedule.length);
  const bits = usePlayground((s) => s.config.bits);
  const schedule = usePlayground((s) => s.config.schedule);
  const model = usePlayground((s) => s.model?.name ?? '');
  const pretrained = usePlayground((s) => s.model?.pretrainedAccuracy ?? null);
  const modelLayers = usePlayground((s) => s.model?.layers);
  const result = useShownResult();
  const info = useMemo(() => teachLayer(layers, wanted), [layers, wanted]);
  // Before a run the layers come from the model's summary (the run's start event brings their levels).
  const choices = useMemo(() => (layers.length > 0 ? layers : (modelLayers ?? [])), [layers, modelLayers]);
  const chosen = useMemo(() => teachLayer(choices, wanted), [choices, wanted]);
  const [log, setLog] = useState(true);
  const pickId = useId();
  const text = caption(info, result, total, float, oneShot, pretrained);

  return (
    <div className="teach" data-testid="teach-view">
      <header className="teach-header">
        <h1>INQ Playground · Teach</h1>
        <ViewSwitch />
        <p className="teach-setup">
          {model} · {bits} bits · schedule {formatSchedule(schedule)}
        </p>
      </header>
      <div className="teach-grid">
        <div className="teach-left">
          <RunControls />
          <section className="card teach-story" aria-label="What just happened">
            <h2>{result ? `Round ${result.round}` : 'Before round 1'}</h2>
            <p data-testid="teach-caption" aria-live="polite">
              {text}
            </p>
          </section>
          <AccuracyChart />
        </div>
        <div className="teach-right">
          <section className="card teach-layer" aria-label="One layer">
            <div className="teach-layer-head">
              <h2>{chosen ? `${chosen.name}: its weights` : 'Weights'}</h2>
              <label htmlFor={pickId}>Layer</label>
              <select id={pickId} value={chosen?.name ?? ''} onChange={(e) => setConfig({ layer: e.target.value })} disabled={choices.length === 0}>
                {choices.map((l) => (
                  <option key={l.name} value={l.name}>
                    {l.name} ({int(l.size)} weights)
                  </option>
                ))}
              </select>
              <label className="checkbox">
                <input type="checkbox" checked={log} onChange={(e) => setLog(e.target.checked)} /> Log-magnitude axis
              </label>
            </div>
            <p className="explain">
              <span className="swatch" style={{ background: COLORS.free }} /> free weights (bars) ·{' '}
              <span className="swatch" style={{ background: COLORS.frozen }} /> frozen, as spikes on their levels ·{' '}
              <span className="swatch" style={{ background: COLORS.level }} /> the levels ±2^n1 … ±2^n2
            </p>
            {info && result ? <OneLayerHistogram layer={info.name} log={log} /> : <p className="hint">The weights appear after the first round.</p>}
            <p className="explain">
              Partition mask, one cell per weight: <span className="swatch" style={{ background: COLORS.frozenNow }} /> frozen this round ·{' '}
              <span className="swatch" style={{ background: COLORS.frozenEarlier }} /> frozen earlier ·{' '}
              <span className="swatch swatch-outline" style={{ background: COLORS.freeCell }} /> free
            </p>
            {info && result ? <OneLayerMask layer={info.name} /> : null}
          </section>
        </div>
      </div>
    </div>
  );
}
