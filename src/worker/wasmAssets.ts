/**
 * The wasm backend's binaries as assets of this build (Vite `?url`), so the page fetches them from its
 * own origin, never a CDN, under the self-only Content-Security-Policy ('wasm-unsafe-eval' lets them
 * compile). Browser-only: the command line reads them from node_modules.
 */
import plain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import simd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import threadedSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import type { WasmPaths } from '../model/backend.ts';

/** Absolute URLs of the three builds (tfjs picks threaded SIMD, SIMD or plain by what the context allows). */
export const WASM_PATHS: WasmPaths = {
  'tfjs-backend-wasm.wasm': new URL(plain, self.location.href).href,
  'tfjs-backend-wasm-simd.wasm': new URL(simd, self.location.href).href,
  'tfjs-backend-wasm-threaded-simd.wasm': new URL(threadedSimd, self.location.href).href,
};
