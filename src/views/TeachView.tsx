/**
 * Teach: INQ on one screen for a class (`#view=teach`, sized for 1440×900): the run's controls
 * (Step goes one phase: start, partition, quantize, re-train, evaluate), a caption that tells what
 * the phase just did with this run's numbers, the accuracy against float and one-shot, one layer's
 * weights (histogram with the snap animated, log-magnitude axis on by default) and partition mask,
 * a weight to follow, and the guided tour (`tour` in the link). Larger type, nothing below the fold.
 */
import { useCallback, useEffect, useId, useMemo, useState } from 'react';
import { getPageStore, usePlayground } from '../store/store.ts';
import type { PlaygroundState } from '../store/types.ts';
import type { LayerInfo, LayerSnapshot } from '../engine/types.ts';
import { SLOTS, useStaggered } from './useStaggered.ts';
import { RunControls, canStart } from './RunControls.tsx';
import { AccuracyChart } from './AccuracyCharts.tsx';
import { HistogramFigure } from './WeightHistograms.tsx';
import { MaskFigure } from './PartitionMasks.tsx';
import { IntegrityBadge } from './RoundViews.tsx';
import { SnapOverlay } from './SnapOverlay.tsx';
import { FollowWeight } from './FollowWeight.tsx';
import { useShownResult } from './useShownRound.ts';
import { COLORS } from './colors.ts';
import { int } from './format.ts';
import { formatSchedule } from '../inq/schedule.ts';
import { ViewSwitch } from './ViewSwitch.tsx';
import { stageCaption, stageTitle } from './teachStory.ts';
import { TOUR_STEPS, type TourTarget } from './tour.ts';
import { useInqClient } from './clientContext.ts';

/** The layer Teach shows: the one the link names if the model has it, else the largest. */
export function teachLayer<L extends { name: string; size: number }>(layers: readonly L[], wanted: string): L | null {
  return layers.find((l) => l.name === wanted) ?? layers.reduce<L | null>((a, l) => (!a || l.size > a.size ? l : a), null);
}

/** The live stage while the views follow the latest round (a round picked in the scrubber shows that round instead). */
const liveStage = (s: PlaygroundState) => (s.selectedRound === null ? s.stage : null);

/** What the layer's views draw at one stage: handed over together, so the histogram, the dots and the mask never mix two stages. */
interface LayerFrame {
  info: LayerInfo;
  snap: LayerSnapshot;
  /** The chosen weights' float values (partition and quantize), for the dots. */
  from: LayerSnapshot | null;
  round: number;
  moving: boolean;
}

/** The histogram with the snap's dots, each delivered in a task of its own after the stage changes (useStaggered). */
function TeachHistogram({ frame, log }: { frame: LayerFrame; log: boolean }) {
  const shown = useStaggered(frame, SLOTS.histograms, 'histogram');
  const dots = useStaggered(frame, SLOTS.histograms + 1);
  if (!shown) return <figure className="chart-card chart-pending" data-testid={`histogram-${frame.info.name}`} />;
  return (
    <HistogramFigure info={shown.info} snap={shown.snap} log={log}>
      {dots?.from && <SnapOverlay info={dots.info} from={dots.from} to={dots.snap} round={dots.round} log={log} moving={dots.moving} />}
    </HistogramFigure>
  );
}

/** The mask, in a task of its own; a click follows that weight. */
function TeachMask({ frame }: { frame: LayerFrame }) {
  const shown = useStaggered(frame, SLOTS.masks + 2, 'mask');
  const pinned = usePlayground((s) => (s.pinned?.layer === frame.info.name ? s.pinned.index : null));
  const pinWeight = usePlayground((s) => s.pinWeight);
  const name = frame.info.name;
  const onPick = useCallback((index: number) => pinWeight({ layer: name, index }), [pinWeight, name]);
  if (!shown) return <figure className="mask-card chart-pending" />;
  return <MaskFigure info={shown.info} snap={shown.snap} round={shown.round} pinned={pinned} onPick={onPick} />;
}

/** The tour's card: the step, what to look at, Next (one phase) and Leave. */
function TourCard() {
  const client = useInqClient();
  const step = usePlayground((s) => Math.min(s.tourStep, TOUR_STEPS.length - 1));
  const setTourStep = usePlayground((s) => s.setTourStep);
  const setConfig = usePlayground((s) => s.setConfig);
  const status = usePlayground((s) => s.status);
  const ready = usePlayground(canStart);
  const t = TOUR_STEPS[step];
  const busy = status === 'running' || status === 'loading';
  const next = (): void => {
    if (t.next === 'finish') {
      setConfig({ tour: false });
      setTourStep(0);
      return;
    }
    if (t.next === 'phase') {
      if (!canStart(getPageStore().getState())) return;
      client.step('phase');
    }
    setTourStep(step + 1);
  };
  return (
    <div className="tour" role="region" aria-label="Guided tour" data-testid="tour" data-step={step + 1}>
      <p className="tour-head">
        <strong>
          Tour · {step + 1} of {TOUR_STEPS.length}: {t.title}
        </strong>
      </p>
      <p className="tour-guide" data-testid="tour-guide">
        {t.guide}
      </p>
      <div className="buttons">
        <button type="button" className="primary" onClick={next} disabled={t.next === 'phase' && (busy || !ready)}>
          {t.next === 'finish' ? 'Finish the tour' : 'Next'}
        </button>
        <button type="button" onClick={() => setConfig({ tour: false })}>
          Leave the tour
        </button>
        {busy && <span className="tour-wait">{status === 'loading' ? 'loading the model…' : 'working… (Pause stops the run where it is)'}</span>}
      </div>
    </div>
  );
}

/** Opens the tour, or returns to it at the step it was left on. */
function TourButton() {
  const tour = usePlayground((s) => s.config.tour);
  const step = usePlayground((s) => s.tourStep);
  const setConfig = usePlayground((s) => s.setConfig);
  if (tour) return null;
  const midway = step > 0 && step < TOUR_STEPS.length;
  return (
    <button type="button" onClick={() => setConfig({ tour: true })}>
      {midway ? `Back to the tour (step ${step + 1} of ${TOUR_STEPS.length})` : 'Take the guided tour'}
    </button>
  );
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
  const epochs = usePlayground((s) => s.config.epochsPerRound);
  const testImages = usePlayground((s) => (s.testCount > 0 ? Math.min(s.config.testSize, s.testCount) : s.config.testSize));
  const model = usePlayground((s) => s.model?.name ?? '');
  const pretrained = usePlayground((s) => s.model?.pretrainedAccuracy ?? null);
  const modelLayers = usePlayground((s) => s.model?.layers);
  const loss = usePlayground((s) => s.progress?.loss ?? NaN);
  const tour = usePlayground((s) => s.config.tour);
  const tourStep = usePlayground((s) => s.tourStep);
  const stage = usePlayground(liveStage);
  const result = useShownResult();
  const info = useMemo(() => teachLayer(layers, wanted), [layers, wanted]);
  // Before a run the layers come from the model's summary (the run's start event brings their levels).
  const choices = useMemo(() => (layers.length > 0 ? layers : (modelLayers ?? [])), [layers, modelLayers]);
  const chosen = useMemo(() => teachLayer(choices, wanted), [choices, wanted]);
  const [log, setLog] = useState(true);
  const pickId = useId();

  // Step in Teach goes one phase.
  useEffect(() => {
    if (getPageStore().getState().stepUnit !== 'phase') getPageStore().setState({ stepUnit: 'phase' });
  }, []);

  // What the views show: the live phase's snapshot, else the shown round's.
  const phaseLayers = stage?.layers ?? null;
  const stageName = stage ? stage.name : result ? 'evaluate' : null;
  const round = phaseLayers && stage ? stage.round : (result?.round ?? 0);
  const find = (list: readonly LayerSnapshot[] | null | undefined): LayerSnapshot | null => (info ? (list?.find((l) => l.name === info.name) ?? null) : null);
  const snap = find(phaseLayers) ?? find(result?.layers);
  const from = stage && (stage.name === 'partition' || stage.name === 'quantize') ? find(stage.chosen) : null;
  const moving = stageName === 'quantize';
  const frame = useMemo((): LayerFrame | null => (info && snap ? { info, snap, from, round, moving } : null), [info, snap, from, round, moving]);
  const shownResult = stageName === 'evaluate' ? result : null;
  const portion = round > 0 ? (schedule[round - 1] ?? null) : null;
  const text = stageCaption({
    stage: stageName,
    info,
    snap,
    round,
    total,
    portion,
    result: shownResult,
    float,
    oneShot,
    pretrained,
    testImages,
    epoch: stage?.epoch ?? 0,
    epochs,
    fraction: stage?.fraction ?? 0,
    loss,
  });
  const target: TourTarget | null = tour ? TOUR_STEPS[Math.min(tourStep, TOUR_STEPS.length - 1)].target : null;
  const mark = (t: TourTarget): string => (target === t ? ' tour-target' : '');

  return (
    <div className="teach" data-testid="teach-view" data-stage={stageName ?? 'none'} data-round={round}>
      <header className="teach-header">
        <h1>INQ Playground · Teach</h1>
        <ViewSwitch />
        <p className="teach-setup">
          {model} · {bits} bits · schedule {formatSchedule(schedule)}
        </p>
        <TourButton />
      </header>
      <div className="teach-grid">
        <div className="teach-left">
          <RunControls />
          <section className={`card teach-story${mark('story')}`} aria-label="What just happened">
            <h2 data-testid="teach-stage">{stageTitle(stageName, round)}</h2>
            <p data-testid="teach-caption" aria-live="polite">
              {text}
            </p>
            {stageName === 'evaluate' && result?.integrity && <IntegrityBadge moved={result.integrity.moved} offLevel={result.integrity.offLevel} />}
          </section>
          <div className={`tour-frame${mark('accuracy')}`}>
            <AccuracyChart />
          </div>
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
            <div className={`tour-frame${mark('histogram')}`}>
              <p className="explain">
                <span className="swatch" style={{ background: COLORS.free }} /> free weights (bars) ·{' '}
                <span className="swatch" style={{ background: COLORS.frozenNow }} /> chosen this round (dots) ·{' '}
                <span className="swatch" style={{ background: COLORS.frozen }} /> frozen, as spikes on their levels ·{' '}
                <span className="swatch" style={{ background: COLORS.level }} /> the levels
              </p>
              {frame ? (
                <TeachHistogram frame={frame} log={log} />
              ) : (
                <p className="hint">The weights appear when round 1 chooses its first portion.</p>
              )}
            </div>
            <div className="teach-mask-row">
              <div className={`tour-frame${mark('mask')}`}>
                <p className="explain">
                  Partition mask, one cell per weight: <span className="swatch" style={{ background: COLORS.frozenNow }} /> chosen this round ·{' '}
                  <span className="swatch" style={{ background: COLORS.frozenEarlier }} /> frozen earlier ·{' '}
                  <span className="swatch swatch-outline" style={{ background: COLORS.freeCell }} /> free
                </p>
                {frame ? <TeachMask frame={frame} /> : null}
              </div>
              <div className={`teach-follow tour-frame${mark('follow')}`} aria-label="Follow one weight" role="region">
                <h3>Follow one weight</h3>
                <FollowWeight height={170} />
              </div>
            </div>
          </section>
          {tour && <TourCard />}
        </div>
      </div>
    </div>
  );
}
