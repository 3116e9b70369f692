/**
 * End-to-end tests against the production build (`vite preview`), in the system Chromium with
 * WebGPU enabled. Playwright's own browsers are never downloaded: scripts/ensureChromium.mjs finds
 * or installs Chromium and we point Playwright at it.
 */
import { defineConfig } from '@playwright/test';

// The Chromium we drive.
const chromiumPath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

// Port and build folder can be moved so that two checkouts' e2e runs do not collide.
const port = Number(process.env.E2E_PORT || 4173);
const distDir = process.env.E2E_DIST || 'dist';

export default defineConfig({
  testDir: 'e2e',
  // Two cores and tests that train networks: one at a time.
  workers: 1,
  fullyParallel: false,
  forbidOnly: Boolean(process.env.CI),
  retries: 0,
  timeout: 180_000,
  expect: { timeout: 60_000 },
  outputDir: process.env.E2E_OUTPUT || 'test-results/e2e',
  reporter: process.env.PLAYWRIGHT_JSON_OUTPUT_NAME ? [['list'], ['json']] : 'list',
  use: {
    baseURL: `http://localhost:${port}`,
    browserName: 'chromium',
    headless: true,
    viewport: { width: 1280, height: 800 },
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: chromiumPath,
      args: [
        '--enable-unsafe-webgpu',
        '--no-sandbox',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--disable-quic',
      ],
    },
  },
  projects: [{ name: 'chromium' }],
  webServer: {
    command: `npx vite preview --port ${port} --strictPort --outDir ${distDir}`,
    url: `http://localhost:${port}`,
    reuseExistingServer: !process.env.CI,
    timeout: 60_000,
    stdout: 'ignore',
    stderr: 'pipe',
  },
});
