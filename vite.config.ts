import { defineConfig } from 'vitest/config';
import type { Plugin } from 'vite';
import react from '@vitejs/plugin-react';
import { applyVulkanSetup, vulkanSetup } from './src/model/vulkanEnv.ts';

// The unit tests run WebGPU in Node (Dawn). Its Vulkan loader may be Chromium's, which the dynamic
// loader finds only through LD_LIBRARY_PATH, read when a process starts: set it here, in the test
// runner's own process, before it forks the worker processes that run the tests.
if (process.env.VITEST) applyVulkanSetup(vulkanSetup());

/**
 * The built page's Content-Security-Policy: everything from the page's own origin only; WebAssembly
 * compilation ('wasm-unsafe-eval') but no eval; workers from the origin (or blob:); no inline script
 * or style (React sets styles through the CSSOM, which the policy does not govern); no plugins, no
 * <base>, no form posts anywhere.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "worker-src 'self' blob:",
  "connect-src 'self'",
  "img-src 'self' data: blob:",
  "style-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

/**
 * The dev server's policy: the same origin-only rules, but Vite's dev client and React's refresh
 * preamble are inline scripts and dev CSS arrives as <style> elements, so those are allowed here.
 */
const DEV_CONTENT_SECURITY_POLICY = CONTENT_SECURITY_POLICY.replace("script-src 'self'", "script-src 'self' 'unsafe-inline'").replace("style-src 'self'", "style-src 'self' 'unsafe-inline'");

/**
 * Headers every served response carries (the worker's script gets its own policy from them). The two
 * Cross-Origin headers make the page cross-origin isolated, which SharedArrayBuffer and so the wasm
 * backend's threaded build need; everything the page loads is its own, so require-corp costs nothing.
 */
const securityHeaders = (policy: string): Record<string, string> => ({
  'Content-Security-Policy': `${policy}; frame-ancestors 'none'`,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
});

/** Writes the strict policy into the built index.html, first in <head>, so any static host enforces it. */
function contentSecurityPolicy(): Plugin {
  return {
    name: 'inq-content-security-policy',
    apply: 'build',
    transformIndexHtml: {
      order: 'post',
      handler: () => [{ tag: 'meta', attrs: { 'http-equiv': 'Content-Security-Policy', content: CONTENT_SECURITY_POLICY }, injectTo: 'head-prepend' }],
    },
  };
}

export default defineConfig({
  plugins: [react(), contentSecurityPolicy()],
  worker: { format: 'es' },
  build: { target: 'es2022', chunkSizeWarningLimit: 4096 },
  server: { port: 5173, strictPort: false, headers: securityHeaders(DEV_CONTENT_SECURITY_POLICY) },
  preview: { port: 4173, strictPort: true, headers: securityHeaders(CONTENT_SECURITY_POLICY) },
  test: {
    include: ['src/**/*.test.ts', 'bench/**/*.test.ts'],
    environment: 'node',
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
