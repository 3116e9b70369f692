/**
 * Re-training with frozen weights (INQ.md, "Re-training with frozen weights").
 * Frozen values are written back after every step, so momentum, Adam moments and weight decay can
 * never move a frozen weight. That alone is the guarantee: masking the gradient as well would change
 * nothing a free weight sees (every optimizer here is element-wise) and cost one more kernel per
 * layer per step, so the gradient is left whole.
 */
import * as tf from '@tensorflow/tfjs';
import { kernelsOf, trainableVariables } from './quantLayers.ts';

/** Optimizers the trainer supports. */
export type OptimizerKind = 'sgd' | 'momentum' | 'adam';

/** Optimizer settings; a fresh optimizer (learning rate reset, moments cleared) is made per round. */
export interface OptimizerOptions {
  kind: OptimizerKind;
  learningRate: number;
  /** Momentum for `momentum` (default 0.9). */
  momentum?: number;
  /** L2 weight decay on conv and dense kernels (coupled: added to the loss). */
  weightDecay?: number;
}

interface FrozenState {
  isFrozen: tf.Tensor;
  values: tf.Tensor;
}

/** Makes a tfjs optimizer from options. */
export function makeOptimizer(o: OptimizerOptions): tf.Optimizer {
  if (!(o.learningRate > 0) || !Number.isFinite(o.learningRate)) {
    throw new RangeError(`learning rate must be a positive number (got ${o.learningRate})`);
  }
  switch (o.kind) {
    case 'sgd':
      return tf.train.sgd(o.learningRate);
    case 'momentum':
      return tf.train.momentum(o.learningRate, o.momentum ?? 0.9);
    case 'adam':
      return tf.train.adam(o.learningRate);
    default: {
      const never: never = o.kind;
      throw new Error(`unknown optimizer ${String(never)}`);
    }
  }
}

/**
 * Disposes an optimizer completely. tfjs 4.22's MomentumOptimizer.dispose() overrides SGD's without
 * freeing the learning-rate scalar `c`, leaking one tensor per optimizer (found by our leak test).
 */
export function disposeOptimizer(o: tf.Optimizer): void {
  o.dispose();
  if (o instanceof tf.MomentumOptimizer) {
    // `c` is protected in tfjs's types; reached here only to free it.
    const c = (o as unknown as { c?: tf.Tensor }).c;
    if (c && !c.isDisposed) c.dispose();
  }
}

/** Trains a model batch by batch while keeping frozen kernel entries bit-identical. */
export class MaskedTrainer {
  private readonly frozen = new Map<string, FrozenState>();
  private optimizer: tf.Optimizer;
  private readonly vars: tf.Variable[];
  private readonly kernels: tf.Variable[];

  constructor(
    private readonly model: tf.LayersModel,
    private options: OptimizerOptions,
  ) {
    this.vars = trainableVariables(model);
    this.kernels = kernelsOf(model).map((k) => k.variable);
    this.optimizer = makeOptimizer(options);
  }

  /** Replaces the optimizer: the learning rate is reset and momentum/Adam state cleared (INQ resets per round). */
  resetOptimizer(options: OptimizerOptions = this.options): void {
    disposeOptimizer(this.optimizer);
    this.options = options;
    this.optimizer = makeOptimizer(options);
  }

  /** Freezes `variable` where mask is 1, at `values` (which must be the variable's current frozen values). */
  setFrozen(variable: tf.Variable, mask: Uint8Array, values: Float32Array): void {
    if (mask.length !== variable.size || values.length !== variable.size) {
      throw new RangeError(`mask/values size does not match ${variable.name} (${variable.size})`);
    }
    this.unfreeze(variable);
    const shape = variable.shape;
    this.frozen.set(variable.name, {
      isFrozen: tf.tensor(mask, shape, 'bool'),
      values: tf.tensor(values, shape, 'float32'),
    });
  }

  /** Drops the frozen state of one variable. */
  unfreeze(variable: tf.Variable): void {
    const f = this.frozen.get(variable.name);
    if (!f) return;
    tf.dispose([f.isFrozen, f.values]);
    this.frozen.delete(variable.name);
  }

  /**
   * One optimisation step on a batch; returns the batch loss as a scalar tensor that the caller
   * reads (asynchronously) and disposes.
   */
  trainBatch(x: Float32Array, labels: Uint8Array, inputShape: readonly number[]): tf.Scalar {
    const loss = tf.tidy(() => {
      const xs = tf.tensor(x, [labels.length, ...inputShape], 'float32');
      const ys = tf.oneHot(tf.tensor1d(labels, 'int32'), this.model.outputs[0].shape[1] as number);
      const wd = this.options.weightDecay ?? 0;
      const { value, grads } = this.optimizer.computeGradients(() => {
        const logits = this.model.apply(xs, { training: true }) as tf.Tensor;
        let l = tf.losses.softmaxCrossEntropy(ys, logits) as tf.Scalar;
        if (wd > 0) {
          const l2 = tf.addN(this.kernels.map((k) => tf.sum(tf.square(k))));
          l = tf.add(l, tf.mul(l2, wd / 2));
        }
        return l;
      }, this.vars);
      this.optimizer.applyGradients(grads);
      return value;
    });
    this.restoreFrozen();
    return loss;
  }

  /** Writes every frozen value back into its variable. */
  restoreFrozen(): void {
    tf.tidy(() => {
      for (const v of this.kernels) {
        const f = this.frozen.get(v.name);
        if (f) v.assign(tf.where(f.isFrozen, f.values, v));
      }
    });
  }

  /** Frees the optimizer and every mask tensor. */
  dispose(): void {
    for (const f of this.frozen.values()) tf.dispose([f.isFrozen, f.values]);
    this.frozen.clear();
    disposeOptimizer(this.optimizer);
  }
}
