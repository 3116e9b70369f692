/** Small models for fast tests on tfjs's cpu backend (conv + dense kernels, like LeNet-5 but tiny). */
import * as tf from '@tensorflow/tfjs';

/** A tiny conv net for 8×8×1 inputs and 4 classes. */
export function tinyConvNet(seed = 1): tf.Sequential {
  const m = tf.sequential();
  m.add(tf.layers.conv2d({ inputShape: [8, 8, 1], filters: 4, kernelSize: 3, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed }), name: 'c1' }));
  m.add(tf.layers.flatten());
  m.add(tf.layers.dense({ units: 16, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }), name: 'd1' }));
  m.add(tf.layers.dense({ units: 4, kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 2 }), name: 'd2' }));
  return m;
}
