/** Node-only: reads DIR/packed.json and its codes file, with one clear message per way it can be broken. */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { PackedFormatError, loadPackedModel } from '../inq/packedModel.ts';
import type { PackedModel } from '../inq/packedModel.ts';

/** The manifest's file name inside a model folder (written by `inq run --out DIR`). */
export const PACKED_MANIFEST_FILE = 'packed.json';

/** Reads and validates the packed model in `dir`; throws PackedFormatError (or a plain Error for a missing folder). */
export function readPackedModelDir(dir: string): PackedModel {
  if (!existsSync(dir)) throw new Error(`no folder ${dir}`);
  if (!statSync(dir).isDirectory()) throw new Error(`${dir} is not a folder`);
  const manifestPath = join(dir, PACKED_MANIFEST_FILE);
  if (!existsSync(manifestPath)) {
    if (uniformLevelsModel(dir)) {
      throw new PackedFormatError(`${dir} holds a uniform-level model: the packed format, the shift kernels and the C export take power-of-two levels only (run with --levels pow2)`);
    }
    throw new PackedFormatError(`no ${PACKED_MANIFEST_FILE} in ${dir} (write one with: npm run -s inq -- run … --out DIR)`);
  }
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(manifestPath, 'utf8')) as unknown;
  } catch (e) {
    throw new PackedFormatError(`${PACKED_MANIFEST_FILE} is not valid JSON (${(e as Error).message.split('\n')[0]})`);
  }
  const codesFile = (json as { codesFile?: unknown } | null)?.codesFile;
  // A plain file name beside the manifest: a manifest must not make us read elsewhere.
  if (typeof codesFile !== 'string' || codesFile === '' || /[/\\]/.test(codesFile) || codesFile === '.' || codesFile === '..') {
    throw new PackedFormatError(`${PACKED_MANIFEST_FILE}: codesFile must be a file name in the same folder (got ${JSON.stringify(codesFile)?.slice(0, 60)})`);
  }
  const codesPath = join(dir, codesFile);
  if (!existsSync(codesPath)) throw new PackedFormatError(`the codes file ${codesFile} named in ${PACKED_MANIFEST_FILE} is missing from ${dir}`);
  const bytes = new Uint8Array(readFileSync(codesPath));
  return loadPackedModel(json, bytes, PACKED_MANIFEST_FILE);
}

/** Whether dir/model.json says `inq run --levels uniform` wrote it (such a run writes no packed codes). */
function uniformLevelsModel(dir: string): boolean {
  try {
    const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')) as { userDefinedMetadata?: { inq?: { config?: { levels?: unknown } } } };
    return json.userDefinedMetadata?.inq?.config?.levels === 'uniform';
  } catch {
    return false;
  }
}
