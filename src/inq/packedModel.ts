/**
 * The quantized model's packed format: one binary file of b-bit codes (see codec.ts) and a JSON
 * manifest with each layer's shape, layout, bits, n1, byte offset and float32 bias, plus the op
 * sequence so the shift kernels can run the network without tfjs. The loader trusts nothing.
 */
import { packedCodeBytes, readCode } from './codec.ts';
import { MAX_BITS, MIN_BITS } from './levels.ts';

/** Format tag and version written into every manifest. */
export const PACKED_FORMAT = 'inq-packed';
export const PACKED_VERSION = 1;

/** One step of the forward pass. */
export type PackedOp =
  | { op: 'conv2d'; layer: string; strides: [number, number]; padding: 'same' | 'valid'; relu: boolean }
  | { op: 'dense'; layer: string; relu: boolean }
  | { op: 'maxpool'; size: [number, number]; strides: [number, number] }
  | { op: 'flatten' };

/** A quantized kernel in the manifest. */
export interface PackedLayerEntry {
  name: string;
  kind: 'Conv2D' | 'Dense';
  /** Kernel shape: [kh, kw, in, out] for Conv2D (layout HWIO), [in, out] for Dense (layout IO). */
  shape: number[];
  layout: 'HWIO' | 'IO';
  count: number;
  bits: number;
  n1: number;
  /** Byte offset and length of this layer's codes in the codes file (32-bit aligned). */
  offset: number;
  byteLength: number;
  bias: number[];
}

/** The manifest (JSON). */
export interface PackedManifest {
  format: typeof PACKED_FORMAT;
  version: number;
  model: string;
  /** [height, width, channels] of one input. */
  inputShape: [number, number, number];
  numClasses: number;
  codesFile: string;
  codesBytes: number;
  layers: PackedLayerEntry[];
  ops: PackedOp[];
}

/** A loaded, validated packed model. */
export interface PackedModel {
  manifest: PackedManifest;
  /** Codes of each layer, aligned with manifest.layers. */
  codes: Uint32Array[];
}

/** Raised for a packed model that cannot be used; the message names the problem. */
export class PackedFormatError extends Error {
  override name = 'PackedFormatError';
}

/** Builds the manifest and one codes buffer from per-layer packed words. */
export function buildPackedModel(
  meta: Omit<PackedManifest, 'format' | 'version' | 'codesBytes' | 'layers'> & { layers: Omit<PackedLayerEntry, 'offset' | 'byteLength'>[] },
  words: Uint32Array[],
): { manifest: PackedManifest; codes: Uint8Array } {
  let offset = 0;
  const layers: PackedLayerEntry[] = meta.layers.map((l, i) => {
    const byteLength = packedCodeBytes(l.count, l.bits);
    if (words[i].byteLength !== byteLength) throw new RangeError(`layer ${l.name}: ${words[i].byteLength} bytes of codes, expected ${byteLength}`);
    const e = { ...l, offset, byteLength };
    offset += byteLength;
    return e;
  });
  const codes = new Uint8Array(offset);
  layers.forEach((l, i) => codes.set(new Uint8Array(words[i].buffer, words[i].byteOffset, l.byteLength), l.offset));
  return { manifest: { ...meta, format: PACKED_FORMAT, version: PACKED_VERSION, codesBytes: offset, layers }, codes };
}

const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);

/** Validates a manifest against its codes file and returns the model; throws PackedFormatError naming the problem. */
export function loadPackedModel(manifestJson: unknown, codes: Uint8Array, what = 'manifest'): PackedModel {
  const fail = (msg: string): never => {
    throw new PackedFormatError(`${what}: ${msg}`);
  };
  if (typeof manifestJson !== 'object' || manifestJson === null || Array.isArray(manifestJson)) fail('not a JSON object');
  const m = manifestJson as Partial<PackedManifest>;
  if (m.format !== PACKED_FORMAT) fail(`not an INQ packed model (format is ${JSON.stringify(m.format)?.slice(0, 40)}, expected "${PACKED_FORMAT}")`);
  if (m.version !== PACKED_VERSION) fail(`version ${String(m.version)} is not supported (this build reads version ${PACKED_VERSION})`);
  if (!Array.isArray(m.inputShape) || m.inputShape.length !== 3 || !m.inputShape.every((d) => isInt(d) && d > 0 && d <= 4096)) fail('inputShape must be three positive whole numbers');
  if (!isInt(m.numClasses) || m.numClasses < 1) fail('numClasses must be a positive whole number');
  if (!isInt(m.codesBytes) || m.codesBytes < 0) fail('codesBytes is missing');
  if (codes.byteLength !== m.codesBytes) {
    fail(`the codes file has ${codes.byteLength} bytes but the manifest says ${m.codesBytes}: it is truncated, padded or belongs to another model`);
  }
  if (!Array.isArray(m.layers) || m.layers.length === 0) fail('no layers');
  if (!Array.isArray(m.ops)) fail('no ops');
  if (typeof m.model !== 'string' || m.model.length > 200) fail('model must be a name of at most 200 characters');
  if (typeof m.codesFile !== 'string') fail('codesFile must be a file name');
  const layers = m.layers as PackedLayerEntry[];
  const names = new Set<string>();
  const out: Uint32Array[] = [];
  let end = 0;
  for (const l of layers) {
    if (typeof l !== 'object' || l === null || Array.isArray(l)) fail('every layer must be a JSON object');
    if (typeof l.name !== 'string' || l.name === '') fail('every layer needs a name');
    const name = l.name.slice(0, 40);
    if (names.has(l.name)) fail(`layer name "${name}" appears twice`);
    names.add(l.name);
    if (l.kind !== 'Conv2D' && l.kind !== 'Dense') fail(`layer ${name}: kind must be Conv2D or Dense`);
    const rank = l.kind === 'Conv2D' ? 4 : 2;
    if (!Array.isArray(l.shape) || l.shape.length !== rank || !l.shape.every((d) => isInt(d) && d > 0 && d <= 1 << 20)) {
      fail(`layer ${name}: shape must be ${rank} positive whole numbers`);
    }
    if (l.layout !== (rank === 4 ? 'HWIO' : 'IO')) fail(`layer ${name}: layout must be ${rank === 4 ? 'HWIO' : 'IO'}`);
    const count = l.shape.reduce((a, b) => a * b, 1);
    if (l.count !== count) fail(`layer ${name}: count ${String(l.count)} does not match its shape (${count})`);
    if (!isInt(l.bits) || l.bits < MIN_BITS || l.bits > MAX_BITS) fail(`layer ${name}: bits must be ${MIN_BITS} to ${MAX_BITS}`);
    if (!isInt(l.n1) || l.n1 < -120 || l.n1 > 120) fail(`layer ${name}: n1 must be a whole number in [-120, 120]`);
    if (l.n1 + 1 - 2 ** (l.bits - 2) < -125) fail(`layer ${name}: its smallest level underflows float32`);
    const bytes = packedCodeBytes(count, l.bits);
    if (l.byteLength !== bytes) fail(`layer ${name}: byteLength ${String(l.byteLength)} should be ${bytes} for ${count} ${l.bits}-bit codes`);
    if (!isInt(l.offset) || l.offset % 4 !== 0 || l.offset < end) fail(`layer ${name}: offset must be 4-byte aligned and after the previous layer`);
    if (l.offset + bytes > codes.byteLength) fail(`layer ${name}: its codes run past the end of the codes file`);
    end = l.offset + bytes;
    const outCh = l.shape[l.shape.length - 1];
    if (!Array.isArray(l.bias) || l.bias.length !== outCh || !l.bias.every((b) => typeof b === 'number' && Number.isFinite(b))) {
      fail(`layer ${name}: bias must be ${outCh} finite numbers`);
    }
    const words = new Uint32Array(bytes / 4);
    new Uint8Array(words.buffer).set(codes.subarray(l.offset, l.offset + bytes));
    // A code without the non-zero flag must be exactly 0: anything else is corruption.
    for (let i = 0; i < count; i++) {
      const c = readCode(words, i, l.bits);
      if (c !== 0 && !(c >>> (l.bits - 1))) fail(`layer ${name}: weight ${i} has an invalid code ${c}`);
    }
    out.push(words);
  }
  for (const op of m.ops as PackedOp[]) {
    if (op?.op === 'conv2d' || op?.op === 'dense') {
      if (!names.has(op.layer)) fail(`op refers to unknown layer "${String(op.layer).slice(0, 40)}"`);
    } else if (op?.op !== 'maxpool' && op?.op !== 'flatten') fail(`unknown op ${JSON.stringify(op)?.slice(0, 40)}`);
  }
  return { manifest: m as PackedManifest, codes: out };
}
