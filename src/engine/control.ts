/** Pause, resume, step and cancel for a running session, checked at batch/epoch/phase/round boundaries. */

/**
 * Granularity of a step. A phase is one of a round's stages (partition → quantize → re-train →
 * evaluate, and the start before round 1): its boundaries stop only a phase step (or a pause), so a
 * batch or epoch step still trains before it stops.
 */
export type StepUnit = 'batch' | 'epoch' | 'phase' | 'round';

const RANK: Record<StepUnit, number> = { batch: 0, epoch: 1, phase: 2, round: 3 };

/** Thrown inside a session when it is cancelled; the session's state stays consistent. */
export class CancelledError extends Error {
  override name = 'CancelledError';
  constructor() {
    super('the run was cancelled');
  }
}

/** Shared between the session (which awaits boundaries) and whoever steers it. */
export class RunControl {
  private paused = false;
  private stepUnit: StepUnit | null = null;
  private cancelled = false;
  private wake: (() => void) | null = null;
  /** Called whenever the session pauses or resumes. */
  onStateChange: ((state: 'paused' | 'running') => void) | null = null;

  constructor(signal?: AbortSignal) {
    signal?.addEventListener('abort', () => this.cancel(), { once: true });
    if (signal?.aborted) this.cancelled = true;
  }

  /** Whether the session is waiting at a boundary (or will at the next one). */
  get isPaused(): boolean {
    return this.paused;
  }

  /** Whether cancel() was called. */
  get isCancelled(): boolean {
    return this.cancelled;
  }

  /** Pause at the next batch boundary. */
  pause(): void {
    this.paused = true;
  }

  /** Continue running. */
  resume(): void {
    this.stepUnit = null;
    this.setPaused(false);
  }

  /** Run until the next boundary of `unit` (or coarser), then pause. */
  step(unit: StepUnit): void {
    this.stepUnit = unit;
    this.setPaused(false);
  }

  /** Stop at the next boundary; the session throws CancelledError there. */
  cancel(): void {
    this.cancelled = true;
    this.wakeUp();
  }

  /** Called by the session at each boundary: yields to the event loop, pauses or throws as steered. */
  async boundary(unit: StepUnit): Promise<void> {
    await new Promise<void>((r) => setTimeout(r, 0));
    if (this.cancelled) throw new CancelledError();
    const stops = unit === 'phase' ? this.stepUnit === 'phase' : this.stepUnit !== null && RANK[unit] >= RANK[this.stepUnit];
    if (stops) {
      this.stepUnit = null;
      this.paused = true;
    }
    if (!this.paused) return;
    this.onStateChange?.('paused');
    while (this.paused && !this.cancelled) {
      await new Promise<void>((r) => (this.wake = r));
    }
    if (this.cancelled) throw new CancelledError();
    this.onStateChange?.('running');
  }

  private setPaused(p: boolean): void {
    this.paused = p;
    if (!p) this.wakeUp();
  }

  private wakeUp(): void {
    const w = this.wake;
    this.wake = null;
    w?.();
  }
}
