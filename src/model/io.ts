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
  if (!Array.isArray(j.weightsManifest)) throw new ModelFormatError(`${what} has no weightsManifest`);
  let expected = 0;
  for (const group of j.weightsManifest) {
    if (!group || !Array.isArray(group.weights)) throw new ModelFormatError(`${what} has a malformed weightsManifest`);
    for (const w of group.weights) {
      const per = DTYPE_BYTES[w.dtype ?? 'float32'];
      if (!per || !Array.isArray(w.shape) || w.shape.some((d) => !Number.isInteger(d) || d < 0)) {
        throw new ModelFormatError(`${what}: weight "${String(w.name)}" has a bad shape or dtype`);
      }
      if (w.quantization) throw new ModelFormatError(`${what}: quantized weight storage is not supported ("${w.name}")`);
      expected += per * w.shape.reduce((a, b) => a * b, 1);
    }
  }
  if (expected !== weightBytes) {
    throw new ModelFormatError(
      `the weights file has ${weightBytes} bytes but ${what} describes ${expected}: the file is truncated, corrupt or belongs to another model`,
    );
  }
  return j as ModelJson;
}

/** Builds a model from model.json and its weights. */
export async function modelFromArtifacts(json: unknown, weights: ArrayBuffer, what = 'model.json'): Promise<tf.LayersModel> {
  const j = validateModelJson(json, weights.byteLength, what);
  const weightSpecs = j.weightsManifest.flatMap((g) => g.weights);
  try {
    return await tf.loadLayersModel(tf.io.fromMemory({ modelTopology: j.modelTopology, weightSpecs, weightData: weights }));
  } catch (e) {
    throw new ModelFormatError(`${what} could not be loaded: ${(e as Error).message}`);
  }
}

/** The weight files a model.json names, in manifest order. */
export function weightPaths(json: ModelJson): string[] {
  return Array.isArray(json?.weightsManifest) ? json.weightsManifest.flatMap((g) => g.paths ?? []) : [];
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
