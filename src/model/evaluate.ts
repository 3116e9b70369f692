/** Test-set evaluation: accuracy and mean cross-entropy, batched and tensor-clean. */
import * as tf from '@tensorflow/tfjs';
import type { Dataset } from '../data/dataset.ts';
import { pixels } from '../data/dataset.ts';

/** Accuracy in [0, 1] and mean loss. */
export interface EvalResult {
  accuracy: number;
  loss: number;
}

/** Evaluates `model` on `ds` in batches. */
export async function evaluate(model: tf.LayersModel, ds: Dataset, batchSize = 500): Promise<EvalResult> {
  const { accuracy, loss } = await evaluatePass(model, ds, batchSize, false);
  return { accuracy, loss };
}

/** Accuracy, mean loss and the predicted class (arg-max) of every image, in order: one pass over `ds`. */
export async function evaluateWithClasses(model: tf.LayersModel, ds: Dataset, batchSize = 500): Promise<EvalResult & { classes: Uint8Array }> {
  const r = await evaluatePass(model, ds, batchSize, true);
  return { accuracy: r.accuracy, loss: r.loss, classes: r.classes ?? new Uint8Array(0) };
}

async function evaluatePass(model: tf.LayersModel, ds: Dataset, batchSize: number, wantClasses: boolean): Promise<EvalResult & { classes: Uint8Array | null }> {
  if (wantClasses && ds.numClasses > 256) throw new RangeError(`${ds.numClasses} classes do not fit the predictions' bytes`);
  let correct = 0;
  let lossSum = 0;
  const size = pixels(ds);
  const classes = wantClasses ? new Uint8Array(ds.count) : null;
  for (let s = 0; s < ds.count; s += batchSize) {
    const n = Math.min(batchSize, ds.count - s);
    const [c, l, p] = tf.tidy(() => {
      const x = tf.tensor(ds.images.subarray(s * size, (s + n) * size), [n, ...ds.shape], 'float32');
      const labels = tf.tensor1d(ds.labels.subarray(s, s + n), 'int32');
      const logits = model.predict(x) as tf.Tensor;
      const predicted = tf.argMax(logits, 1);
      const hits = tf.sum(tf.cast(tf.equal(predicted, labels), 'int32'));
      const loss = tf.mul(tf.losses.softmaxCrossEntropy(tf.oneHot(labels, ds.numClasses), logits), n);
      return [hits, loss, predicted];
    });
    const [cv, lv, pv] = await Promise.all([c.data(), l.data(), classes ? p.data() : null]);
    tf.dispose([c, l, p]);
    correct += cv[0];
    lossSum += lv[0];
    if (classes && pv) classes.set(pv, s);
  }
  return { accuracy: correct / ds.count, loss: lossSum / ds.count, classes };
}

/** Class probabilities for a batch of images (N×H×W×C). */
export async function predictProbabilities(model: tf.LayersModel, images: Float32Array, shape: readonly number[]): Promise<Float32Array> {
  const n = images.length / (shape[0] * shape[1] * shape[2]);
  const p = tf.tidy(() => tf.softmax(model.predict(tf.tensor(images, [n, ...shape], 'float32')) as tf.Tensor));
  const out = (await p.data()) as Float32Array;
  p.dispose();
  return out;
}

/** Class probabilities for every image of a dataset (count × numClasses), in batches. */
export async function datasetProbabilities(model: tf.LayersModel, ds: Dataset, batchSize = 500): Promise<Float32Array> {
  const size = pixels(ds);
  const out = new Float32Array(ds.count * ds.numClasses);
  for (let s = 0; s < ds.count; s += batchSize) {
    const n = Math.min(batchSize, ds.count - s);
    const p = await predictProbabilities(model, ds.images.subarray(s * size, (s + n) * size), ds.shape);
    out.set(p, s * ds.numClasses);
  }
  return out;
}

/** The predicted class (arg-max of the logits) of every image of a dataset, in order. */
export async function predictClasses(model: tf.LayersModel, ds: Dataset, batchSize = 500): Promise<Int32Array> {
  const size = pixels(ds);
  const out = new Int32Array(ds.count);
  for (let s = 0; s < ds.count; s += batchSize) {
    const n = Math.min(batchSize, ds.count - s);
    const p = tf.tidy(() => tf.argMax(model.predict(tf.tensor(ds.images.subarray(s * size, (s + n) * size), [n, ...ds.shape], 'float32')) as tf.Tensor, 1));
    out.set(await p.data(), s);
    p.dispose();
  }
  return out;
}
