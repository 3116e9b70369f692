/** State of a sweep (many runs from one action): bit-widths 2–8 (± the random-partition ablation), an ensemble, or a repeat (one configuration, N seeds). */
import { createStore } from 'zustand/vanilla';
import { useStore } from 'zustand';
import type { PartitionStrategy } from '../inq/partition.ts';
import type { EnsemblePoint } from '../engine/ensemble.ts';

/** One run a sweep will make. */
export interface PlannedRun {
  bits: number;
  strategy: PartitionStrategy;
  seed: number;
  /** A run saved as one seed of a repeat: its configuration's key within the sweep ('' for a plain repeat; strategy and bits, and model, for a bit-width sweep), its place among the seeds, and how many there are. */
  repeat?: { key: string; index: number; of: number };
  /** In a preset's sweep: which of its parts (models) the run belongs to (SweepState.parts). */
  part?: number;
}

/** One finished run of a sweep. */
export interface SweepRow extends PlannedRun {
  runId: string;
  /** The pre-trained model the run started from. */
  model?: string;
  floatAccuracy: number;
  accuracy: number;
  packedBytes: number;
  floatBytes: number;
}

/** The sweep's state. */
export interface SweepState {
  kind: 'bits' | 'ensemble' | 'repeat' | null;
  /** A repeat's group (its runs' RepeatTag.group; a bit-width sweep with repeats: the prefix of each bit-width's group), or null. */
  group: string | null;
  status: 'idle' | 'running' | 'done' | 'stopped';
  plan: PlannedRun[];
  /** Index of the run in progress (or the next). */
  index: number;
  rows: SweepRow[];
  /** Seeds per configuration (a bit-width sweep's repeats; 1 otherwise). */
  repeats: number;
  /** A preset's models, in the order they run (empty for other sweeps). */
  parts: { model: string; role: string }[];
  /** Ensemble accuracy against the number of members (ensemble sweeps). */
  ensemble: EnsemblePoint[];
  /** Why the sweep stopped early, or null. */
  message: string | null;
}

export const IDLE_SWEEP: SweepState = { kind: null, group: null, status: 'idle', plan: [], index: 0, rows: [], repeats: 1, parts: [], ensemble: [], message: null };

/** Creates a sweep store (one per page; tests make their own). */
export function createSweepStore() {
  return createStore<SweepState>()(() => ({ ...IDLE_SWEEP }));
}

/** The sweep store type. */
export type SweepStore = ReturnType<typeof createSweepStore>;

let pageSweep: SweepStore | null = null;

/** Installs the page's sweep store (main.tsx). */
export function setPageSweepStore(s: SweepStore): void {
  pageSweep = s;
}

/** React hook over the page's sweep store. */
export function useSweep<T>(selector: (s: SweepState) => T): T {
  if (!pageSweep) throw new Error('the sweep store is not set up');
  return useStore(pageSweep, selector);
}
