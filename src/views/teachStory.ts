/**
 * What Teach says about the stage it shows, in one or two sentences with the run's own numbers:
 * the start (float and one-shot), a round's partition, quantize and re-training, and its evaluation.
 * Pure: counted from the snapshots the engine sends.
 */
import type { LayerInfo, LayerSnapshot, RoundResult } from '../engine/types.ts';
import type { StageName } from '../store/types.ts';
import { int, levelText, pct, signedPoints } from './format.ts';

/** What a round did to one layer. */
export interface RoundStory {
  newly: number;
  zeros: number;
  levels: number;
  smallest: number;
  largest: number;
  free: number;
}

// Counted once per snapshot: the caption is asked again on every progress update while a round re-trains.
const stories = new WeakMap<LayerSnapshot, Map<number, RoundStory>>();

/** roundStory, remembered per snapshot and round. */
function storyOf(snap: LayerSnapshot, round: number): RoundStory {
  let byRound = stories.get(snap);
  if (!byRound) stories.set(snap, (byRound = new Map()));
  let s = byRound.get(round);
  if (!s) byRound.set(round, (s = roundStory(snap, round)));
  return s;
}

/** What round `round` did to one layer, counted from a snapshot taken after its partition or later. */
export function roundStory(snap: LayerSnapshot, round: number): RoundStory {
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

/** Everything a caption may use. */
export interface StoryInput {
  stage: StageName | null;
  info: LayerInfo | null;
  /** The shown layer after the stage (a phase's snapshot, or the round's result's). */
  snap: LayerSnapshot | null;
  /** The round shown (0 before round 1). */
  round: number;
  /** Rounds in the schedule. */
  total: number;
  /** The portion frozen after this round. */
  portion: number | null;
  /** The round's result once evaluated. */
  result: RoundResult | null;
  float: number | null;
  oneShot: number | null;
  pretrained: number | null;
  /** How many test images the run scores on. */
  testImages: number;
  /** Re-training: epoch, epochs per round, how far through the epoch, and the latest batch loss. */
  epoch: number;
  epochs: number;
  fraction: number;
  loss: number;
}

/** The phase's name as the caption's heading says it. */
export function stageTitle(stage: StageName | null, round: number): string {
  switch (stage) {
    case null:
      return 'Before round 1';
    case 'start':
      return 'Start: float and one-shot';
    case 'partition':
      return `Round ${round} · 1 partition`;
    case 'quantize':
      return `Round ${round} · 2 quantize`;
    case 'retrain':
      return `Round ${round} · 3 re-train`;
    case 'evaluate':
      return `Round ${round} · 4 evaluate`;
  }
}

const span = (smallest: number, largest: number): string =>
  smallest === largest ? `±${levelText(largest).slice(1)}` : `±${levelText(smallest).slice(1)} … ±${levelText(largest).slice(1)}`;

/** Where a round's newly frozen weights went, e.g. "1,187 moved to ±2^-9 … ±2^-3 (14 levels), 13 to zero". */
function whereTheyWent(s: RoundStory, verb: string): string {
  const onto = s.levels > 0 ? `${int(s.newly - s.zeros)} ${verb} to ${span(s.smallest, s.largest)} (${s.levels} level${s.levels === 1 ? '' : 's'})` : '';
  return [onto, s.zeros ? `${int(s.zeros)} to zero` : ''].filter(Boolean).join(', ');
}

/** The caption for a stage. */
export function stageCaption(x: StoryInput): string {
  const { info, snap, round, total, float, oneShot } = x;
  const refs = [float !== null ? `float ${pct(float, 2)}` : '', oneShot !== null ? `one-shot ${pct(oneShot, 2)}` : ''].filter(Boolean).join(', ');
  if (x.stage === null || x.stage === 'start') {
    const score = float ?? x.pretrained;
    if (score === null && !info) return 'Loading the pre-trained model…';
    // Before a run the figure is the pre-trained model's on the whole test split; from the start, on the run's own test images.
    const where = float !== null ? `this run's ${int(x.testImages)} test images` : 'the whole test set';
    const intro =
      `The float model scores ${score !== null ? pct(score, 2) : '…'} on ${where}. Each round freezes a portion of every layer's weights, the largest ` +
      `still free, and snaps them to powers of two; the free ones re-train to make up for it.`;
    if (oneShot !== null && float !== null) {
      return `${intro} Snapping every weight at once instead (one-shot, no re-training) scores ${pct(oneShot, 2)}: ${((100 * (float - oneShot)).toFixed(2))} points lost.`;
    }
    return `${intro} Press Run (or Step, one phase at a time): first the worker measures what snapping every weight at once would score.`;
  }
  if (!info || !snap) return '';
  const s = storyOf(snap, round);
  const name = `${info.name}'s ${int(info.size)} weights`;
  const share = x.portion !== null ? `${pct(x.portion)} of every layer` : 'a portion of every layer';
  switch (x.stage) {
    case 'partition':
      return (
        `Round ${round} of ${total}, partition: the largest weights still free are chosen to freeze, so that ${share} is frozen. ` +
        `${int(s.newly)} of ${name} were chosen (orange); they still hold their float values.`
      );
    case 'quantize': {
      return (
        `Round ${round}, quantize: the ${int(s.newly)} chosen weights of ${info.name} snapped to their powers of two: ` +
        `${whereTheyWent(s, 'moved')}. From now on they never change.`
      );
    }
    case 'retrain': {
      const loss = Number.isFinite(x.loss) ? `; training loss ${x.loss.toFixed(3)}` : '';
      return (
        `Round ${round}, re-train (epoch ${x.epoch} of ${x.epochs}, ${Math.round(100 * x.fraction)} % through): the ${int(s.free)} weights of ${info.name} still free ` +
        `are trained to make up for what the snap changed${loss}. Watch the bars move; the spikes stay put.`
      );
    }
    case 'evaluate': {
      const result = x.result;
      if (!result) return '';
      const parts = [
        `Round ${result.round} of ${total}: ${pct(result.portion)} of every layer is frozen.`,
        `${int(s.newly)} more of ${name} froze, the largest still free; ${whereTheyWent(s, 'snapped')}.`,
        s.free > 0
          ? `The ${int(s.free)} still free were re-trained: test accuracy ${pct(result.accuracy, 2)} (${refs}).`
          : `Every weight is now 0 or ±2^p: test accuracy ${pct(result.accuracy, 2)} (${refs}).`,
      ];
      // Why incremental, in the first round's words: what snapping everything at once cost.
      if (result.round === 1 && oneShot !== null && float !== null) {
        parts.push(`One-shot, with every weight snapped and nothing re-trained, fell ${(100 * (float - oneShot)).toFixed(2)} points below float; after round 1 INQ stands at ${signedPoints(result.accuracy - float)} points.`);
      }
      return parts.join(' ');
    }
  }
}
