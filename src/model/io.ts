/** Saving and loading models in tfjs's Layers format (model.json + one weights file), with clear errors. */
import * as tf from '@tensorflow/tfjs';

/** Name of the weights file written next to model.json. */
export const WEIGHTS_FILE = 'weights.bin';

/** A Layers-format model.json as written here. */
export interface ModelJson {
  format: 'layers-model';
  generatedBy: string;
  convertedBy: null;
  modelTopology: object;
  weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
  userDefinedMetadata?: Record<string, unknown>;
}

/** A model as bytes: model.json and the concatenated weights. */
export interface ModelArtifactsOnDisk {
  json: ModelJson;
  weights: ArrayBuffer;
}

/** Raised when a model file cannot be used; the message says why. */
export class ModelFormatError extends Error {
  override name = 'ModelFormatError';
}

/** Serialises a model (optionally with metadata stored in model.json). */
export async function modelToArtifacts(model: tf.LayersModel, metadata?: Record<string, unknown>): Promise<ModelArtifactsOnDisk> {
  let captured: tf.io.ModelArtifacts | null = null;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      captured = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  const a = captured as tf.io.ModelArtifacts | null;
  if (!a?.modelTopology || !a.weightSpecs || !a.weightData) throw new Error('tfjs did not produce model artifacts');
  const weights = a.weightData instanceof ArrayBuffer ? a.weightData : tf.io.concatenateArrayBuffers(a.weightData);
  return {
    json: {
      format: 'layers-model',
      generatedBy: `TensorFlow.js tfjs-layers v${tf.version.tfjs}`,
      convertedBy: null,
      modelTopology: a.modelTopology as object,
      weightsManifest: [{ paths: [WEIGHTS_FILE], weights: a.weightSpecs }],
      ...(metadata ? { userDefinedMetadata: metadata } : {}),
    },
    weights,
  };
}

const DTYPE_BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1 };

/** Checks a parsed model.json against its weights' total size; throws ModelFormatError naming the problem. */
export function validateModelJson(json: unknown, weightBytes: number, what = 'model.json'): ModelJson {
  if (typeof json !== 'object' || json === null) throw new ModelFormatError(`${what} is not a JSON object`);
  const j = json as Partial<ModelJson>;
  if (!j.modelTopology || typeof j.modelTopology !== 'object') throw new ModelFormatError(`${what} has no modelTopology: it is not a tfjs Layers model`);
  checkTopology(j.modelTopology, what);
  if (!Array.isArray(j.weightsManifest)) throw new ModelFormatError(`${what} has no weightsManifest`);
  let expected = 0;
  for (const group of j.weightsManifest) {
    if (!group || typeof group !== 'object' || !Array.isArray(group.weights)) throw new ModelFormatError(`${what} has a malformed weightsManifest`);
    for (const w of group.weights as unknown[]) {
      if (!w || typeof w !== 'object') throw new ModelFormatError(`${what} has a malformed weightsManifest entry`);
      const spec = w as Partial<tf.io.WeightsManifestEntry>;
      const name = typeof spec.name === 'string' ? spec.name.slice(0, 60) : '?';
      const dtype = spec.dtype ?? 'float32';
      const per = typeof dtype === 'string' && Object.hasOwn(DTYPE_BYTES, dtype) ? DTYPE_BYTES[dtype] : 0;
      if (typeof spec.name !== 'string' || !per || !Array.isArray(spec.shape) || spec.shape.some((d) => !Number.isInteger(d) || d < 0)) {
        throw new ModelFormatError(`${what}: weight "${name}" has a bad name, shape or dtype`);
      }
      if (spec.quantization) throw new ModelFormatError(`${what}: quantized weight storage is not supported ("${name}")`);
      expected += per * spec.shape.reduce((a, b) => a * b, 1);
      // A shape that claims more than any real file: stop before the sum loses precision.
      if (expected > Number.MAX_SAFE_INTEGER) throw new ModelFormatError(`${what}: weight "${name}" has an impossibly large shape`);
    }
  }
  if (expected !== weightBytes) {
    throw new ModelFormatError(
      `the weights file has ${weightBytes} bytes but ${what} describes ${expected}: the file is truncated, corrupt or belongs to another model`,
    );
  }
  return j as ModelJson;
}

/** The outline tfjs relies on before it reads a topology: a Sequential or functional model with layers. */
function checkTopology(topology: object, what: string): void {
  const t = topology as { model_config?: unknown; class_name?: unknown; config?: unknown };
  const outer = t.model_config && typeof t.model_config === 'object' ? (t.model_config as typeof t) : t;
  const kind = outer.class_name;
  const config = outer.config as { layers?: unknown; input_layers?: unknown; output_layers?: unknown } | unknown[] | null | undefined;
  const bad = (why: string): never => {
    throw new ModelFormatError(`${what}: the model's topology ${why}`);
  };
  if (kind !== 'Sequential' && kind !== 'Model' && kind !== 'Functional') bad(`is of an unsupported class (${JSON.stringify(kind)?.slice(0, 40) ?? 'none'}); expected a Sequential or functional model`);
  if (!config || typeof config !== 'object') bad('has no config');
  const layers = Array.isArray(config) ? config : (config as { layers?: unknown }).layers;
  if (!Array.isArray(layers) || layers.length === 0) bad('has no layers');
  if ((layers as unknown[]).some((l) => !l || typeof l !== 'object' || typeof (l as { class_name?: unknown }).class_name !== 'string')) bad('has a layer without a class name');
  if (kind !== 'Sequential') {
    const c = config as { input_layers?: unknown; output_layers?: unknown };
    if (!Array.isArray(c.input_layers) || !Array.isArray(c.output_layers)) bad('has no input or output layers');
  }
}

/** Builds a model from model.json and its weights. */
export async function modelFromArtifacts(json: unknown, weights: ArrayBuffer, what = 'model.json'): Promise<tf.LayersModel> {
  const j = validateModelJson(json, weights.byteLength, what);
  const weightSpecs = j.weightsManifest.flatMap((g) => g.weights);
  // In two steps, so that a model whose weights do not fit its topology releases every tensor it
  // made (tfjs's one-step loader leaves the model's variables and the decoded weights behind).
  let model: tf.LayersModel | null = null;
  let decoded: tf.NamedTensorMap | null = null;
  // Variables that exist now; a topology that fails half-built (a layer too large to allocate) leaves the others behind.
  const variablesBefore = new Set(Object.keys(tf.engine().registeredVariables));
  try {
    model = await tf.loadLayersModel(tf.io.fromMemory({ modelTopology: j.modelTopology, ...(j.userDefinedMetadata ? { userDefinedMetadata: j.userDefinedMetadata } : {}) }));
    decoded = tf.io.decodeWeights(weights, weightSpecs);
    const modelWeights: tf.NamedTensorMap = {};
    for (const spec of weightSpecs) if (spec.group !== 'optimizer') modelWeights[spec.name] = decoded[spec.name];
    model.loadWeights(modelWeights, true);
    return model;
  } catch (e) {
    try {
      model?.dispose();
    } catch {
      // Already disposed or never built: nothing more to release.
    }
    if (!model) {
      // Building is synchronous inside tfjs's loader, so the variables that appeared are the half-built model's.
      for (const [name, v] of Object.entries(tf.engine().registeredVariables)) if (!variablesBefore.has(name)) v.dispose();
    }
    // A TypeError is tfjs tripping over a malformed topology: its own words would mean nothing to the user.
    const text = e instanceof TypeError ? 'its topology is malformed' : e instanceof Error ? e.message.split('\n')[0].slice(0, 200) : String(e).slice(0, 200);
    throw new ModelFormatError(`${what} could not be loaded: ${text}`, { cause: e });
  } finally {
    if (decoded) tf.dispose(Object.values(decoded));
  }
}

/** The weight files a model.json names, in manifest order: plain file names beside model.json, nothing else. */
export function weightPaths(json: ModelJson, what = 'model.json'): string[] {
  const manifest: unknown = json?.weightsManifest;
  if (!Array.isArray(manifest)) return [];
  const out: string[] = [];
  for (const g of manifest as unknown[]) {
    const paths: unknown = g && typeof g === 'object' ? (g as { paths?: unknown }).paths : undefined;
    if (paths === undefined) continue;
    if (!Array.isArray(paths)) throw new ModelFormatError(`${what}: weightsManifest paths must be a list of file names`);
    for (const p of paths as unknown[]) {
      // A model file must not make us read from another folder or another site.
      if (typeof p !== 'string' || !/^[\w.-]{1,200}$/.test(p) || p === '.' || p === '..') {
        throw new ModelFormatError(`${what}: weights file ${JSON.stringify(p)?.slice(0, 60) ?? String(p)} must be a plain file name in the same folder`);
      }
      out.push(p);
    }
  }
  return out;
}

/** Joins weight files, read in manifest order, into the one buffer tfjs expects. */
export function concatBytes(parts: readonly Uint8Array[]): ArrayBuffer {
  const out = new Uint8Array(parts.reduce((a, b) => a + b.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out.buffer;
}

/** Parses model.json text, with a clear error for non-JSON. */
export function parseModelJson(text: string, what = 'model.json'): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ModelFormatError(`${what} is not valid JSON (corrupt or not a model file)`);
  }
}
