/** The built-in architectures, as tfjs Layers models (logits out; softmax is applied by the loss and by `predict`). */
import * as tf from '@tensorflow/tfjs';

/** Names of the built-in models. */
export type ModelName = 'lenet5' | 'convnet' | 'mlp';

/** The built-in models, with a line each for the UI and the command line. */
export const MODEL_INFO: Readonly<Record<ModelName, { title: string; description: string }>> = {
  lenet5: { title: 'LeNet-5', description: 'LeCun et al. 1998: two 5×5 conv layers and three dense layers, 61,706 parameters' },
  convnet: {
    title: 'Wide ConvNet',
    description: 'a wide conv net (32 and 64 channels, 3×3, dense 256), 824,458 parameters: 13× LeNet-5',
  },
  mlp: {
    title: 'Wide MLP',
    description: 'an over-parameterised multilayer perceptron (784-1024-1024-10), 1,863,690 parameters, for the regulariser study',
  },
};

/** Whether a string names a built-in model. */
export function isModelName(s: string): s is ModelName {
  return s === 'lenet5' || s === 'convnet' || s === 'mlp';
}

/** Builds a fresh, seeded model for inputs of `shape` (H, W, C) and `numClasses` outputs. */
export function buildModel(name: ModelName, seed: number, shape: [number, number, number] = [28, 28, 1], numClasses = 10): tf.Sequential {
  let s = seed * 7919;
  const init = (): ReturnType<typeof tf.initializers.glorotUniform> => tf.initializers.glorotUniform({ seed: ++s });
  const zeros = 'zeros';
  const m = tf.sequential({ name });
  if (name === 'lenet5') {
    m.add(tf.layers.conv2d({ inputShape: shape, filters: 6, kernelSize: 5, padding: 'same', activation: 'relu', kernelInitializer: init(), biasInitializer: zeros, name: 'conv1' }));
    m.add(tf.layers.maxPooling2d({ poolSize: 2, strides: 2, name: 'pool1' }));
    m.add(tf.layers.conv2d({ filters: 16, kernelSize: 5, padding: 'valid', activation: 'relu', kernelInitializer: init(), biasInitializer: zeros, name: 'conv2' }));
    m.add(tf.layers.maxPooling2d({ poolSize: 2, strides: 2, name: 'pool2' }));
    m.add(tf.layers.flatten({ name: 'flatten' }));
    m.add(tf.layers.dense({ units: 120, activation: 'relu', kernelInitializer: init(), biasInitializer: zeros, name: 'fc1' }));
    m.add(tf.layers.dense({ units: 84, activation: 'relu', kernelInitializer: init(), biasInitializer: zeros, name: 'fc2' }));
    m.add(tf.layers.dense({ units: numClasses, activation: 'linear', kernelInitializer: init(), biasInitializer: zeros, name: 'fc3' }));
  } else if (name === 'convnet') {
    // Two 3×3 conv layers, 5× and 4× LeNet-5's channels, and a wide dense layer: 2.5 ms a training
    // sample on wasm here, against 1.2 for a 16-32 net and 4.3 for 32-64 at 5×5 (measured; README, Datasets).
    m.add(tf.layers.conv2d({ inputShape: shape, filters: 32, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: init(), biasInitializer: zeros, name: 'conv1' }));
    m.add(tf.layers.maxPooling2d({ poolSize: 2, strides: 2, name: 'pool1' }));
    m.add(tf.layers.conv2d({ filters: 64, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: init(), biasInitializer: zeros, name: 'conv2' }));
    m.add(tf.layers.maxPooling2d({ poolSize: 2, strides: 2, name: 'pool2' }));
    m.add(tf.layers.flatten({ name: 'flatten' }));
    m.add(tf.layers.dense({ units: 256, activation: 'relu', kernelInitializer: init(), biasInitializer: zeros, name: 'fc1' }));
    m.add(tf.layers.dense({ units: numClasses, activation: 'linear', kernelInitializer: init(), biasInitializer: zeros, name: 'fc2' }));
  } else {
    m.add(tf.layers.flatten({ inputShape: shape, name: 'flatten' }));
    m.add(tf.layers.dense({ units: 1024, activation: 'relu', kernelInitializer: init(), biasInitializer: zeros, name: 'fc1' }));
    m.add(tf.layers.dense({ units: 1024, activation: 'relu', kernelInitializer: init(), biasInitializer: zeros, name: 'fc2' }));
    m.add(tf.layers.dense({ units: numClasses, activation: 'linear', kernelInitializer: init(), biasInitializer: zeros, name: 'fc3' }));
  }
  return m;
}
