/** The portion schedule: typed text validated as you type, a bar of per-round increments (drag the edges), editable steps, and the paper's presets. */
import { useId, useRef, useState, type PointerEvent as ReactPointerEvent } from 'react';
import { usePlayground } from '../store/store.ts';
import { isRunActive } from '../store/types.ts';
import { CONFIG_BOUNDS } from '../engine/config.ts';
import { MAX_SCHEDULE_STEPS, SCHEDULE_PRESETS, formatSchedule, presetFor } from '../inq/schedule.ts';
import { LENET5_PRESETS } from '../engine/presets.ts';
import { roundColor } from './colors.ts';

/** The typed steps, loosely split (so an invalid schedule still lists what was typed). */
function tokensOf(text: string): string[] {
  return text
    .trim()
    .split(/[\s,;]+/)
    .filter((t) => t !== '');
}

/** Portion with at most 4 decimals, so dragging gives readable numbers. */
function tidy(p: number): number {
  return Math.round(p * 1000) / 1000;
}

/** One step's number input; keeps a draft while typing so "0." does not collapse the list. */
function StepInput({ index, token, onCommit, disabled }: { index: number; token: string; onCommit: (raw: string) => void; disabled: boolean }) {
  const [draft, setDraft] = useState<string | null>(null);
  return (
    <input
      type="number"
      min={CONFIG_BOUNDS.portion.min}
      max={CONFIG_BOUNDS.portion.max}
      step={0.005}
      aria-label={`Step ${index + 1} portion`}
      value={draft ?? token}
      disabled={disabled}
      onChange={(e) => {
        const raw = e.target.value;
        setDraft(raw);
        if (raw.trim() !== '') onCommit(raw.trim());
      }}
      onBlur={() => setDraft(null)}
    />
  );
}

/** The schedule as segments, one per round's increment; the edges between them can be dragged. */
function ScheduleBar({ schedule, invalid, disabled, onChange }: { schedule: number[]; invalid: boolean; disabled: boolean; onChange: (p: number[]) => void }) {
  const bar = useRef<HTMLDivElement>(null);
  const [dragging, setDragging] = useState<number | null>(null);
  const K = schedule.length;

  const move = (e: ReactPointerEvent, k: number): void => {
    const el = bar.current;
    if (!el) return;
    const r = el.getBoundingClientRect();
    const lo = (k > 0 ? schedule[k - 1] : 0) + 0.005;
    const hi = schedule[k + 1] - 0.005;
    if (hi < lo) return;
    const v = tidy(Math.min(hi, Math.max(lo, (e.clientX - r.left) / r.width)));
    if (v !== schedule[k]) onChange(schedule.map((p, i) => (i === k ? v : p)));
  };

  return (
    <div className={`schedule-bar${invalid ? ' schedule-bar-stale' : ''}`} ref={bar} aria-hidden="true">
      {schedule.map((p, k) => {
        const from = k > 0 ? schedule[k - 1] : 0;
        return (
          <div
            key={k}
            className="schedule-seg"
            style={{ left: `${100 * from}%`, width: `${100 * (p - from)}%`, background: roundColor(k + 1, K) }}
            title={`Round ${k + 1}: freezes ${(100 * (p - from)).toFixed(1)} % more (cumulative ${(100 * p).toFixed(1)} %)`}
          >
            {p - from >= 0.06 && <span>{k + 1}</span>}
          </div>
        );
      })}
      {!disabled &&
        schedule.slice(0, -1).map((p, k) => (
          <div
            key={`h${k}`}
            className={`schedule-handle${dragging === k ? ' dragging' : ''}`}
            style={{ left: `${100 * p}%` }}
            onPointerDown={(e) => {
              e.currentTarget.setPointerCapture(e.pointerId);
              setDragging(k);
            }}
            onPointerMove={(e) => {
              if (dragging === k) move(e, k);
            }}
            onPointerUp={() => setDragging(null)}
            onPointerCancel={() => setDragging(null)}
          />
        ))}
    </div>
  );
}

/** Schedule text, bar, step list and presets. */
export function ScheduleEditor() {
  const text = usePlayground((s) => s.scheduleText);
  const error = usePlayground((s) => s.scheduleError);
  const schedule = usePlayground((s) => s.config.schedule);
  const status = usePlayground((s) => s.status);
  const setScheduleText = usePlayground((s) => s.setScheduleText);
  const setSchedule = usePlayground((s) => s.setSchedule);
  const setConfig = usePlayground((s) => s.setConfig);
  const id = useId();
  const busy = isRunActive(status);
  const tokens = tokensOf(text);

  const replaceToken = (k: number, raw: string): void => setScheduleText(tokens.map((t, i) => (i === k ? raw : t)).join(','));
  const removeToken = (k: number): void => setScheduleText(tokens.filter((_, i) => i !== k).join(','));
  const addStep = (): void => {
    const nums = tokens.map(Number);
    if (nums.length === 0 || nums.some((n) => !Number.isFinite(n))) {
      setScheduleText(tokens.length === 0 ? '1' : `${text},1`);
      return;
    }
    const last = nums[nums.length - 1];
    const before = nums.length > 1 ? nums[nums.length - 2] : 0;
    // Split the last round's increment in two: the schedule stays valid.
    const mid = tidy((before + last) / 2);
    setScheduleText(formatSchedule([...nums.slice(0, -1), mid > before && mid < last ? mid : last / 2, last]));
  };

  return (
    <section className="card">
      <h2>Portion schedule</h2>
      <p className="explain">
        Cumulative share of every layer frozen after each round; the last step must be 1. Longer schedules give re-training more chances to make up for
        each step (the paper uses longer ones at fewer bits).
      </p>
      <input
        id={id}
        className="schedule-text"
        type="text"
        aria-label="Portion schedule"
        value={text}
        onChange={(e) => setScheduleText(e.target.value)}
        disabled={busy}
        aria-invalid={error !== null}
        aria-describedby={error ? `${id}-err` : undefined}
        spellCheck={false}
      />
      {error && (
        <p id={`${id}-err`} className="field-error" role="alert" data-testid="schedule-error">
          {error}
        </p>
      )}
      <ScheduleBar schedule={schedule} invalid={error !== null} disabled={busy || error !== null} onChange={setSchedule} />
      <ol className="steps">
        {/* At most as many step inputs as a schedule may have: a pasted 10,000-step list is refused above, not drawn. */}
        {tokens.slice(0, MAX_SCHEDULE_STEPS).map((t, k) => (
          <li key={k}>
            <span className="step-swatch" style={{ background: roundColor(k + 1, tokens.length) }} aria-hidden="true" />
            <span className="step-name">Round {k + 1}</span>
            <StepInput index={k} token={t} onCommit={(raw) => replaceToken(k, raw)} disabled={busy} />
            <button type="button" className="icon-button" aria-label={`Remove step ${k + 1}`} onClick={() => removeToken(k)} disabled={busy || tokens.length <= 1}>
              ×
            </button>
          </li>
        ))}
      </ol>
      {tokens.length > MAX_SCHEDULE_STEPS && <p className="field-hint">…and {tokens.length - MAX_SCHEDULE_STEPS} more steps, not listed</p>}
      <div className="buttons">
        <button type="button" onClick={addStep} disabled={busy}>
          Add step
        </button>
        <span className="presets" role="group" aria-label="The paper's schedules">
          Paper:
          {Object.keys(SCHEDULE_PRESETS)
            .map(Number)
            .sort((a, b) => b - a)
            .map((b) => (
              <button key={b} type="button" aria-label={`The paper's ${b}-bit schedule`} onClick={() => setSchedule(presetFor(b))} disabled={busy} title={formatSchedule(presetFor(b))}>
                {b}-bit
              </button>
            ))}
        </span>
        {LENET5_PRESETS.length > 0 && (
          <span className="presets" role="group" aria-label="LeNet-5's measured setups">
            LeNet-5:
            {LENET5_PRESETS.map((p) => (
              <button
                key={p.bits}
                type="button"
                aria-label={`LeNet-5's measured ${p.bits}-bit setup`}
                onClick={() => {
                  setConfig({ bits: p.bits, epochsPerRound: p.epochsPerRound, learningRate: p.learningRate, trainSize: p.trainSize });
                  setSchedule([...p.schedule]);
                }}
                disabled={busy}
                title={`${p.bits} bits, schedule ${formatSchedule(p.schedule)}, ${p.epochsPerRound} epoch(s) a round, lr ${p.learningRate}, ${p.trainSize.toLocaleString('en')} training images: ${p.measured}`}
              >
                {p.bits}-bit
              </button>
            ))}
          </span>
        )}
      </div>
    </section>
  );
}
