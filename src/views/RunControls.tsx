/** Run / Pause / Step / Reset, the step granularity, keyboard shortcuts, and the round and run progress bars. */
import { useEffect } from 'react';
import { getPageStore, usePlayground } from '../store/store.ts';
import type { PlaygroundState, Progress } from '../store/types.ts';
import type { StepUnit } from '../engine/control.ts';
import type { InqClient } from '../worker/client.ts';
import { useInqClient } from './clientContext.ts';

const STEP_UNITS: readonly StepUnit[] = ['batch', 'epoch', 'phase', 'round'];

/** What Run / Space does now: start a run, resume a paused one, or nothing. */
function runOrResume(client: InqClient, s: PlaygroundState): void {
  if (s.status === 'paused') client.resume();
  else if (s.status === 'ready' || s.status === 'done' || s.status === 'cancelled') client.start();
}

/** Whether Run, Step (and the tour's Next) can go now. */
export function canStart(s: PlaygroundState): boolean {
  if (s.scheduleError) return false;
  // After an error the banner offers a restart or a continuation; a plain start could reach a dead worker.
  return s.status === 'paused' || s.status === 'ready' || s.status === 'done' || s.status === 'cancelled';
}

/** Keyboard: Space runs or pauses, → steps, R resets; ignored while typing in a field. */
function useShortcuts(client: InqClient): void {
  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      if (e.ctrlKey || e.metaKey || e.altKey || e.defaultPrevented) return;
      const t = e.target as HTMLElement | null;
      if (t && (t.isContentEditable || ['INPUT', 'SELECT', 'TEXTAREA'].includes(t.tagName))) return;
      const s = getPageStore().getState();
      if (e.key === ' ' || e.code === 'Space') {
        // A focused button would also click on Space: let it, unless it is the Run/Pause pair itself.
        if (t?.tagName === 'BUTTON' && !t.dataset.shortcut) return;
        e.preventDefault();
        if (s.status === 'running') client.pause();
        else if (canStart(s)) runOrResume(client, s);
      } else if (e.key === 'ArrowRight') {
        if (!canStart(s)) return;
        e.preventDefault();
        client.step(s.stepUnit);
      } else if (e.key === 'r' || e.key === 'R') {
        e.preventDefault();
        client.reset();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [client]);
}

/** Fraction of the current round done (re-training batches), and of the whole run. */
function progressFractions(p: Progress | null, completed: number, done: boolean): { round: number; run: number } {
  if (done) return { round: 1, run: 1 };
  if (!p || p.rounds === 0) return { round: 0, run: 0 };
  let round = 0;
  if (p.round > 0 && p.round <= completed) round = 1;
  else if (p.epoch > 0 && p.epochs > 0 && p.batches > 0) round = Math.min(1, (p.epoch - 1 + p.batch / p.batches) / p.epochs);
  const inRound = p.round > completed ? round : 0;
  return { round, run: Math.min(1, (completed + inRound) / p.rounds) };
}

function progressText(p: Progress | null, status: string, completed: number): string {
  if (!p) return status === 'loading' ? 'Loading…' : 'Not started';
  if (status === 'done') return `Done: ${completed}/${p.rounds} rounds`;
  if (p.round === 0 && p.epoch > 0) {
    const loss = Number.isFinite(p.loss) ? ` · loss ${p.loss.toFixed(3)}` : '';
    return `Pruning before INQ · epoch ${p.epoch}/${p.epochs} · batch ${p.batch}/${p.batches}${loss}${status === 'paused' ? ' · paused' : ''}`;
  }
  if (p.round === 0) return `Starting: evaluating the float model… (${p.rounds} rounds)`;
  const parts = [`Round ${p.round}/${p.rounds}`];
  if (p.round === p.rounds && p.round > completed) parts.push('quantizing the rest, no re-training');
  else if (p.epoch > 0) {
    parts.push(`epoch ${p.epoch}/${p.epochs}`, `batch ${p.batch}/${p.batches}`);
    if (Number.isFinite(p.loss)) parts.push(`loss ${p.loss.toFixed(3)}`);
  }
  if (status === 'paused') parts.push('paused');
  if (status === 'cancelled') parts.push('cancelled');
  if (status === 'error') parts.push('stopped');
  return parts.join(' · ');
}

/** An ARIA progress bar with a visible fill. */
function Bar({ label, fraction }: { label: string; fraction: number }) {
  const now = Math.round(100 * fraction);
  return (
    <div className="bar-row">
      <span className="bar-label">{label}</span>
      <div className="bar" role="progressbar" aria-label={label} aria-valuemin={0} aria-valuemax={100} aria-valuenow={now}>
        <div className="bar-fill" style={{ width: `${now}%` }} />
      </div>
      <span className="bar-value">{now}%</span>
    </div>
  );
}

/** The run's buttons, the step size, progress bars and the progress line. */
export function RunControls() {
  const client = useInqClient();
  useShortcuts(client);
  const status = usePlayground((s) => s.status);
  const startable = usePlayground(canStart);
  const stepUnit = usePlayground((s) => s.stepUnit);
  const progress = usePlayground((s) => s.progress);
  const completed = usePlayground((s) => s.rounds.length);
  const hasHistory = usePlayground((s) => s.rounds.length > 0 || s.progress !== null);
  const f = progressFractions(progress, completed, status === 'done');
  const run = (): void => runOrResume(client, getPageStore().getState());

  return (
    <section className="card run-controls">
      <h2>Run</h2>
      <div className="buttons">
        <button type="button" className="primary" data-shortcut="1" onClick={run} disabled={!startable || status === 'running'}>
          {status === 'paused' ? 'Resume' : 'Run'}
        </button>
        <button type="button" data-shortcut="1" onClick={() => client.pause()} disabled={status !== 'running'}>
          Pause
        </button>
        <button type="button" onClick={() => client.step(stepUnit)} disabled={!startable} title={`Run one ${stepUnit}, then pause`}>
          Step
        </button>
        <select aria-label="Step size" value={stepUnit} onChange={(e) => getPageStore().setState({ stepUnit: e.target.value as StepUnit })}>
          {STEP_UNITS.map((u) => (
            <option key={u} value={u}>
              1 {u}
            </option>
          ))}
        </select>
        <button type="button" onClick={() => client.reset()} disabled={!hasHistory && status !== 'running' && status !== 'paused'}>
          Reset
        </button>
      </div>
      <p className="shortcuts">
        <kbd>Space</kbd> run/pause · <kbd>→</kbd> step · <kbd>R</kbd> reset
      </p>
      <Bar label="Round progress" fraction={f.round} />
      <Bar label="Run progress" fraction={f.run} />
      <p className="progress-text" data-testid="progress-text" aria-live="polite">
        {progressText(progress, status, completed)}
      </p>
    </section>
  );
}
