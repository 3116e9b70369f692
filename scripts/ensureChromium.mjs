// Makes sure a Chromium exists for the e2e tests (Playwright drives it via executablePath).
// Installs Debian's package when we are root on Debian; never downloads Playwright's own browsers.
import { accessSync, constants, existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

const path = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

function executable(p) {
  try {
    accessSync(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function run(cmd, args) {
  console.log(`ensureChromium: ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited with ${r.status ?? r.signal}`);
}

if (executable(path)) {
  console.log(`ensureChromium: using ${path}`);
  process.exit(0);
}

const hint = `install one (apt-get install chromium) or set CHROMIUM_PATH to a Chromium/Chrome binary`;

if (process.env.CHROMIUM_PATH) {
  console.error(`ensureChromium: CHROMIUM_PATH=${path} is not an executable file; ${hint}`);
  process.exit(1);
}

const canApt = existsSync('/etc/debian_version') && typeof process.getuid === 'function' && process.getuid() === 0;
if (!canApt) {
  console.error(`ensureChromium: no Chromium at ${path}; ${hint}`);
  process.exit(1);
}

try {
  console.log(`ensureChromium: no Chromium at ${path}; installing Debian's chromium package`);
  run('apt-get', ['update']);
  run('apt-get', ['install', '-y', 'chromium']);
} catch (e) {
  console.error(`ensureChromium: installing chromium failed (${e instanceof Error ? e.message : e}); ${hint}`);
  process.exit(1);
}

if (!executable(path)) {
  console.error(`ensureChromium: apt-get installed chromium but ${path} is still missing; ${hint}`);
  process.exit(1);
}
console.log(`ensureChromium: installed ${path}`);
