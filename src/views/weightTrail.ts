/**
 * One weight's path through a run, for following it: its value at the start, after each round's
 * snap and through re-training (the live run's trail), or after each round (a saved run), with the
 * round it froze in and the level it took (or would take now). Pure.
 */
import type { LayerInfo, RoundResult } from '../engine/types.ts';
import { PRUNED_ROUND } from '../engine/types.ts';
import type { TrailPoint } from '../store/types.ts';
import { quantizeValue } from '../inq/quantize.ts';
import { layerLevelSet } from './format.ts';

/** One point of the path. */
export interface WeightPoint {
  /** Short name of the moment, e.g. "start", "r2 snap", "r2 e1 50%", "round 3". */
  label: string;
  round: number;
  value: number;
  /** The weight was frozen at this point. */
  frozen: boolean;
}

/** The whole path and what it came to. */
export interface WeightPath {
  points: WeightPoint[];
  /** The round it froze in (0: still free; PRUNED_ROUND: pruned before INQ). */
  frozeIn: number;
  /** Its level when frozen, else the level it would snap to from its latest value. */
  level: number;
  /** Index in `points` of the moment it froze (its snap), or −1. */
  frozeAt: number;
}

/** The path of weight `index` of `layer`: saved rounds before the trail starts, then the trail's points. */
export function weightPath(info: LayerInfo, index: number, trail: readonly TrailPoint[], rounds: readonly RoundResult[]): WeightPath | null {
  if (!Number.isInteger(index) || index < 0 || index >= info.size) return null;
  const points: WeightPoint[] = [];
  const firstTrailRound = trail.length > 0 ? trail[0].round : Infinity;
  let frozeIn = 0;
  const note = (round: number, frozenRound: number): boolean => {
    if (frozenRound && !frozeIn) frozeIn = frozenRound;
    return frozenRound !== 0 && frozenRound !== PRUNED_ROUND ? frozenRound <= round : frozenRound === PRUNED_ROUND;
  };
  for (const r of rounds) {
    if (r.round >= firstTrailRound) break;
    const l = r.layers.find((x) => x.name === info.name);
    if (!l) continue;
    points.push({ label: `round ${r.round}`, round: r.round, value: l.weights[index], frozen: note(r.round, l.frozenRound[index]) });
  }
  for (const p of trail) {
    const l = p.layers.find((x) => x.name === info.name);
    if (!l) continue;
    const fr = l.frozenRound[index];
    if (p.name === 'partition') {
      // The first partition's values are the weights the trail starts from (before any snap).
      points.push({ label: p.round === 1 ? 'start' : `r${p.round} start`, round: p.round - 1, value: l.weights[index], frozen: fr !== 0 && fr < p.round });
      continue;
    }
    const label = p.name === 'quantize' ? `r${p.round} snap` : `r${p.round} e${p.epoch}${p.fraction < 1 ? ` ${Math.round(100 * p.fraction)}%` : ''}`;
    points.push({ label, round: p.round, value: l.weights[index], frozen: note(p.round, fr) });
  }
  if (points.length === 0) return null;
  const last = points[points.length - 1];
  const frozeAt = frozeIn && frozeIn !== PRUNED_ROUND ? points.findIndex((p) => p.frozen && p.round === frozeIn) : -1;
  const level = last.frozen ? last.value : quantizeValue(last.value, layerLevelSet(info));
  return { points, frozeIn: last.frozen ? frozeIn : 0, level, frozeAt };
}
