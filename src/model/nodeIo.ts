/** Node-only: models in a folder (model.json + weights.bin). */
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import { concatBytes, modelFromArtifacts, modelToArtifacts, parseModelJson, weightPaths, ModelFormatError, WEIGHTS_FILE, type ModelJson } from './io.ts';

/** Writes model.json and weights.bin into `dir`. */
export async function saveModelDir(model: tf.LayersModel, dir: string, metadata?: Record<string, unknown>): Promise<void> {
  const { json, weights } = await modelToArtifacts(model, metadata);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'model.json'), JSON.stringify(json));
  writeFileSync(join(dir, WEIGHTS_FILE), new Uint8Array(weights));
}

/** Reads model.json and its weight files from `dir`. */
export function readModelDir(dir: string): { json: ModelJson; weights: ArrayBuffer } {
  const path = join(dir, 'model.json');
  if (!existsSync(path)) throw new ModelFormatError(`no model.json in ${dir}`);
  const json = parseModelJson(readFileSync(path, 'utf8'), path) as ModelJson;
  const parts = weightPaths(json).map((p) => {
    const f = join(dir, p);
    if (!existsSync(f)) throw new ModelFormatError(`weights file ${p} named in model.json is missing from ${dir}`);
    return readFileSync(f);
  });
  return { json, weights: concatBytes(parts) };
}

/** Loads a Layers model from `dir`. */
export async function loadModelDir(dir: string): Promise<tf.LayersModel> {
  const { json, weights } = readModelDir(dir);
  return modelFromArtifacts(json, weights, join(dir, 'model.json'));
}
