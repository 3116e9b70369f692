/**
 * Runs a sweep from the page (bit-widths, an ensemble, or a repeat: one configuration from N seeds,
 * saved and compared as one entry) (main thread; it drives the worker through the client): one normal run after another (each shown live in the views and saved
 * like any run), recording each run's final accuracy. The worker does all the training; this only
 * sequences runs and, for ensembles, averages the members' test-set softmax (a few thousand numbers).
 */
import type { PlaygroundStore } from './store.ts';
import type { InqClient, RunProbabilities } from '../worker/client.ts';
import { presetFor } from '../inq/schedule.ts';
import { MAX_BITS, MIN_BITS } from '../inq/levels.ts';
import { ensembleCurve } from '../engine/ensemble.ts';
import { IDLE_SWEEP, type PlannedRun, type SweepState, type SweepStore } from './sweepStore.ts';
import { isRunActive, type PlaygroundConfig } from './types.ts';
import { boundText, CONFIG_BOUNDS, withinBound } from '../engine/config.ts';
import type { SweepPreset } from '../engine/presets.ts';

/** Largest ensemble the page offers (the regulariser study goes to 7). */
export const MAX_ENSEMBLE = 7;

/**
 * The runs of a bit-width sweep: bits 2…8 with the magnitude partition, then (ablation) with random;
 * with repeats, each bit-width from seeds s…s+repeats−1 in turn (tagged, so each is saved as one repeat).
 */
export function bitsPlan(seed: number, withRandom: boolean, repeats = 1): PlannedRun[] {
  const out: PlannedRun[] = [];
  for (const strategy of withRandom ? (['magnitude', 'random'] as const) : (['magnitude'] as const)) {
    for (let bits = MIN_BITS; bits <= MAX_BITS; bits++) {
      for (let k = 0; k < repeats; k++) out.push({ bits, strategy, seed: seed + k, ...(repeats > 1 ? { repeat: { key: `${strategy}-${bits}`, index: k, of: repeats } } : {}) });
    }
  }
  return out;
}

/**
 * The runs of a preset: each part's (model's) bit-width sweep from the preset's seeds, one part after
 * the other; each bit-width's seeds of each model form one repeat.
 */
export function presetPlan(preset: SweepPreset): PlannedRun[] {
  return preset.parts.flatMap((part, i) =>
    bitsPlan(part.seed, false, preset.repeats).map((r): PlannedRun => ({ ...r, part: i, ...(r.repeat ? { repeat: { ...r.repeat, key: `${part.model}-${r.repeat.key}` } } : {}) })),
  );
}

/** The runs of an ensemble: n models at one bit-width from seeds s…s+n−1. */
export function ensemblePlan(n: number, bits: number, seed: number, strategy: PlannedRun['strategy']): PlannedRun[] {
  if (!Number.isInteger(n) || n < 1 || n > MAX_ENSEMBLE) throw new RangeError(`an ensemble has 1 to ${MAX_ENSEMBLE} models (got ${n})`);
  return Array.from({ length: n }, (_, k) => ({ bits, strategy, seed: seed + k }));
}

/** Drives one sweep at a time. */
export class SweepDriver {
  private saved: Pick<PlaygroundConfig, 'bits' | 'strategy' | 'seed' | 'schedule'> | null = null;
  /** The preset being run, with the site's base URL (its models load from there), and which of its parts is in place. */
  private preset: { preset: SweepPreset; base: string } | null = null;
  private appliedPart: number | null = null;
  private currentRun: string | null = null;
  private probs: Float32Array[] = [];
  private labels: Uint8Array | null = null;
  private classes = 0;
  private unsubscribe: (() => void) | null = null;

  constructor(
    private readonly page: PlaygroundStore,
    private readonly client: InqClient,
    readonly sweep: SweepStore,
  ) {}

  /** Bit-widths 2–8 from the current settings (schedule: each bit-width's preset), each from `repeats` seeds. */
  startBits(withRandom: boolean, repeats = 1): void {
    this.begin('bits', bitsPlan(this.page.getState().config.seed, withRandom, repeats), repeats);
  }

  /**
   * A preset (src/engine/presets.ts): for each of its parts in turn, the part's settings (the
   * pre-trained model, its re-training subset's size and seed, epochs per round, learning rate;
   * every round on all the preset's test images), then the bit-width sweep 2–8 on it once the model
   * is loaded, each bit-width from the preset's seeds. A part's subset seed stays fixed across its
   * seeds, so the over-fitting model re-trains on the images it was pre-trained on and only the
   * partition ties and batch order vary. The settings stay at the last part's afterwards.
   * `base`: the site's base URL.
   */
  startPreset(preset: SweepPreset, base: string): void {
    this.preset = { preset, base };
    this.appliedPart = null;
    this.begin(
      'bits',
      presetPlan(preset),
      preset.repeats,
      preset.parts.map((p) => ({ model: p.model, role: p.role })),
    );
  }

  /**
   * Puts a preset part's settings in place, loading its model when it is not the one loaded; calls
   * `then` once the page is ready to run it. A model that fails to load stops the sweep.
   */
  private applyPart(index: number, then: () => void): void {
    const preset = this.preset;
    const part = preset?.preset.parts[index];
    if (!preset || !part) {
      this.finish('stopped', 'Sweep stopped: the preset has no such part.');
      return;
    }
    const s = this.page.getState();
    const switching = s.config.pretrained !== part.model;
    s.setConfig({
      pretrained: part.model,
      trainSize: part.trainSize,
      trainSeed: part.trainSeed ?? null,
      epochsPerRound: part.epochsPerRound,
      learningRate: part.learningRate,
      testSize: preset.preset.finalTestSize,
    });
    this.appliedPart = index;
    if (!switching) {
      then();
      return;
    }
    this.sweep.setState({ message: `Loading ${part.model} for the ${preset.preset.title} sweep…` });
    this.currentRun = null;
    let loading = false;
    const stop = this.page.subscribe((st) => {
      // Wait for the new model's load to start, then to end.
      if (st.status === 'loading') loading = true;
      if (!loading || st.status === 'loading') return;
      stop();
      if (this.sweep.getState().status !== 'running') return;
      if (st.status === 'ready') {
        this.sweep.setState({ message: null });
        then();
      } else this.finish('stopped', `${preset.preset.title}: ${part.model} could not be loaded.`);
    });
    this.client.usePretrained(part.model, preset.base);
  }

  /** N models at the current bit-width from consecutive seeds, softmax-averaged. */
  startEnsemble(n: number): void {
    const c = this.page.getState().config;
    this.begin('ensemble', ensemblePlan(n, c.bits, c.seed, c.strategy));
  }

  /**
   * The current configuration from seeds s…s+n−1 (s: the seed set): the runs are tagged as one
   * repeat, so saved runs list them as one entry and the compare view draws their mean and interval.
   */
  startRepeat(n: number): void {
    const b = CONFIG_BOUNDS.repeats;
    if (!withinBound(b, n)) {
      this.sweep.setState({ ...IDLE_SWEEP, message: `Repeats must be ${boundText(b)} (got ${n}).` });
      return;
    }
    const c = this.page.getState().config;
    this.begin('repeat', Array.from({ length: n }, (_, k) => ({ bits: c.bits, strategy: c.strategy, seed: c.seed + k, repeat: { key: '', index: k, of: n } })));
  }

  /** Stops after cancelling the run in progress; finished rows stay. */
  stop(): void {
    if (this.sweep.getState().status !== 'running') return;
    this.finish('stopped', 'Sweep stopped; the finished runs are kept.');
    this.client.cancel();
  }

  private begin(kind: 'bits' | 'ensemble' | 'repeat', plan: PlannedRun[], repeats = 1, parts: SweepState['parts'] = []): void {
    const s = this.page.getState();
    if (this.sweep.getState().status === 'running') return;
    if (isRunActive(s.status) || s.status === 'loading') {
      this.sweep.setState({ ...IDLE_SWEEP, message: 'Wait for the current run to finish (or stop it) before starting a sweep.' });
      return;
    }
    // A preset leaves its last part's settings in place; other sweeps give the user's back.
    this.saved = parts.length > 0 ? null : { bits: s.config.bits, strategy: s.config.strategy, seed: s.config.seed, schedule: [...s.config.schedule] };
    if (parts.length === 0) this.preset = null;
    this.probs = [];
    this.labels = null;
    const grouped = plan.some((p) => p.repeat);
    this.sweep.setState({ ...IDLE_SWEEP, kind, group: grouped ? `${kind === 'repeat' ? 'repeat' : 'sweep'}-${Date.now()}` : null, status: 'running', plan, repeats: kind === 'repeat' ? plan.length : repeats, parts });
    this.client.onRunProbabilities = kind === 'ensemble' ? (p) => this.onProbabilities(p) : null;
    this.unsubscribe?.();
    this.unsubscribe = this.page.subscribe((st, prev) => {
      // Between runs (a preset's next model loading) there is no run to follow.
      if (this.currentRun === null || st.status === prev.status || st.runId !== this.currentRun) return;
      if (st.status === 'done') this.onRunDone();
      else if (st.status === 'cancelled' || st.status === 'error') {
        if (this.sweep.getState().status === 'running') this.finish('stopped', st.status === 'error' ? `Sweep stopped: ${st.message ?? 'the run failed'}` : 'Sweep stopped; the finished runs are kept.');
      }
    });
    this.next();
  }

  private next(): void {
    const sw = this.sweep.getState();
    const planned = sw.plan[sw.index];
    if (!planned) {
      this.finish('done', null);
      return;
    }
    if (planned.part !== undefined && planned.part !== this.appliedPart) {
      this.applyPart(planned.part, () => this.next());
      return;
    }
    const st = this.page.getState();
    st.setConfig({ bits: planned.bits, strategy: planned.strategy, seed: planned.seed });
    // A bit-width sweep uses each bit-width's preset schedule; an ensemble and a repeat keep the user's.
    if (sw.kind === 'bits') st.setSchedule(presetFor(planned.bits));
    // Runs tagged in the plan are saved as repeats: a repeat's runs form the sweep's group (key ''), a
    // bit-width sweep with repeats makes a group per model, partition and bit-width.
    const tag = planned.repeat;
    const repeat = tag && sw.group ? { group: tag.key ? `${sw.group}-${tag.key}` : sw.group, index: tag.index, of: tag.of } : undefined;
    this.client.start(undefined, { probabilities: sw.kind === 'ensemble', repeat });
    this.currentRun = this.page.getState().runId;
    if (this.page.getState().status !== 'running') this.finish('stopped', 'Sweep stopped: the run could not start.');
  }

  private onProbabilities(p: RunProbabilities): void {
    if (p.runId !== this.currentRun) return;
    this.probs.push(p.probs);
    this.labels = p.labels;
    this.classes = p.classes;
  }

  private onRunDone(): void {
    const sw = this.sweep.getState();
    const st = this.page.getState();
    const planned = sw.plan[sw.index];
    if (!planned || !st.summary || !st.runId) return;
    const rows = [
      ...sw.rows,
      { bits: planned.bits, strategy: planned.strategy, seed: planned.seed, model: st.config.pretrained, runId: st.runId, floatAccuracy: st.summary.floatAccuracy, accuracy: st.summary.finalAccuracy, packedBytes: st.summary.packedBytes, floatBytes: st.summary.floatBytes },
    ];
    const ensemble = sw.kind === 'ensemble' && this.labels ? ensembleCurve(this.probs, this.labels, this.classes) : sw.ensemble;
    this.sweep.setState({ rows, ensemble, index: sw.index + 1 });
    // Let the store and the views settle on this run before the next one replaces it.
    setTimeout(() => {
      if (this.sweep.getState().status === 'running') this.next();
    }, 0);
  }

  private finish(status: 'done' | 'stopped', message: string | null): void {
    this.unsubscribe?.();
    this.unsubscribe = null;
    this.client.onRunProbabilities = null;
    this.currentRun = null;
    this.sweep.setState({ status, message });
    if (this.saved) {
      const st = this.page.getState();
      st.setConfig({ bits: this.saved.bits, strategy: this.saved.strategy, seed: this.saved.seed });
      st.setSchedule(this.saved.schedule);
      this.saved = null;
    }
  }
}

let pageDriver: SweepDriver | null = null;

/** Installs the page's sweep driver (main.tsx). */
export function setPageSweep(d: SweepDriver): void {
  pageDriver = d;
}

/** The page's sweep driver. */
export function getPageSweep(): SweepDriver {
  if (!pageDriver) throw new Error('the sweep driver is not set up');
  return pageDriver;
}
