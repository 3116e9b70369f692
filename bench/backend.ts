/** The tfjs backend the Node suites share: the command line's `auto` (WebGPU on a real GPU, else wasm). */
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src/model/backend.ts';
import { installNodeWebGpu } from '../src/model/nodeGpu.ts';

let chosen: Promise<string> | null = null;

/** Sets the backend up once; resolves to a line naming the backend and its adapter. */
export function benchBackend(): Promise<string> {
  chosen ??= (async () => {
    await installNodeWebGpu(); // a real GPU's adapter, if any, is what auto looks for
    const choice = await initBackend('auto', { node: true });
    const adapter = choice.adapter?.available ? choice.adapter.description : 'none';
    return `tfjs ${tf.version.tfjs} backend ${choice.backend}: ${choice.reason} (adapter: ${adapter})`;
  })();
  return chosen;
}
