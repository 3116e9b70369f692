/**
 * A validated packed model (src/inq/packedModel.ts) as the layer list ShiftNetwork runs. The
 * manifest's op sequence is checked against what the shift kernels can do (conv stride 1 or 2, the
 * same in both axes; 2×2 stride-2 max-pool; flatten; dense) and every shape is chained from
 * manifest.inputShape, so a model that does not fit is refused here with a PackedFormatError naming
 * the op, not later by a GPU kernel reading the wrong memory. Browser-safe (no node:fs): the Node
 * reader is nodePacked.ts.
 */
import { PackedFormatError } from '../inq/packedModel.ts';
import type { PackedLayerEntry, PackedModel, PackedOp } from '../inq/packedModel.ts';
import { convGeometry, validatePackedKernel } from '../inq/shiftRef.ts';
import type { PackedKernel, ShiftLayer } from '../inq/shiftRef.ts';

/** What ShiftNetwork.create takes, plus the shape after each layer (one sample). */
export interface ShiftProgram {
  layers: ShiftLayer[];
  inputShape: [number, number, number];
  numClasses: number;
  /** Shape of one sample after each layer, aligned with `layers`. */
  shapes: number[][];
}

const isPair = (v: unknown): v is [number, number] => Array.isArray(v) && v.length === 2 && v.every((d) => Number.isInteger(d) && (d as number) > 0);

/** One op as text for error messages. */
function describeOp(op: PackedOp, i: number): string {
  const name = op.op === 'conv2d' || op.op === 'dense' ? ` "${String(op.layer).slice(0, 40)}"` : '';
  return `op ${i} (${String(op.op).slice(0, 20)}${name})`;
}

/** Turns a validated packed model into shift layers, checking every op's fields and the shape chain; throws PackedFormatError. */
export function shiftProgramFromPacked(model: PackedModel, what = 'packed model'): ShiftProgram {
  const { manifest } = model;
  const fail: (msg: string) => never = (msg) => {
    throw new PackedFormatError(`${what}: ${msg}`);
  };
  const byName = new Map<string, { entry: PackedLayerEntry; words: Uint32Array }>();
  manifest.layers.forEach((entry, i) => byName.set(entry.name, { entry, words: model.codes[i] }));
  if (manifest.ops.length === 0) fail('the op sequence is empty');

  const used = new Set<string>();
  const layers: ShiftLayer[] = [];
  const shapes: number[][] = [];
  let shape: number[] = [...manifest.inputShape];
  let pools = 0;
  let flattens = 0;
  const fmt = (s: readonly number[]): string => `[${s.join(', ')}]`;

  manifest.ops.forEach((op, i) => {
    const where = describeOp(op, i);
    const opFail: (msg: string) => never = (msg) => fail(`${where}: ${msg}`);
    switch (op.op) {
      case 'conv2d':
      case 'dense': {
        const found = byName.get(op.layer);
        if (!found) return opFail('refers to an unknown layer');
        const { entry, words } = found;
        if (used.has(op.layer)) opFail('uses a layer that an earlier op already used');
        used.add(op.layer);
        const kind = op.op === 'conv2d' ? 'Conv2D' : 'Dense';
        if (entry.kind !== kind) opFail(`layer is a ${entry.kind}, not a ${kind}`);
        if (typeof op.relu !== 'boolean') opFail('relu must be true or false');
        const kernel: PackedKernel = { words, bits: entry.bits, n1: entry.n1, shape: entry.shape };
        try {
          validatePackedKernel(kernel, op.op === 'conv2d' ? 4 : 2);
        } catch (e) {
          opFail((e as Error).message);
        }
        const bias = Float32Array.from(entry.bias);
        if (op.op === 'conv2d') {
          if (!isPair(op.strides)) opFail('strides must be two positive whole numbers');
          const [sy, sx] = op.strides;
          if (sy !== sx) opFail(`strides ${fmt(op.strides)} differ per axis; the shift kernels take one stride for both`);
          if (sy !== 1 && sy !== 2) opFail(`stride ${sy} is not supported (1 or 2)`);
          if (op.padding !== 'same' && op.padding !== 'valid') opFail('padding must be "same" or "valid"');
          if (shape.length !== 3) opFail(`a conv needs an [h, w, c] input, but the previous op gives ${fmt(shape)}`);
          const [kh, kw, kin] = entry.shape;
          if (kin !== shape[2]) opFail(`the kernel ${fmt(entry.shape)} expects ${kin} input channels, the input ${fmt(shape)} has ${shape[2]}`);
          if (op.padding === 'valid' && (shape[0] < kh || shape[1] < kw)) opFail(`a ${kh}×${kw} "valid" conv needs an input of at least ${kh}×${kw}, got ${fmt(shape)}`);
          const g = convGeometry([1, shape[0], shape[1], shape[2]], entry.shape, sy, op.padding);
          layers.push({ kind: 'conv2d', name: entry.name, kernel, bias, stride: sy, padding: op.padding, relu: op.relu });
          shape = [g.outH, g.outW, g.outC];
        } else {
          const [inN, outN] = entry.shape;
          if (shape.length !== 1) opFail(`a dense layer needs a flat input, but the previous op gives ${fmt(shape)} (a flatten op is missing)`);
          if (shape[0] !== inN) opFail(`the kernel ${fmt(entry.shape)} expects ${inN} inputs, the previous op gives ${shape[0]}`);
          layers.push({ kind: 'dense', name: entry.name, kernel, bias, relu: op.relu });
          shape = [outN];
        }
        break;
      }
      case 'maxpool': {
        if (!isPair(op.size) || !isPair(op.strides)) opFail('size and strides must be two positive whole numbers each');
        if (op.size.some((d) => d !== 2) || op.strides.some((d) => d !== 2)) {
          opFail(`only a 2×2 pool with stride 2 runs on the shift kernels (got size ${fmt(op.size)}, strides ${fmt(op.strides)})`);
        }
        if (shape.length !== 3) opFail(`a pool needs an [h, w, c] input, but the previous op gives ${fmt(shape)}`);
        if (shape[0] < 2 || shape[1] < 2) opFail(`a 2×2 pool needs at least 2×2 pixels, got ${fmt(shape)}`);
        layers.push({ kind: 'maxPool2d', name: `pool${++pools}` });
        shape = [Math.floor(shape[0] / 2), Math.floor(shape[1] / 2), shape[2]];
        break;
      }
      case 'flatten':
        layers.push({ kind: 'flatten', name: flattens++ ? `flatten${flattens}` : 'flatten' });
        shape = [shape.reduce((a, b) => a * b, 1)];
        break;
      default: {
        const never: never = op;
        fail(`op ${i}: unknown op ${JSON.stringify(never)?.slice(0, 40)}`);
      }
    }
    shapes.push(shape);
  });

  const unused = manifest.layers.filter((l) => !used.has(l.name)).map((l) => l.name);
  if (unused.length) fail(`layer${unused.length > 1 ? 's' : ''} ${unused.map((n) => `"${n.slice(0, 40)}"`).join(', ')} not used by any op`);
  if (shape.length !== 1 || shape[0] !== manifest.numClasses) {
    fail(`the last op gives ${fmt(shape)} but the model has ${manifest.numClasses} classes (expected [${manifest.numClasses}])`);
  }
  return { layers, inputShape: [...manifest.inputShape], numClasses: manifest.numClasses, shapes };
}
