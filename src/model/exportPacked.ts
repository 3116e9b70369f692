/** Turns a quantized tfjs model into the packed format (codes + manifest with the op sequence). */
import type * as tf from '@tensorflow/tfjs';
import { packLevels } from '../inq/codec.ts';
import { levelSet } from '../inq/levels.ts';
import { buildPackedModel, type PackedLayerEntry, type PackedOp } from '../inq/packedModel.ts';

interface LayerConfigLike {
  strides?: number | number[];
  padding?: string;
  activation?: string;
  poolSize?: number | number[];
}

const pair = (v: number | number[] | undefined, d: number): [number, number] => (Array.isArray(v) ? [v[0], v[1] ?? v[0]] : [v ?? d, v ?? d]);

/**
 * Packs every conv/dense kernel (which must already be levels of its layer's set, n1 as given by
 * the run) and records the forward pass. Throws for layers the shift kernels cannot run.
 */
export async function packModel(
  model: tf.LayersModel,
  bits: number,
  n1ByLayer: Map<string, number>,
  name: string,
): Promise<ReturnType<typeof buildPackedModel>> {
  const layers: Omit<PackedLayerEntry, 'offset' | 'byteLength'>[] = [];
  const words: Uint32Array[] = [];
  const ops: PackedOp[] = [];
  for (const layer of model.layers) {
    const cls = layer.getClassName();
    const cfg = layer.getConfig() as LayerConfigLike;
    if (cls === 'Conv2D' || cls === 'Dense') {
      const [kernel, bias] = layer.getWeights();
      const n1 = n1ByLayer.get(layer.name);
      if (n1 === undefined) throw new Error(`layer ${layer.name} was not quantized`);
      // Asynchronous reads: synchronous ones need a canvas on the WebGPU backend.
      const values = new Float32Array(await kernel.data());
      const set = levelSet(bits, 1, n1);
      words.push(packLevels(values, set));
      const outCh = kernel.shape[kernel.shape.length - 1];
      layers.push({
        name: layer.name,
        kind: cls,
        shape: [...kernel.shape],
        layout: cls === 'Conv2D' ? 'HWIO' : 'IO',
        count: kernel.size,
        bits,
        n1,
        bias: bias ? Array.from(await bias.data()) : new Array<number>(outCh).fill(0),
      });
      const act = cfg.activation ?? 'linear';
      if (act !== 'relu' && act !== 'linear') throw new Error(`layer ${layer.name}: activation ${act} is not supported by the shift kernels`);
      if (cls === 'Conv2D') {
        const padding = cfg.padding === 'same' ? 'same' : 'valid';
        ops.push({ op: 'conv2d', layer: layer.name, strides: pair(cfg.strides, 1), padding, relu: act === 'relu' });
      } else ops.push({ op: 'dense', layer: layer.name, relu: act === 'relu' });
    } else if (cls === 'MaxPooling2D') {
      const size = pair(cfg.poolSize, 2);
      ops.push({ op: 'maxpool', size, strides: cfg.strides === undefined ? size : pair(cfg.strides, size[0]) });
    } else if (cls === 'Flatten') {
      ops.push({ op: 'flatten' });
    } else {
      throw new Error(`layer ${layer.name} (${cls}) is not supported by the shift kernels`);
    }
  }
  const inShape = model.inputs[0].shape;
  const outShape = model.outputs[0].shape;
  return buildPackedModel(
    {
      model: name,
      inputShape: [inShape[1] as number, inShape[2] as number, inShape[3] as number],
      numClasses: outShape[outShape.length - 1] as number,
      codesFile: 'codes.bin',
      layers,
      ops,
    },
    words,
  );
}
