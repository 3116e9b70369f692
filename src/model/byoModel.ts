/**
 * Bring your own model: checks a user's tfjs Layers model (model.json + weight files) before tfjs
 * sees it. Every refusal is a ModelFormatError whose message names the problem (which layer, which
 * file, how many bytes) in words a user can act on. A model that passes is handed back normalised:
 * a plain Sequential topology (no InputLayer, logits out) with one weights buffer in manifest order.
 */
import { NUM_CLASSES } from '../data/datasets.ts';
import { ModelFormatError, parseModelJson, WEIGHTS_FILE, weightPaths, type ModelJson } from './io.ts';

/** Largest model.json we read (text). */
export const MAX_MODEL_JSON_BYTES = 4 * 1024 * 1024;
/** Largest total of weight files we read: 64 MB. */
export const MAX_WEIGHT_BYTES = 64 * 1024 * 1024;
/** Most parameters a model may have (16M: 64 MB as float32). */
export const MAX_PARAMS = 16 * 1024 * 1024;
/** Most layers a model may have. */
export const MAX_LAYERS = 200;

/** Layer classes the playground runs: tfjs builds and trains them, and INQ quantizes the Conv2D and Dense kernels. */
export const SUPPORTED_LAYERS = ['InputLayer', 'Conv2D', 'Dense', 'MaxPooling2D', 'AveragePooling2D', 'Flatten', 'Dropout', 'Activation', 'ReLU'] as const;

/** The datasets' images (MNIST, Fashion-MNIST): 28×28 grayscale. */
export const INPUT_SHAPE: readonly number[] = [28, 28, 1];

/** Activations tfjs knows, as they appear in a serialised config. */
const ACTIVATIONS = new Set(['linear', 'relu', 'relu6', 'elu', 'selu', 'sigmoid', 'hard_sigmoid', 'hardSigmoid', 'softmax', 'softplus', 'softsign', 'tanh', 'swish', 'mish', 'gelu', 'gelu_new']);

/** A chosen file as far as picking needs it (a DOM File fits). */
export interface FileLike {
  name: string;
  size: number;
}

/** A checked model, ready for tfjs. */
export interface CheckedModel {
  json: ModelJson;
  /** Model weights only, in the order of `json.weightsManifest[0].weights`. */
  weights: ArrayBuffer;
  params: number;
  /** The quantizable layers (Conv2D, Dense) and their kernel shapes. */
  layers: { name: string; kind: string; shape: number[]; size: number }[];
  /** What was changed to make the model fit the playground (e.g. a softmax output removed). */
  notes: string[];
}

const mb = (bytes: number): string => `${(bytes / (1024 * 1024)).toFixed(bytes < 1024 * 1024 ? 2 : 1)} MB`;
const shapeText = (s: readonly (number | null)[]): string => `[${s.join(', ')}]`;
const quote = (v: unknown): string => (JSON.stringify(v) ?? String(v)).slice(0, 60);

/**
 * Picks model.json and its weight files from what the user chose. Sizes are checked here, before
 * anything is read, so a huge file is refused without loading it.
 */
export function pickModelFiles<T extends FileLike>(files: readonly T[]): { modelFile: T; weightFiles: T[] } {
  if (files.length === 0) throw new ModelFormatError('no file was chosen: choose model.json together with its weight files');
  const jsons = files.filter((f) => f.name.toLowerCase().endsWith('.json'));
  let modelFile: T | undefined;
  if (jsons.length === 1) modelFile = jsons[0];
  else if (jsons.length > 1) {
    const named = jsons.filter((f) => f.name === 'model.json');
    if (named.length !== 1) throw new ModelFormatError(`${jsons.length} JSON files were chosen (${jsons.map((f) => f.name).slice(0, 4).join(', ')}): choose one model.json and its weight files`);
    modelFile = named[0];
  }
  if (!modelFile) {
    throw new ModelFormatError(`no model.json among the chosen files (${files.map((f) => f.name).slice(0, 4).join(', ')}${files.length > 4 ? ', …' : ''}): choose model.json together with its weight files`);
  }
  if (modelFile.size > MAX_MODEL_JSON_BYTES) {
    throw new ModelFormatError(`${modelFile.name} is ${mb(modelFile.size)}, more than the ${mb(MAX_MODEL_JSON_BYTES)} a model.json may be: it is not a model description`);
  }
  const chosen = modelFile;
  const weightFiles = files.filter((f) => f !== chosen && !f.name.toLowerCase().endsWith('.json'));
  const seen = new Set<string>();
  for (const f of weightFiles) {
    if (seen.has(f.name)) throw new ModelFormatError(`two files are named ${f.name}: choose each weight file once`);
    seen.add(f.name);
  }
  const total = weightFiles.reduce((a, f) => a + f.size, 0);
  if (total > MAX_WEIGHT_BYTES) {
    throw new ModelFormatError(`the weight files total ${mb(total)}, more than the playground's limit of ${mb(MAX_WEIGHT_BYTES)} (${(MAX_PARAMS / 1048576).toFixed(0)}M float32 parameters)`);
  }
  return { modelFile, weightFiles };
}

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const isPosInt = (v: unknown, max = 1 << 20): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= max;

/** A layer as read from the topology. */
interface LayerDesc {
  cls: string;
  name: string;
  config: Json;
}

/** Reads an int or a pair of ints (kernel_size, strides, pool_size, dilation_rate). */
function pair(layer: LayerDesc, key: string, fallback: [number, number] | null): [number, number] {
  const v = layer.config[key];
  if (v === undefined || v === null) {
    if (fallback) return fallback;
  } else if (isPosInt(v, 4096)) return [v, v];
  else if (Array.isArray(v) && (v.length === 1 || v.length === 2) && v.every((x) => isPosInt(x, 4096))) return [v[0] as number, (v[1] ?? v[0]) as number];
  throw new ModelFormatError(`layer "${layer.name}" (${layer.cls}) has a bad ${key}: ${quote(v)}`);
}

/** Output size of a window sliding over `n` (tfjs's conv/pool output arithmetic). */
function slide(n: number, k: number, s: number, d: number, padding: string): number {
  return padding === 'same' ? Math.ceil(n / s) : Math.ceil((n - (k - 1) * d) / s);
}

function paddingOf(layer: LayerDesc): string {
  const p = layer.config.padding ?? 'valid';
  if (p !== 'valid' && p !== 'same') throw new ModelFormatError(`layer "${layer.name}" (${layer.cls}) has padding ${quote(p)}; supported: "valid" and "same"`);
  return p;
}

function checkChannelsLast(layer: LayerDesc): void {
  const f = layer.config.data_format;
  if (f !== undefined && f !== null && f !== 'channels_last') {
    throw new ModelFormatError(`layer "${layer.name}" (${layer.cls}) uses data_format ${quote(f)}; the playground's images are channels_last (28×28×1)`);
  }
}

function checkActivation(layer: LayerDesc): void {
  const a = layer.config.activation;
  if (a === undefined || a === null) return;
  if (typeof a !== 'string' || !ACTIVATIONS.has(a)) {
    throw new ModelFormatError(`layer "${layer.name}" (${layer.cls}) has activation ${quote(a)}, which tfjs does not know; use relu, linear, tanh, sigmoid, elu, selu, softplus or similar`);
  }
}

/** The layers of a Sequential model, or of a functional model that is a plain chain. */
function chainOf(topology: Json, what: string): { layers: unknown[]; name: string } {
  const outer = isObj(topology.model_config) ? topology.model_config : topology;
  const kind = outer.class_name;
  const config = outer.config;
  if (kind === 'Sequential') {
    const layers = Array.isArray(config) ? config : isObj(config) ? config.layers : undefined;
    if (!Array.isArray(layers) || layers.length === 0) throw new ModelFormatError(`${what}: the Sequential model has no layers`);
    return { layers, name: isObj(config) && typeof config.name === 'string' ? config.name : 'custom' };
  }
  if (kind === 'Model' || kind === 'Functional') {
    // A functional model is accepted when it is a chain: each layer fed by the one before it.
    const layers = isObj(config) ? config.layers : undefined;
    if (!Array.isArray(layers) || layers.length === 0) throw new ModelFormatError(`${what}: the model has no layers`);
    const names: string[] = layers.map((l) => (isObj(l) && isObj(l.config) && typeof l.config.name === 'string' ? l.config.name : isObj(l) && typeof l.name === 'string' ? l.name : ''));
    for (let i = 0; i < layers.length; i++) {
      const l = layers[i] as Json;
      const inbound = isObj(l) ? l.inbound_nodes : undefined;
      const from = i === 0 ? null : names[i - 1];
      const ok =
        i === 0
          ? Array.isArray(inbound) && inbound.length === 0
          : Array.isArray(inbound) && inbound.length === 1 && Array.isArray(inbound[0]) && inbound[0].length === 1 && Array.isArray(inbound[0][0]) && inbound[0][0][0] === from;
      if (!ok) {
        throw new ModelFormatError(
          `${what}: the model is not sequential (layer "${names[i] || `#${i + 1}`}" is not fed by the layer before it); the playground runs a chain of layers, one after another`,
        );
      }
    }
    return { layers, name: isObj(config) && typeof config.name === 'string' ? config.name : 'custom' };
  }
  throw new ModelFormatError(`${what}: the model is a ${quote(kind)}, not a Sequential model; the playground runs a chain of layers, one after another`);
}

/** Shapes every weight of the chain must have, the output shape, and the normalised layer configs. */
function walkLayers(raw: unknown[], what: string, notes: string[]) {
  if (raw.length > MAX_LAYERS) throw new ModelFormatError(`${what}: the model has ${raw.length} layers, more than the ${MAX_LAYERS} the playground takes`);
  const layers: LayerDesc[] = raw.map((l, i) => {
    if (!isObj(l) || typeof l.class_name !== 'string' || !isObj(l.config)) throw new ModelFormatError(`${what}: layer #${i + 1} has no class name or config`);
    const name = l.config.name;
    if (typeof name !== 'string' || !/^[\w./-]{1,100}$/.test(name)) throw new ModelFormatError(`${what}: layer #${i + 1} (${l.class_name.slice(0, 40)}) has no usable name`);
    return { cls: l.class_name, name, config: { ...l.config } };
  });
  const names = new Set<string>();
  for (const l of layers) {
    if (!(SUPPORTED_LAYERS as readonly string[]).includes(l.cls)) {
      throw new ModelFormatError(`layer "${l.name}" is a ${l.cls.slice(0, 40)}, which the playground does not support; supported layers: ${SUPPORTED_LAYERS.join(', ')}`);
    }
    if (names.has(l.name)) throw new ModelFormatError(`${what}: two layers are named "${l.name}"`);
    names.add(l.name);
  }
  // The input shape: from an InputLayer first in the chain, else from the first layer's batch_input_shape.
  const first = layers[0];
  const shapeKey = (c: Json): unknown => c.batch_input_shape ?? c.batch_shape;
  const batchShape = shapeKey(first.config);
  if (layers.slice(1).some((l) => l.cls === 'InputLayer')) throw new ModelFormatError(`${what}: an InputLayer may only come first`);
  const body = first.cls === 'InputLayer' ? layers.slice(1) : layers;
  if (body.length === 0) throw new ModelFormatError(`${what}: the model has no layers after its input`);
  if (!Array.isArray(batchShape) || batchShape.length < 2) {
    throw new ModelFormatError(`${what}: the first layer has no input shape; the datasets need ${shapeText(INPUT_SHAPE)} (28×28 grayscale images)`);
  }
  const inShape = batchShape.slice(1);
  if (inShape.length !== INPUT_SHAPE.length || inShape.some((d, i) => d !== INPUT_SHAPE[i])) {
    throw new ModelFormatError(
      `the model's input shape is ${shapeText(inShape.map((d) => (typeof d === 'number' ? d : null)))}, but the datasets (MNIST, Fashion-MNIST) are 28×28 grayscale images: the input must be ${shapeText(INPUT_SHAPE)}${inShape.length === 1 ? ' (put a Flatten first for a dense network)' : ''}`,
    );
  }
  // Normalised configs: no InputLayer, the input shape on the first layer, every layer trainable.
  const out: LayerDesc[] = body.map((l) => ({ ...l, config: { ...l.config } }));
  delete out[0].config.batch_shape;
  out[0].config.batch_input_shape = [null, ...INPUT_SHAPE];
  const expected: { name: string; layer: string; cls: string; shape: number[]; role: 'kernel' | 'bias' }[] = [];
  let shape = [...INPUT_SHAPE];
  for (const l of out) {
    const c = l.config;
    if (c.trainable === false) {
      c.trainable = true;
      notes.push(`layer "${l.name}" was marked not trainable; INQ re-trains every layer, so it is trainable here`);
    }
    if (typeof c.dtype === 'string' && c.dtype !== 'float32') throw new ModelFormatError(`layer "${l.name}" (${l.cls}) has dtype ${quote(c.dtype)}; only float32 is supported`);
    switch (l.cls) {
      case 'Conv2D': {
        checkChannelsLast(l);
        checkActivation(l);
        if (c.groups !== undefined && c.groups !== null && c.groups !== 1) throw new ModelFormatError(`layer "${l.name}" (Conv2D) is a grouped convolution (groups ${quote(c.groups)}), which tfjs does not run`);
        if (shape.length !== 3) throw new ModelFormatError(`layer "${l.name}" (Conv2D) gets an input of shape ${shapeText(shape)}; it needs height × width × channels`);
        if (!isPosInt(c.filters, 65536)) throw new ModelFormatError(`layer "${l.name}" (Conv2D) has a bad filters count: ${quote(c.filters)}`);
        const [kh, kw] = pair(l, 'kernel_size', null);
        const [sh, sw] = pair(l, 'strides', [1, 1]);
        const [dh, dw] = pair(l, 'dilation_rate', [1, 1]);
        if ((sh > 1 || sw > 1) && (dh > 1 || dw > 1)) throw new ModelFormatError(`layer "${l.name}" (Conv2D) has both strides and dilation above 1, which tfjs does not run`);
        const padding = paddingOf(l);
        const h = slide(shape[0], kh, sh, dh, padding);
        const w = slide(shape[1], kw, sw, dw, padding);
        if (h < 1 || w < 1) throw new ModelFormatError(`layer "${l.name}" (Conv2D): its ${kh}×${kw} kernel does not fit its ${shape[0]}×${shape[1]} input`);
        expected.push({ name: `${l.name}/kernel`, layer: l.name, cls: l.cls, shape: [kh, kw, shape[2], c.filters], role: 'kernel' });
        if (c.use_bias !== false) expected.push({ name: `${l.name}/bias`, layer: l.name, cls: l.cls, shape: [c.filters], role: 'bias' });
        shape = [h, w, c.filters];
        break;
      }
      case 'Dense': {
        checkActivation(l);
        if (!isPosInt(c.units, 1 << 20)) throw new ModelFormatError(`layer "${l.name}" (Dense) has a bad units count: ${quote(c.units)}`);
        const inUnits = shape[shape.length - 1];
        expected.push({ name: `${l.name}/kernel`, layer: l.name, cls: l.cls, shape: [inUnits, c.units], role: 'kernel' });
        if (c.use_bias !== false) expected.push({ name: `${l.name}/bias`, layer: l.name, cls: l.cls, shape: [c.units], role: 'bias' });
        shape = [...shape.slice(0, -1), c.units];
        break;
      }
      case 'MaxPooling2D':
      case 'AveragePooling2D': {
        checkChannelsLast(l);
        if (shape.length !== 3) throw new ModelFormatError(`layer "${l.name}" (${l.cls}) gets an input of shape ${shapeText(shape)}; it needs height × width × channels`);
        const [ph, pw] = pair(l, 'pool_size', [2, 2]);
        const [sh, sw] = pair(l, 'strides', [ph, pw]);
        const padding = paddingOf(l);
        const h = slide(shape[0], ph, sh, 1, padding);
        const w = slide(shape[1], pw, sw, 1, padding);
        if (h < 1 || w < 1) throw new ModelFormatError(`layer "${l.name}" (${l.cls}): its ${ph}×${pw} window does not fit its ${shape[0]}×${shape[1]} input`);
        shape = [h, w, shape[2]];
        break;
      }
      case 'Flatten':
        shape = [shape.reduce((a, b) => a * b, 1)];
        break;
      case 'Activation':
        checkActivation(l);
        if (typeof c.activation !== 'string') throw new ModelFormatError(`layer "${l.name}" (Activation) names no activation`);
        break;
      case 'ReLU': {
        const slope = c.negative_slope ?? 0;
        const threshold = c.threshold ?? 0;
        if (slope !== 0 || threshold !== 0) throw new ModelFormatError(`layer "${l.name}" (ReLU) has a negative slope or threshold, which tfjs's ReLU layer does not have`);
        break;
      }
      case 'Dropout': {
        const rate = c.rate;
        if (typeof rate !== 'number' || !(rate >= 0 && rate < 1)) throw new ModelFormatError(`layer "${l.name}" (Dropout) has a bad rate: ${quote(rate)}`);
        break;
      }
      default:
        // InputLayer elsewhere was refused above; nothing else reaches here.
        throw new ModelFormatError(`layer "${l.name}" (${l.cls}) is not supported here`);
    }
  }
  if (shape.length !== 1 || shape[0] !== NUM_CLASSES) {
    throw new ModelFormatError(
      `the model outputs ${shapeText(shape)}, but the datasets have ${NUM_CLASSES} classes: the last layer must be a Dense layer with ${NUM_CLASSES} units (after a Flatten)`,
    );
  }
  // The playground trains on logits: a softmax output would be applied twice.
  const last = out[out.length - 1];
  const lastWithActivation = last.cls === 'Dropout' && out.length > 1 ? out[out.length - 2] : last;
  if (lastWithActivation.config.activation === 'softmax' && (lastWithActivation.cls === 'Dense' || lastWithActivation.cls === 'Activation')) {
    lastWithActivation.config.activation = 'linear';
    notes.push(`the softmax on "${lastWithActivation.name}" was removed: the playground trains on logits (predictions are unchanged)`);
  }
  return { layers: out, expected };
}

/** A manifest entry, checked. */
interface Entry {
  name: string;
  shape: number[];
  bytes: number;
  optimizer: boolean;
}

function readManifest(j: Json, what: string): { groups: { paths: string[]; entries: Entry[] }[] } {
  const manifest = j.weightsManifest;
  if (!Array.isArray(manifest) || manifest.length === 0) throw new ModelFormatError(`${what} has no weightsManifest: it does not say where its weights are`);
  const paths = weightPaths(j as unknown as ModelJson, what);
  if (paths.length === 0) throw new ModelFormatError(`${what}: its weightsManifest names no weight files`);
  const groups = manifest.map((g, gi) => {
    if (!isObj(g) || !Array.isArray(g.weights) || !Array.isArray(g.paths)) throw new ModelFormatError(`${what}: weightsManifest group #${gi + 1} is malformed`);
    const entries = g.weights.map((w): Entry => {
      if (!isObj(w)) throw new ModelFormatError(`${what}: a weightsManifest entry is not an object`);
      const name = typeof w.name === 'string' ? w.name.slice(0, 80) : '?';
      if (typeof w.name !== 'string' || !Array.isArray(w.shape) || !w.shape.every((d) => typeof d === 'number' && Number.isInteger(d) && d >= 0 && d <= 1 << 30)) {
        throw new ModelFormatError(`${what}: weight "${name}" has a bad name or shape`);
      }
      if (w.quantization !== undefined) throw new ModelFormatError(`${what}: weight "${name}" is stored quantized (tfjs converter option); save the model with float32 weights`);
      const dtype = w.dtype ?? 'float32';
      if (dtype !== 'float32') throw new ModelFormatError(`${what}: weight "${name}" has dtype ${quote(dtype)}; only float32 weights are supported`);
      const shape = w.shape as number[];
      const count = shape.reduce((a, b) => a * b, 1);
      if (count > MAX_PARAMS) throw new ModelFormatError(`${what}: weight "${name}" claims ${shapeText(shape)} = ${count.toLocaleString('en')} values, more than the playground's limit of ${MAX_PARAMS.toLocaleString('en')} parameters`);
      return { name: w.name, shape, bytes: 4 * count, optimizer: w.group === 'optimizer' };
    });
    return { paths: g.paths as string[], entries };
  });
  return { groups };
}

/**
 * Checks a user's model: model.json's text and the weight files by name. Returns the model
 * normalised for the playground, or throws a ModelFormatError naming the problem.
 * `what` is the model file's name as the user chose it.
 */
export function checkByoModel(text: string, files: ReadonlyMap<string, ArrayBuffer>, what = 'model.json'): CheckedModel {
  if (text.length > MAX_MODEL_JSON_BYTES) throw new ModelFormatError(`${what} is over ${mb(MAX_MODEL_JSON_BYTES)}: it is not a model description`);
  const parsed = parseModelJson(text, what);
  if (!isObj(parsed)) throw new ModelFormatError(`${what} is JSON but not a tfjs model: it holds no model description`);
  if (parsed.format === 'graph-model' || (isObj(parsed.modelTopology) && Array.isArray(parsed.modelTopology.node))) {
    throw new ModelFormatError(`${what} is a tfjs graph model (converted from a SavedModel or frozen graph); the playground needs a Layers model (tf.keras / tfjs-layers)`);
  }
  if ('codesFile' in parsed && 'ops' in parsed) throw new ModelFormatError(`${what} is a packed INQ model (packed.json); to load a model, choose a tfjs model.json and its weights file`);
  if (!isObj(parsed.modelTopology)) throw new ModelFormatError(`${what} has no modelTopology: it is not a tfjs Layers model`);
  if (parsed.format !== undefined && parsed.format !== 'layers-model') throw new ModelFormatError(`${what} has format ${quote(parsed.format)}; the playground needs a tfjs Layers model ("layers-model")`);

  const notes: string[] = [];
  const chain = chainOf(parsed.modelTopology, what);
  const { layers, expected } = walkLayers(chain.layers, what, notes);
  const params = expected.reduce((a, e) => a + e.shape.reduce((x, y) => x * y, 1), 0);
  if (params > MAX_PARAMS) {
    throw new ModelFormatError(`the model has ${params.toLocaleString('en')} parameters, more than the playground's limit of ${MAX_PARAMS.toLocaleString('en')} (${mb(4 * MAX_PARAMS)} as float32)`);
  }

  // The manifest must describe exactly the weights the layers have, with the layers' shapes.
  const { groups } = readManifest(parsed, what);
  const byName = new Map<string, { entry: Entry; group: number; offset: number }>();
  groups.forEach((g, gi) => {
    let offset = 0;
    for (const entry of g.entries) {
      if (!entry.optimizer) {
        if (byName.has(entry.name)) throw new ModelFormatError(`${what}: weight "${entry.name}" is listed twice in its weightsManifest`);
        byName.set(entry.name, { entry, group: gi, offset });
      }
      offset += entry.bytes;
    }
  });
  const wanted = new Set(expected.map((e) => e.name));
  for (const e of expected) {
    const found = byName.get(e.name);
    if (!found) throw new ModelFormatError(`${what}: the weightsManifest has no "${e.name}", the ${e.role} of layer "${e.layer}" (${e.cls})`);
    if (found.entry.shape.length !== e.shape.length || found.entry.shape.some((d, i) => d !== e.shape[i])) {
      throw new ModelFormatError(
        `${what}: weight "${e.name}" is ${shapeText(found.entry.shape)} in the weightsManifest, but layer "${e.layer}" (${e.cls}) needs ${shapeText(e.shape)}: the shapes in the file contradict the layers`,
      );
    }
  }
  for (const name of byName.keys()) {
    if (!wanted.has(name)) throw new ModelFormatError(`${what}: the weightsManifest has a weight "${name}" that no layer of the model uses`);
  }

  // The files: each named one given, each group's bytes exactly what its entries describe.
  const groupBytes: Uint8Array[] = [];
  groups.forEach((g) => {
    const parts: Uint8Array[] = [];
    for (const p of g.paths) {
      const buf = files.get(p);
      if (!buf) throw new ModelFormatError(`the weights file "${p}" named in ${what} was not given: choose it together with ${what}`);
      parts.push(new Uint8Array(buf));
    }
    const got = parts.reduce((a, b) => a + b.length, 0);
    const want = g.entries.reduce((a, e) => a + e.bytes, 0);
    if (got !== want) {
      const list = g.paths.join(', ');
      throw new ModelFormatError(
        `the weights file${g.paths.length > 1 ? 's' : ''} ${list} ${g.paths.length > 1 ? 'have' : 'has'} ${got.toLocaleString('en')} bytes, but ${what} describes ${want.toLocaleString('en')}: ${got < want ? 'the file is truncated' : 'the file is too long'}, corrupt or belongs to another model`,
      );
    }
    const joined = new Uint8Array(got);
    let o = 0;
    for (const part of parts) {
      joined.set(part, o);
      o += part.length;
    }
    groupBytes.push(joined);
  });

  // The model's weights, in manifest order, as one buffer; NaN or infinity means a corrupt file.
  const specs = groups.flatMap((g, gi) => g.entries.filter((e) => !e.optimizer).map((e) => ({ e, gi })));
  const out = new Uint8Array(specs.reduce((a, s) => a + s.e.bytes, 0));
  let at = 0;
  for (const { e, gi } of specs) {
    const { offset } = byName.get(e.name)!;
    const bytes = groupBytes[gi].subarray(offset, offset + e.bytes);
    out.set(bytes, at);
    const values = new Float32Array(out.buffer, at, e.bytes / 4);
    for (let i = 0; i < values.length; i++) {
      if (!Number.isFinite(values[i])) throw new ModelFormatError(`weight "${e.name}" holds NaN or infinite values (value #${i}): the weights file is corrupt`);
    }
    at += e.bytes;
  }

  const metadata = isObj(parsed.userDefinedMetadata) ? parsed.userDefinedMetadata : undefined;
  const json: ModelJson = {
    format: 'layers-model',
    generatedBy: typeof parsed.generatedBy === 'string' ? parsed.generatedBy.slice(0, 200) : 'unknown',
    convertedBy: null,
    modelTopology: {
      class_name: 'Sequential',
      config: { name: chain.name.slice(0, 100), layers: layers.map((l) => ({ class_name: l.cls, config: l.config })) },
      keras_version: 'tfjs-layers',
      backend: 'tensor_flow.js',
    },
    weightsManifest: [{ paths: [WEIGHTS_FILE], weights: specs.map(({ e }) => ({ name: e.name, shape: e.shape, dtype: 'float32' as const })) }],
    ...(metadata ? { userDefinedMetadata: metadata } : {}),
  };
  const kernels = expected
    .filter((e) => e.role === 'kernel')
    .map((e) => ({ name: e.layer, kind: e.cls, shape: e.shape, size: e.shape.reduce((a, b) => a * b, 1) }));
  return { json, weights: out.buffer, params, layers: kernels, notes };
}
