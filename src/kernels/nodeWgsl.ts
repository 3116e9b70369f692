/** Node-only (tsx): reads the .wgsl files beside this module, for runs outside Vite where `?raw` does not exist. */
import { readFileSync } from 'node:fs';
import { KERNEL_NAMES, registerWgslSource } from './wgslSource.ts';

/** Loads every kernel's WGSL from disk into the wgslSource registry (idempotent). */
export function loadWgslFromDisk(): void {
  for (const name of KERNEL_NAMES) {
    registerWgslSource(name, readFileSync(new URL(`./${name}.wgsl`, import.meta.url), 'utf8'));
  }
}
