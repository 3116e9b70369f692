/**
 * Leaks: tfjs tensors (and their bytes) do not grow across the rounds of a run, nor across ten
 * consecutive runs made the way the worker makes them (model from its files, run, dispose), nor
 * when a run is cancelled mid-round, fails, or resumes after its last completed round.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { runInq } from './session.ts';
import { RunControl, CancelledError } from './control.ts';
import { DEFAULT_CONFIG, type InqConfig, type InqEvent, type LayerInfo, type ResumeState, type RoundResult } from './types.ts';
import { tinyConvNet } from '../model/testModels.ts';
import { modelFromArtifacts, modelToArtifacts, type ModelArtifactsOnDisk } from '../model/io.ts';
import { quadrantData } from '../testing/syntheticData.ts';

const train = quadrantData(64, 1);
const test = quadrantData(48, 2);
const short: InqConfig = { ...DEFAULT_CONFIG, schedule: [0.5, 1], batchSize: 16, learningRate: 0.05, epochsPerRound: 1, seed: 3 };
let files: ModelArtifactsOnDisk;

beforeAll(async () => {
  await tf.setBackend('cpu');
  const m = tinyConvNet(4);
  files = await modelToArtifacts(m);
  m.dispose();
});

/** One run as the worker does it: a fresh model from the files, the session, then dispose. */
async function oneRun(config: InqConfig, opts: { control?: RunControl; resume?: ResumeState; onEvent?: (e: InqEvent) => void } = {}): Promise<void> {
  const model = await modelFromArtifacts(files.json, files.weights.slice(0));
  try {
    await runInq({ model, train, test, config, control: opts.control, resume: opts.resume, onEvent: opts.onEvent ?? (() => undefined) });
  } finally {
    model.dispose();
  }
}

const memory = (): { numTensors: number; numBytes: number } => {
  const m = tf.memory();
  return { numTensors: m.numTensors, numBytes: m.numBytes };
};

describe('tensor leaks', () => {
  it('tensors stay level across the rounds of a 4-round run, and return to the start after it', async () => {
    const before = memory();
    const atRoundEnd: { numTensors: number; numBytes: number }[] = [];
    await oneRun(
      { ...short, schedule: [0.25, 0.5, 0.75, 1], epochsPerRound: 2 },
      { onEvent: (e) => e.type === 'roundEnd' && atRoundEnd.push(memory()) },
    );
    expect(atRoundEnd).toHaveLength(4);
    expect(new Set(atRoundEnd.map((m) => m.numTensors)).size, `tensors at each round end: ${atRoundEnd.map((m) => m.numTensors).join(', ')}`).toBe(1);
    expect(new Set(atRoundEnd.map((m) => m.numBytes)).size).toBe(1);
    expect(memory()).toEqual(before);
  });

  it('ten consecutive short runs (momentum, Adam, SGD, random strategy, pruning) leave nothing behind', async () => {
    const before = memory();
    const after: number[] = [];
    const variants: Partial<InqConfig>[] = [{}, { optimizer: 'adam' }, { optimizer: 'sgd' }, { strategy: 'random' }, { prune: 0.5, pruneEpochs: 1 }, { bits: 3 }, { weightDecay: 0 }, {}, { batchSize: 7 }, {}];
    for (let i = 0; i < 10; i++) {
      await oneRun({ ...short, ...variants[i], seed: i + 1 });
      after.push(tf.memory().numTensors);
    }
    expect(after, 'tensors after each run').toEqual(new Array<number>(10).fill(before.numTensors));
    expect(memory()).toEqual(before);
  });

  it('a run cancelled mid-round leaves nothing behind', async () => {
    const before = memory();
    const control = new RunControl();
    let batches = 0;
    await expect(
      oneRun(
        { ...short, schedule: [0.5, 0.75, 1], epochsPerRound: 3 },
        {
          control,
          onEvent: (e) => {
            if (e.type === 'batch' && ++batches === 5) control.cancel();
          },
        },
      ),
    ).rejects.toBeInstanceOf(CancelledError);
    expect(memory()).toEqual(before);
  });

  it('a run that fails partway (a resume that does not fit the model) leaves nothing behind', async () => {
    const before = memory();
    const bad: ResumeState = { completedRounds: 1, layers: [{ name: 'x', size: 3 } as LayerInfo], weights: [], frozenRound: [], floatAccuracy: 0.5, floatLoss: 1 };
    await expect(oneRun(short, { resume: bad })).rejects.toThrow(/does not match/);
    expect(memory()).toEqual(before);
  });

  it('continuing after the last completed round (as after a crash) leaves nothing behind, ten times', async () => {
    // A 3-round run stopped after round 1, as a crash would leave it.
    let layers: LayerInfo[] = [];
    let first: RoundResult | null = null;
    let floatAccuracy = 0;
    const control = new RunControl();
    const config = { ...short, schedule: [0.5, 0.75, 1] };
    await expect(
      oneRun(config, {
        control,
        onEvent: (e) => {
          if (e.type === 'start') {
            layers = e.layers;
            floatAccuracy = e.floatAccuracy;
          }
          if (e.type === 'roundEnd' && e.result.round === 1) {
            first = e.result;
            control.cancel();
          }
        },
      }),
    ).rejects.toBeInstanceOf(CancelledError);
    const last = first as RoundResult | null;
    expect(last?.round).toBe(1);
    const before = memory();
    for (let i = 0; i < 10; i++) {
      const rounds: number[] = [];
      await oneRun(config, {
        resume: {
          completedRounds: 1,
          layers,
          weights: last!.layers.map((l) => l.weights.slice()),
          frozenRound: last!.layers.map((l) => l.frozenRound.slice()),
          floatAccuracy,
          floatLoss: NaN,
          lastRound: last!,
        },
        onEvent: (e) => e.type === 'roundEnd' && rounds.push(e.result.round),
      });
      expect(rounds).toEqual([2, 3]);
    }
    expect(memory()).toEqual(before);
  });
});
