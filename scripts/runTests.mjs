#!/usr/bin/env node
// `npm test`: unit tests (Vitest), then end-to-end tests (Playwright in headless Chromium),
// then one plain totals line. Skipped tests are counted as skipped, never as passed.
import { spawnSync } from 'node:child_process';
import { readFileSync, mkdirSync, rmSync } from 'node:fs';

const outDir = 'test-results/json';
rmSync(outDir, { recursive: true, force: true });
mkdirSync(outDir, { recursive: true });

function run(cmd, args, env = {}) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', env: { ...process.env, ...env } });
  return r.status ?? 1;
}

function readJson(path) {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return null;
  }
}

const totals = { passed: 0, failed: 0, skipped: 0 };

// Chromium first: the e2e tests drive it, and its SwiftShader Vulkan driver lets the kernel tests
// run WebGPU in Node on machines without another one.
const chromiumCode = run('node', ['scripts/ensureChromium.mjs']);
const gpuReport = `${outDir}/gpu-adapters.txt`;
const unitCode = run('npx', ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${outDir}/unit.json`], { INQ_GPU_REPORT: gpuReport });
let gpuLines = [];
try {
  gpuLines = [...new Set(readFileSync(gpuReport, 'utf8').split('\n').filter(Boolean))];
} catch {
  // no GPU test got an adapter: they failed (or were skipped on purpose), and say why themselves
}
const gpuLine = gpuLines.length ? `GPU unit tests ran on: ${gpuLines.join(' | ')}` : 'GPU unit tests: no adapter (see their failures above)';
console.log(`\n${gpuLine}`);
const unit = readJson(`${outDir}/unit.json`);
if (unit) {
  totals.passed += unit.numPassedTests;
  totals.failed += unit.numFailedTests;
  totals.skipped += unit.numPendingTests + unit.numTodoTests;
} else {
  totals.failed += 1;
}

let e2eCode = 1;
if (unitCode === 0 || process.env.INQ_TEST_ALL) {
  e2eCode = chromiumCode;
  if (e2eCode === 0) e2eCode = run('npm', ['run', '-s', 'build']);
  if (e2eCode === 0) e2eCode = run('npx', ['playwright', 'test'], { PLAYWRIGHT_JSON_OUTPUT_NAME: `${outDir}/e2e.json` });
  const e2e = readJson(`${outDir}/e2e.json`);
  if (e2e?.stats) {
    totals.passed += e2e.stats.expected;
    totals.failed += e2e.stats.unexpected + e2e.stats.flaky;
    totals.skipped += e2e.stats.skipped;
  } else {
    totals.failed += 1;
  }
} else {
  console.log('unit tests failed: end-to-end tests not run');
}

console.log(`\n${gpuLine}`);
console.log(`tests: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
process.exit(unitCode === 0 && e2eCode === 0 && totals.failed === 0 ? 0 : 1);
