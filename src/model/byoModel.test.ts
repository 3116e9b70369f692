/**
 * Bring-your-own-model checks, on the artifacts of real tfjs models (MNIST-shaped: 28×28×1 in, 10
 * classes out) corrupted one way at a time: each refusal names its problem; a good model comes back
 * normalised and builds into a model that predicts exactly like the original.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { checkByoModel, pickModelFiles, MAX_PARAMS, MAX_WEIGHT_BYTES, MAX_MODEL_JSON_BYTES, SUPPORTED_LAYERS } from './byoModel.ts';
import { ModelFormatError, modelFromArtifacts, modelToArtifacts, type ModelJson } from './io.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** A small MNIST-shaped conv net: conv 3×3×4 → max-pool → flatten → dense 10. */
function mnistNet(opts: { outUnits?: number; inputShape?: number[]; extra?: (m: tf.Sequential) => void; softmax?: boolean } = {}): tf.Sequential {
  const m = tf.sequential({ name: 'tiny' });
  m.add(tf.layers.conv2d({ inputShape: opts.inputShape ?? [28, 28, 1], filters: 4, kernelSize: 3, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }), name: 'conv1' }));
  m.add(tf.layers.maxPooling2d({ poolSize: 2, name: 'pool1' }));
  opts.extra?.(m);
  m.add(tf.layers.flatten({ name: 'flatten' }));
  m.add(tf.layers.dropout({ rate: 0.25, name: 'drop' }));
  m.add(tf.layers.dense({ units: opts.outUnits ?? 10, activation: opts.softmax ? 'softmax' : 'linear', kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }), biasInitializer: tf.initializers.randomUniform({ minval: -0.1, maxval: 0.1, seed: 3 }), name: 'out' }));
  return m;
}

/** A model's files as a user would choose them: model.json's text and weights.bin. */
async function filesOf(m: tf.LayersModel): Promise<{ text: string; json: ModelJson; weights: ArrayBuffer }> {
  const a = await modelToArtifacts(m);
  m.dispose();
  return { text: JSON.stringify(a.json), json: a.json, weights: a.weights };
}

const one = (weights: ArrayBuffer, name = 'weights.bin'): Map<string, ArrayBuffer> => new Map([[name, weights]]);

/** Runs the check, which must refuse with a ModelFormatError whose message is a short sentence matching `pattern`. */
function refusal(fn: () => unknown, pattern: RegExp): string {
  let thrown: unknown = null;
  try {
    fn();
  } catch (e) {
    thrown = e;
  }
  expect(thrown, 'must be refused').toBeInstanceOf(ModelFormatError);
  const message = (thrown as Error).message;
  expect(message).toMatch(pattern);
  expect(message.length).toBeLessThan(400);
  expect(message).not.toMatch(/\n\s+at |\[object Object\]|Cannot read propert|undefined/);
  return message;
}

let good: { text: string; json: ModelJson; weights: ArrayBuffer };

beforeAll(async () => {
  good = await filesOf(mnistNet());
});

/** A deep copy of the good model.json to corrupt. */
const jsonCopy = (): ModelJson & { modelTopology: { config: { layers: { class_name: string; config: Record<string, unknown> }[] } } } => JSON.parse(good.text);

describe('checkByoModel accepts real models', () => {
  it('passes a Sequential model and builds one that predicts exactly like the original', async () => {
    const checked = checkByoModel(good.text, one(good.weights));
    expect(checked.params).toBe(3 * 3 * 1 * 4 + 4 + 13 * 13 * 4 * 10 + 10);
    expect(checked.layers.map((l) => [l.name, l.kind, l.shape])).toEqual([
      ['conv1', 'Conv2D', [3, 3, 1, 4]],
      ['out', 'Dense', [676, 10]],
    ]);
    expect(checked.notes).toEqual([]);
    expect(checked.json.weightsManifest[0].paths).toEqual(['weights.bin']);
    expect(new Uint8Array(checked.weights)).toEqual(new Uint8Array(good.weights));

    const before = tf.memory().numTensors;
    const original = await modelFromArtifacts(good.json, good.weights);
    const rebuilt = await modelFromArtifacts(checked.json, checked.weights);
    const x = tf.randomUniform([2, 28, 28, 1], 0, 1, 'float32', 5);
    const [a, b] = [original.predict(x) as tf.Tensor, rebuilt.predict(x) as tf.Tensor];
    expect(b.shape).toEqual([2, 10]);
    expect(Array.from(await b.data())).toEqual(Array.from(await a.data()));
    tf.dispose([x, a, b]);
    original.dispose();
    rebuilt.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('drops a leading InputLayer, moving its shape onto the first layer', () => {
    const j = jsonCopy();
    const layers = j.modelTopology.config.layers;
    delete layers[0].config.batch_input_shape;
    layers.unshift({ class_name: 'InputLayer', config: { name: 'input', batch_input_shape: [null, 28, 28, 1], dtype: 'float32', sparse: false } });
    const checked = checkByoModel(JSON.stringify(j), one(good.weights));
    const out = (checked.json.modelTopology as typeof j.modelTopology).config.layers;
    expect(out.map((l) => l.class_name)).toEqual(['Conv2D', 'MaxPooling2D', 'Flatten', 'Dropout', 'Dense']);
    expect(out[0].config.batch_input_shape).toEqual([null, 28, 28, 1]);
  });

  it('passes a functional model that is a chain, as a Sequential one', async () => {
    const input = tf.input({ shape: [28, 28, 1], name: 'img' });
    const c = tf.layers.conv2d({ filters: 2, kernelSize: 5, strides: 2, padding: 'same', name: 'c' }).apply(input) as tf.SymbolicTensor;
    const r = tf.layers.reLU({ name: 'r' }).apply(c) as tf.SymbolicTensor;
    const p = tf.layers.averagePooling2d({ poolSize: 2, name: 'p' }).apply(r) as tf.SymbolicTensor;
    const f = tf.layers.flatten({ name: 'f' }).apply(p) as tf.SymbolicTensor;
    const d = tf.layers.dense({ units: 10, name: 'd' }).apply(f) as tf.SymbolicTensor;
    const a = tf.layers.activation({ activation: 'softmax', name: 'probs' }).apply(d) as tf.SymbolicTensor;
    const files = await filesOf(tf.model({ inputs: input, outputs: a, name: 'chain' }));
    const checked = checkByoModel(files.text, one(files.weights));
    expect(checked.layers.map((l) => l.shape)).toEqual([
      [5, 5, 1, 2],
      [7 * 7 * 2, 10],
    ]);
    expect(checked.notes.join(' ')).toMatch(/softmax on "probs" was removed/);
    const model = await modelFromArtifacts(checked.json, checked.weights);
    expect(model.outputs[0].shape).toEqual([null, 10]);
    model.dispose();
  });

  it('turns a softmax output into logits, with a note', async () => {
    const files = await filesOf(mnistNet({ softmax: true }));
    const checked = checkByoModel(files.text, one(files.weights));
    expect(checked.notes).toHaveLength(1);
    expect(checked.notes[0]).toMatch(/softmax on "out" was removed/);
    const layers = (checked.json.modelTopology as { config: { layers: { config: { activation?: string } }[] } }).config.layers;
    expect(layers.at(-1)?.config.activation).toBe('linear');
  });

  it('makes a non-trainable layer trainable, with a note', () => {
    const j = jsonCopy();
    j.modelTopology.config.layers[0].config.trainable = false;
    const checked = checkByoModel(JSON.stringify(j), one(good.weights));
    expect(checked.notes[0]).toMatch(/"conv1" was marked not trainable/);
  });

  it('joins weights split over several files and drops optimizer weights', () => {
    const j = jsonCopy();
    const bytes = new Uint8Array(good.weights);
    const cut = 160; // after conv1's kernel and bias (36 + 4 floats)
    const extra = new Float32Array([1, 2, 3]);
    j.weightsManifest = [
      { paths: ['g1-a.bin', 'g1-b.bin'], weights: j.weightsManifest[0].weights },
      { paths: ['opt.bin'], weights: [{ name: 'out/kernel/m', shape: [3], dtype: 'float32', group: 'optimizer' }] },
    ];
    const files = new Map([
      ['g1-a.bin', bytes.slice(0, cut).buffer],
      ['g1-b.bin', bytes.slice(cut).buffer],
      ['opt.bin', extra.buffer],
    ]);
    const checked = checkByoModel(JSON.stringify(j), files);
    expect(new Uint8Array(checked.weights)).toEqual(bytes);
    expect(checked.json.weightsManifest[0].weights.map((w) => w.name)).toEqual(['conv1/kernel', 'conv1/bias', 'out/kernel', 'out/bias']);
  });
});

describe('checkByoModel refuses broken models, naming the problem', () => {
  it('not JSON', () => {
    refusal(() => checkByoModel('{"modelTopology": {', one(good.weights)), /model\.json is not valid JSON/);
    refusal(() => checkByoModel('\x89PNG\r\n\x1a\n', one(good.weights), 'digits.json'), /digits\.json is not valid JSON/);
  });

  it('JSON that is not a Layers model', () => {
    refusal(() => checkByoModel('[1,2,3]', one(good.weights)), /not a tfjs model/);
    refusal(() => checkByoModel('{"hello": "world"}', one(good.weights)), /no modelTopology: it is not a tfjs Layers model/);
    refusal(() => checkByoModel('{"format":"graph-model","modelTopology":{"node":[]},"weightsManifest":[]}', one(good.weights)), /graph model/);
    refusal(() => checkByoModel('{"model":"lenet5","codesFile":"codes.bin","layers":[],"ops":[]}', one(good.weights), 'packed.json'), /packed INQ model/);
  });

  it('a model that is not sequential', async () => {
    const input = tf.input({ shape: [28, 28, 1], name: 'img' });
    const f = tf.layers.flatten({ name: 'f' }).apply(input) as tf.SymbolicTensor;
    const a = tf.layers.dense({ units: 10, name: 'a' }).apply(f) as tf.SymbolicTensor;
    const b = tf.layers.dense({ units: 10, name: 'b' }).apply(f) as tf.SymbolicTensor;
    const sum = tf.layers.add({ name: 'sum' }).apply([a, b]) as tf.SymbolicTensor;
    const files = await filesOf(tf.model({ inputs: input, outputs: sum }));
    refusal(() => checkByoModel(files.text, one(files.weights)), /not sequential \(layer "b" is not fed by the layer before it\)/);
    const j = jsonCopy() as unknown as { modelTopology: { class_name: string } };
    j.modelTopology.class_name = 'Graph';
    refusal(() => checkByoModel(JSON.stringify(j), one(good.weights)), /is a "Graph", not a Sequential model/);
  });

  it('an unsupported layer, named, with the supported ones listed', async () => {
    const files = await filesOf(mnistNet({ extra: (m) => m.add(tf.layers.batchNormalization({ name: 'bn' })) }));
    const message = refusal(() => checkByoModel(files.text, one(files.weights)), /layer "bn" is a BatchNormalization, which the playground does not support/);
    for (const cls of SUPPORTED_LAYERS) expect(message).toContain(cls);
  });

  it('an input shape that does not fit the datasets', async () => {
    const rgb = await filesOf(mnistNet({ inputShape: [28, 28, 3] }));
    refusal(() => checkByoModel(rgb.text, one(rgb.weights)), /input shape is \[28, 28, 3\].*must be \[28, 28, 1\]/);
    const mlp = tf.sequential();
    mlp.add(tf.layers.dense({ inputShape: [784], units: 10, name: 'd' }));
    const flat = await filesOf(mlp);
    refusal(() => checkByoModel(flat.text, one(flat.weights)), /input shape is \[784\].*put a Flatten first/);
    const j = jsonCopy();
    delete j.modelTopology.config.layers[0].config.batch_input_shape;
    refusal(() => checkByoModel(JSON.stringify(j), one(good.weights)), /first layer has no input shape/);
  });

  it('an output that is not 10 classes', async () => {
    const files = await filesOf(mnistNet({ outUnits: 5 }));
    refusal(() => checkByoModel(files.text, one(files.weights)), /outputs \[5\], but the datasets have 10 classes/);
  });

  it('a weights file named in the manifest but not given', () => {
    refusal(() => checkByoModel(good.text, new Map()), /weights file "weights\.bin" named in model\.json was not given/);
    refusal(() => checkByoModel(good.text, one(good.weights, 'weights (1).bin')), /"weights\.bin" named in model\.json was not given/);
  });

  it('a truncated weights file, with bytes expected and got', () => {
    const n = good.weights.byteLength;
    refusal(() => checkByoModel(good.text, one(good.weights.slice(0, n - 100))), new RegExp(`has ${(n - 100).toLocaleString('en')} bytes, but model\\.json describes ${n.toLocaleString('en')}: the file is truncated`));
    refusal(() => checkByoModel(good.text, one(new ArrayBuffer(0))), /has 0 bytes/);
  });

  it('a weights file from another model (mislabelled)', async () => {
    const other = await filesOf(mnistNet({ extra: (m) => m.add(tf.layers.conv2d({ filters: 8, kernelSize: 3, padding: 'same', name: 'conv2' })) }));
    refusal(() => checkByoModel(good.text, one(other.weights)), /bytes, but model\.json describes .*: the file is too long, corrupt or belongs to another model/);
    // model.json chosen in the place of the weights.
    refusal(() => checkByoModel(good.text, one(new TextEncoder().encode(good.text).buffer)), /the file is truncated, corrupt or belongs to another model/);
  });

  it('corrupt weights: NaN or infinity where numbers should be', () => {
    const bad = good.weights.slice(0);
    new Float32Array(bad)[50] = NaN;
    refusal(() => checkByoModel(good.text, one(bad)), /weight "out\/kernel" holds NaN or infinite values \(value #10\): the weights file is corrupt/);
  });

  it('shapes that lie: the manifest against the layers, either way', () => {
    const j = jsonCopy();
    j.weightsManifest[0].weights[0].shape = [3, 3, 1, 5];
    refusal(() => checkByoModel(JSON.stringify(j), one(good.weights)), /weight "conv1\/kernel" is \[3, 3, 1, 5\] in the weightsManifest, but layer "conv1" \(Conv2D\) needs \[3, 3, 1, 4\]/);
    const k = jsonCopy();
    k.modelTopology.config.layers[0].config.filters = 6;
    refusal(() => checkByoModel(JSON.stringify(k), one(good.weights)), /is \[3, 3, 1, 4\] in the weightsManifest, but layer "conv1" \(Conv2D\) needs \[3, 3, 1, 6\]/);
    const m = jsonCopy();
    m.weightsManifest[0].weights = m.weightsManifest[0].weights.filter((w) => w.name !== 'out/bias');
    refusal(() => checkByoModel(JSON.stringify(m), one(good.weights)), /no "out\/bias", the bias of layer "out" \(Dense\)/);
    const x = jsonCopy();
    x.weightsManifest[0].weights.push({ name: 'ghost/kernel', shape: [2], dtype: 'float32' });
    refusal(() => checkByoModel(JSON.stringify(x), one(good.weights)), /weight "ghost\/kernel" that no layer of the model uses/);
    const d = jsonCopy();
    d.weightsManifest[0].weights[1].dtype = 'int32';
    refusal(() => checkByoModel(JSON.stringify(d), one(good.weights)), /"conv1\/bias" has dtype "int32"; only float32/);
  });

  it('absurdly large models and files, against stated limits', () => {
    const j = jsonCopy();
    // A hidden dense layer of 30,000 units: 20M parameters.
    j.modelTopology.config.layers.splice(-1, 0, { class_name: 'Dense', config: { name: 'huge', units: 30000, activation: 'relu' } });
    refusal(() => checkByoModel(JSON.stringify(j), one(good.weights)), new RegExp(`has 2\\d,\\d{3},\\d{3} parameters, more than the playground's limit of ${MAX_PARAMS.toLocaleString('en')}`));
    const s = jsonCopy();
    s.weightsManifest[0].weights[2].shape = [1 << 20, 1 << 20];
    refusal(() => checkByoModel(JSON.stringify(s), one(good.weights)), /claims \[1048576, 1048576\].*more than the playground's limit/);
    refusal(() => checkByoModel(' '.repeat(MAX_MODEL_JSON_BYTES + 1), one(good.weights)), /is over 4\.0 MB/);
  });

  it('configs tfjs cannot run', () => {
    const c = jsonCopy();
    c.modelTopology.config.layers[0].config.data_format = 'channels_first';
    refusal(() => checkByoModel(JSON.stringify(c), one(good.weights)), /data_format "channels_first"/);
    const a = jsonCopy();
    a.modelTopology.config.layers[0].config.activation = 'leaky_relu_9000';
    refusal(() => checkByoModel(JSON.stringify(a), one(good.weights)), /activation "leaky_relu_9000", which tfjs does not know/);
    const k = jsonCopy();
    k.modelTopology.config.layers[0].config.kernel_size = [40, 40];
    refusal(() => checkByoModel(JSON.stringify(k), one(good.weights)), /40×40 kernel does not fit its 28×28 input/);
    const n = jsonCopy();
    n.modelTopology.config.layers[3].config.name = 'conv1';
    refusal(() => checkByoModel(JSON.stringify(n), one(good.weights)), /two layers are named "conv1"/);
    const q = jsonCopy();
    (q.weightsManifest[0].weights[0] as { quantization?: unknown }).quantization = { dtype: 'uint8', scale: 1, min: 0 };
    refusal(() => checkByoModel(JSON.stringify(q), one(good.weights)), /stored quantized/);
    const p = jsonCopy();
    p.weightsManifest[0].paths = ['../../etc/passwd'];
    refusal(() => checkByoModel(JSON.stringify(p), one(good.weights)), /must be a plain file name/);
  });
});

describe('pickModelFiles', () => {
  const f = (name: string, size = 100) => ({ name, size });

  it('finds model.json and its weight files', () => {
    const files = [f('weights.bin'), f('model.json'), f('group1-shard2of2.bin')];
    const { modelFile, weightFiles } = pickModelFiles(files);
    expect(modelFile.name).toBe('model.json');
    expect(weightFiles.map((w) => w.name)).toEqual(['weights.bin', 'group1-shard2of2.bin']);
    expect(pickModelFiles([f('mnist-cnn.json'), f('w.bin')]).modelFile.name).toBe('mnist-cnn.json');
    expect(pickModelFiles([f('a.json'), f('model.json'), f('w.bin')]).modelFile.name).toBe('model.json');
  });

  it('refuses selections it cannot use, before reading anything', () => {
    refusal(() => pickModelFiles([]), /no file was chosen/);
    refusal(() => pickModelFiles([f('weights.bin')]), /no model\.json among the chosen files \(weights\.bin\)/);
    refusal(() => pickModelFiles([f('a.json'), f('b.json')]), /2 JSON files were chosen \(a\.json, b\.json\)/);
    refusal(() => pickModelFiles([f('model.json', MAX_MODEL_JSON_BYTES + 1)]), /model\.json is 4\.0 MB, more than/);
    refusal(() => pickModelFiles([f('model.json'), f('weights.bin', MAX_WEIGHT_BYTES + 1)]), /weight files total 64\.0 MB, more than the playground's limit of 64\.0 MB/);
    refusal(() => pickModelFiles([f('model.json'), f('weights.bin', 2 ** 40)]), /1048576\.0 MB, more than/);
    refusal(() => pickModelFiles([f('model.json'), f('w.bin'), f('w.bin')]), /two files are named w\.bin/);
  });
});
