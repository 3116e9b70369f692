/** One training epoch over a dataset, batch by batch, with hooks for progress, pausing and cancelling. */
import * as tf from '@tensorflow/tfjs';
import { epochBatches, gatherBatch, type Dataset } from '../data/dataset.ts';

/** Called after every batch; may await (to pause) or throw (to cancel). */
export type BatchHook = (batch: number, batches: number, loss: number) => void | Promise<void>;

/** Anything that trains on one batch and hands back the loss (MaskedTrainer, the pruning stage's SplicingTrainer). */
export interface BatchTrainer {
  trainBatch(x: Float32Array, labels: Uint8Array, inputShape: readonly number[]): tf.Scalar;
}

/** Trains one epoch; returns the mean training loss. */
export async function trainEpoch(
  trainer: BatchTrainer,
  ds: Dataset,
  batchSize: number,
  seed: number,
  onBatch?: BatchHook,
): Promise<number> {
  const order = epochBatches(ds.count, batchSize, seed);
  let sum = 0;
  let seen = 0;
  for (let b = 0; b < order.length; b++) {
    const { x, y } = gatherBatch(ds, order[b]);
    const lossT = trainer.trainBatch(x, y, ds.shape);
    const loss = (await lossT.data())[0];
    tf.dispose(lossT);
    if (!Number.isFinite(loss)) throw new Error(`training diverged (loss ${loss}) at batch ${b + 1}: lower the learning rate`);
    sum += loss * y.length;
    seen += y.length;
    if (onBatch) await onBatch(b + 1, order.length, loss);
  }
  return sum / Math.max(1, seen);
}
