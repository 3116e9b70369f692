/**
 * The guided tour of Teach: seven steps through one round on the live model. Each points at one
 * view, says what to look at there, and its Next drives the run by one phase (the first starts it),
 * so that pressing Next through the tour runs start → partition → quantize → re-train → evaluate.
 */

/** The views a step points at (TeachView outlines the one named). */
export type TourTarget = 'accuracy' | 'mask' | 'histogram' | 'story' | 'follow';

/** What a step's Next does: one phase of the run (starting it if none is going), or only the next step. */
export type TourAction = 'phase' | 'none' | 'finish';

export interface TourStep {
  title: string;
  target: TourTarget;
  /** What to look at, in a sentence or two (the live caption under it gives the run's numbers). */
  guide: string;
  next: TourAction;
}

export const TOUR_STEPS: readonly TourStep[] = [
  {
    title: 'The float network',
    target: 'accuracy',
    guide:
      'This is the pre-trained network, every weight a 32-bit float. INQ will turn each weight into 0 or ±2^p. Next starts the run: the worker scores the float model, and what snapping every weight at once would score.',
    next: 'phase',
  },
  {
    title: 'Why incremental',
    target: 'accuracy',
    guide:
      'Grey dashed: the float model. Red dashed: one-shot, every weight snapped to its nearest level at once with nothing re-trained. INQ snaps the same weights in portions and re-trains the rest in between. Next: round 1 chooses its first portion.',
    next: 'phase',
  },
  {
    title: 'Partition',
    target: 'mask',
    guide: 'One cell per weight of this layer. Orange: chosen this round, the largest weights still free. Nothing has changed value yet. Next: quantize them.',
    next: 'phase',
  },
  {
    title: 'Quantize',
    target: 'histogram',
    guide: 'Watch the orange dots, the chosen weights, travel from their float values to the nearest power of two. The dark spikes count them on their levels. Next: re-train.',
    next: 'phase',
  },
  {
    title: 'Re-train',
    target: 'histogram',
    guide: 'The grey bars are the weights still free: they are trained again to make up for the snap, and the histogram shifts. The spikes never move. Next: evaluate.',
    next: 'phase',
  },
  {
    title: 'Evaluate',
    target: 'accuracy',
    guide:
      "Round 1's test accuracy joins the chart: compare it with one-shot and with float. The badge under the caption is the worker's own check: no frozen weight moved, and every frozen weight is exactly a level.",
    next: 'none',
  },
  {
    title: 'Follow one weight',
    target: 'follow',
    guide: 'Click any cell of the mask to follow that weight: its value after every phase against its level, and the round it froze. Press Run to finish the remaining rounds, or Step to go on one phase at a time.',
    next: 'finish',
  },
];
