/** A vanilla zustand store in slices: the worker client calls its run actions (runActions.ts) without React, views read narrow selectors. */
import { createStore, type StateCreator } from 'zustand/vanilla';
import { useStore } from 'zustand';
import { parseSchedule, formatSchedule } from '../inq/schedule.ts';
import { runActionsSlice } from './runActions.ts';
import { DEFAULT_PLAYGROUND_CONFIG, type ConfigSlice, type DemoSlice, type HistorySlice, type ModelIoSlice, type PlaygroundConfig, type PlaygroundState, type RunSlice, type SensitivitySlice } from './types.ts';

const configSlice =
  (initial: PlaygroundConfig, urlErrors: string[]): StateCreator<PlaygroundState, [], [], ConfigSlice> =>
  (set) => ({
    config: initial,
    scheduleText: formatSchedule(initial.schedule),
    scheduleError: null,
    urlErrors,
    setConfig: (patch) => set((s) => ({ config: { ...s.config, ...patch } })),
    setScheduleText: (text) => {
      const r = parseSchedule(text);
      set((s) => (r.ok ? { scheduleText: text, scheduleError: null, config: { ...s.config, schedule: r.portions } } : { scheduleText: text, scheduleError: r.error }));
    },
    setSchedule: (portions) => {
      const text = formatSchedule(portions);
      const r = parseSchedule(text);
      set((s) => (r.ok ? { scheduleText: text, scheduleError: null, config: { ...s.config, schedule: r.portions } } : { scheduleText: text, scheduleError: r.error }));
    },
    dismissUrlErrors: () => set({ urlErrors: [] }),
    tourStep: 0,
    setTourStep: (tourStep) => set({ tourStep }),
  });

const runSlice: StateCreator<PlaygroundState, [], [], RunSlice> = () => ({
  status: 'loading',
  loadingText: 'Starting…',
  loadingFraction: null,
  backend: null,
  model: null,
  trainCount: 0,
  testCount: 0,
  message: null,
  canContinue: false,
  progress: null,
  stepUnit: 'epoch',
  runId: null,
  repeat: null,
});

const historySlice: StateCreator<PlaygroundState, [], [], HistorySlice> = (set) => ({
  layers: [],
  floatAccuracy: null,
  oneShotAccuracy: null,
  rounds: [],
  epochLosses: [],
  summary: null,
  pruning: null,
  runModel: null,
  floatPredictions: null,
  selectedRound: null,
  selectRound: (round) => set({ selectedRound: round }),
  stage: null,
  trail: [],
  pinned: null,
  pinWeight: (pinned) => set({ pinned }),
});

const modelIoSlice: StateCreator<PlaygroundState, [], [], ModelIoSlice> = () => ({ modelLoading: false, modelError: null });

const demoSlice: StateCreator<PlaygroundState, [], [], DemoSlice> = () => ({
  demoModel: null,
  demoResult: null,
  demoRequestId: null,
  demoError: null,
});

const sensitivitySlice: StateCreator<PlaygroundState, [], [], SensitivitySlice> = () => ({
  sensitivity: { status: 'idle', id: null, bits: 3, levels: 'pow2', testSize: 0, done: 0, total: 0, result: null, message: null },
});

/** Creates a store (one per page; tests make their own). */
export function createPlaygroundStore(initial: Partial<PlaygroundConfig> = {}, urlErrors: string[] = []) {
  const config = { ...DEFAULT_PLAYGROUND_CONFIG, ...initial };
  return createStore<PlaygroundState>()((...a) => ({
    ...configSlice(config, urlErrors)(...a),
    ...runSlice(...a),
    ...historySlice(...a),
    ...sensitivitySlice(...a),
    ...demoSlice(...a),
    ...modelIoSlice(...a),
    ...runActionsSlice(...a),
  }));
}

/** The store type. */
export type PlaygroundStore = ReturnType<typeof createPlaygroundStore>;

/** The round the views show: the selected one, or the latest. */
export function shownRound(s: PlaygroundState): number | null {
  if (s.rounds.length === 0) return null;
  if (s.selectedRound !== null && s.rounds.some((r) => r.round === s.selectedRound)) return s.selectedRound;
  return s.rounds[s.rounds.length - 1].round;
}

let pageStore: PlaygroundStore | null = null;

/** Installs the page's store (main.tsx does this once, from the URL hash). */
export function setPageStore(store: PlaygroundStore): void {
  pageStore = store;
}

/** The page's store. */
export function getPageStore(): PlaygroundStore {
  if (!pageStore) throw new Error('the playground store is not set up');
  return pageStore;
}

/** React hook over the page's store with a narrow selector. */
export function usePlayground<T>(selector: (s: PlaygroundState) => T): T {
  return useStore(getPageStore(), selector);
}
