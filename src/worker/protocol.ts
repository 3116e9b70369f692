/** Messages between the page and the INQ worker: the one file both sides import. */
import type { BackendChoice, BackendPreference } from '../model/backendPrefs.ts';
import type { InqConfig, InqEvent, ResumeState } from '../engine/types.ts';
import type { StepUnit } from '../engine/control.ts';

/** The pre-trained model as the page first sees it. */
export interface ModelSummary {
  name: string;
  title: string;
  params: number;
  /** Test accuracy recorded when the model was pre-trained (all 10k MNIST test images). */
  pretrainedAccuracy: number | null;
  layers: { name: string; kind: string; shape: number[]; size: number }[];
}

/** Page → worker. */
export type ToWorker =
  | { type: 'init'; backend: BackendPreference; modelUrl: string; dataUrl: string }
  | { type: 'start'; runId: string; config: InqConfig; trainSize: number; testSize: number; resume?: ResumeState }
  | { type: 'pause' }
  | { type: 'resume' }
  | { type: 'step'; unit: StepUnit }
  | { type: 'cancel' }
  | { type: 'debug-lose-device' };

/** Worker → page. */
export type FromWorker =
  | { type: 'loading'; stage: 'backend' | 'data' | 'model'; fraction: number | null; text: string }
  | { type: 'backend'; backend: BackendChoice }
  | { type: 'ready'; backend: BackendChoice; model: ModelSummary; trainCount: number; testCount: number }
  | { type: 'event'; runId: string; event: InqEvent }
  | { type: 'state'; runId: string; state: 'running' | 'paused' | 'done' | 'cancelled' }
  | { type: 'error'; runId: string | null; message: string; deviceLost: boolean };

/** Typed arrays inside an event, to transfer instead of copy. */
export function transferablesOf(e: InqEvent): Transferable[] {
  if (e.type !== 'roundEnd') return [];
  const out: Transferable[] = [];
  for (const l of e.result.layers) out.push(l.weights.buffer, l.frozenRound.buffer, l.freeHistogram.buffer, l.levelCounts.buffer);
  return out;
}
