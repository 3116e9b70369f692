/** Backend names and preferences, free of tfjs so the page can import them without loading it. */

/** What the user may ask for. */
export type BackendPreference = 'auto' | 'wasm' | 'webgpu' | 'webgl' | 'cpu';

/** Concrete tfjs backends we use. */
export type BackendName = 'wasm' | 'webgpu' | 'webgl' | 'cpu';

/** Every accepted preference. */
export const BACKEND_PREFERENCES: readonly BackendPreference[] = ['auto', 'wasm', 'webgpu', 'webgl', 'cpu'];

/** Whether a string is an accepted preference. */
export function isBackendPreference(s: string): s is BackendPreference {
  return (BACKEND_PREFERENCES as readonly string[]).includes(s);
}

/** What we know about the WebGPU adapter, if any. */
export interface AdapterSummary {
  available: boolean;
  isFallbackAdapter: boolean;
  description: string;
}

/** The backend in use and why it was picked, shown to the user. */
export interface BackendChoice {
  backend: BackendName;
  reason: string;
  adapter: AdapterSummary;
}
