/** Which weights INQ quantizes: every conv and dense kernel (biases and other parameters stay float). */
import type * as tf from '@tensorflow/tfjs';

/** Layer classes whose kernels INQ quantizes. */
export const QUANTIZED_LAYER_CLASSES = new Set(['Conv2D', 'Dense']);

/** A quantizable kernel of a model. */
export interface KernelRef {
  /** Layer name, e.g. "conv1". */
  layer: string;
  /** Layer class, "Conv2D" or "Dense". */
  kind: string;
  shape: number[];
  size: number;
  variable: tf.Variable;
}

/** The model's quantizable kernels, in layer order. */
export function kernelsOf(model: tf.LayersModel): KernelRef[] {
  const out: KernelRef[] = [];
  for (const layer of model.layers) {
    if (!QUANTIZED_LAYER_CLASSES.has(layer.getClassName())) continue;
    const kernel = layer.trainableWeights.find((w) => w.originalName.endsWith('kernel') || w.name.endsWith('/kernel'));
    if (!kernel) continue;
    // LayerVariable.read() returns its backing tf.Variable (typed as Tensor in tfjs-layers).
    const variable = kernel.read() as tf.Variable;
    out.push({ layer: layer.name, kind: layer.getClassName(), shape: [...kernel.shape] as number[], size: variable.size, variable });
  }
  return out;
}

/** Every trainable variable of the model. */
export function trainableVariables(model: tf.LayersModel): tf.Variable[] {
  // As above: the backing variables of the model's LayerVariables.
  return model.trainableWeights.map((w) => w.read() as tf.Variable);
}

/** Float32 parameter bytes of the whole model. */
export function floatBytesOf(model: tf.LayersModel): number {
  return model.countParams() * 4;
}
