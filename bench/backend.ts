/** The tfjs backend the Node suites share: Dawn WebGPU where a Vulkan driver exists (as the command line), else cpu. */
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src/model/backend.ts';
import { installNodeWebGpu } from '../src/model/nodeGpu.ts';

let chosen: Promise<string> | null = null;

/** Sets the backend up once; resolves to a line naming the backend and its adapter. */
export function benchBackend(): Promise<string> {
  chosen ??= (async () => {
    const gpu = await installNodeWebGpu();
    const choice = await initBackend(gpu.ok ? 'auto' : 'cpu', { node: true });
    const adapter = choice.adapter?.available ? choice.adapter.description : 'none';
    return `tfjs ${tf.version.tfjs} backend ${choice.backend} (adapter: ${adapter})`;
  })();
  return chosen;
}
