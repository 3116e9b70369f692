/**
 * The GPU commands as a user runs them, in a fresh process started WITHOUT any Vulkan variables:
 * the command line must find a driver by itself (re-running itself once when the loader is
 * Chromium's) and say on stderr which one it uses.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

/** Runs `npm run -s inq -- …` the way a shell does, with the Vulkan variables removed. */
function inq(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const env = { ...process.env };
  for (const k of ['LD_LIBRARY_PATH', 'VK_ICD_FILENAMES', 'VK_DRIVER_FILES', 'INQ_VULKAN_RESTARTED']) delete env[k];
  const r = spawnSync(process.execPath, ['node_modules/tsx/dist/cli.mjs', 'src/cli/main.ts', ...args], { env, encoding: 'utf8', timeout: 110_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('GPU commands on a machine set up only by its packages', () => {
  it('kernel-check passes and names the Vulkan driver and adapter', () => {
    const r = inq(['kernel-check', '--cases', '6', '--seed', '7', '--json']);
    expect(r.stderr).toMatch(/inq: Vulkan .+; adapter .+/);
    expect(r.status, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout) as { pass: boolean; fixedExact: boolean; cases: number };
    expect(summary).toMatchObject({ pass: true, fixedExact: true, cases: 6 });
  });

  it('infer runs the committed 5-bit model on the shift kernels and agrees with tfjs', () => {
    const r = inq(['infer', '--model', 'public/models/lenet5-inq5', '--test-size', '200', '--json']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/inq: Vulkan .+; adapter .+/);
    const out = JSON.parse(r.stdout.trim().split('\n').pop() ?? '') as { agreement: number; shiftAccuracy: number };
    expect(out.agreement).toBeGreaterThanOrEqual(0.995);
    expect(out.shiftAccuracy).toBeGreaterThan(0.95);
  });
});
