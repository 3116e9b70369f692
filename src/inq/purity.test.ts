/** src/inq is pure math over typed arrays: no tfjs, no React, no DOM, no package imports at all. */
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = dirname(fileURLToPath(import.meta.url));
const sources = readdirSync(dir)
  .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
  .sort();

/** Removes comments (roughly; good enough for these files) so words in doc comments do not count. */
function stripComments(src: string): string {
  return src.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:"'`\\])\/\/.*$/gm, '$1');
}

/** Every module specifier: static imports/exports, dynamic import() and require(). */
function specifiers(src: string): string[] {
  const out: string[] = [];
  const patterns = [
    /\b(?:import|export)\s[^'"`;]*?\bfrom\s*['"]([^'"]+)['"]/g,
    /\bimport\s*['"]([^'"]+)['"]/g,
    /\bimport\s*\(\s*['"`]([^'"`]+)['"`]\s*\)/g,
    /\brequire\s*\(\s*['"`]([^'"`]+)['"`]\s*\)/g,
  ];
  for (const re of patterns) for (const m of src.matchAll(re)) out.push(m[1]);
  return out;
}

describe('src/inq purity', () => {
  it('has the expected source files', () => {
    expect(sources).toEqual(
      expect.arrayContaining(['codec.ts', 'histogram.ts', 'index.ts', 'levels.ts', 'partition.ts', 'quantize.ts', 'rng.ts', 'schedule.ts']),
    );
  });

  for (const file of sources) {
    it(`${file} imports only sibling './…' files of src/inq`, () => {
      const src = stripComments(readFileSync(join(dir, file), 'utf8'));
      for (const spec of specifiers(src)) {
        expect(spec, `${file} imports ${spec}`).toMatch(/^\.\/[\w.-]+$/);
        expect(spec, `${file} imports ${spec}`).not.toMatch(/\.test(\.ts)?$/);
        expect(existsSync(join(dir, spec)), `${file} imports ${spec}, which is not a file in src/inq`).toBe(true);
      }
      // No dynamic loading that the patterns above could miss.
      expect(src).not.toMatch(/\brequire\s*\(/);
      expect(src).not.toMatch(/\bimport\s*\(/);
    });

    it(`${file} uses no tfjs, React or DOM globals`, () => {
      const src = stripComments(readFileSync(join(dir, file), 'utf8'));
      expect(src).not.toMatch(/@tensorflow|\btfjs\b|\btf\./);
      expect(src).not.toMatch(/\breact\b|\bReact\b|\bJSX\b/);
      expect(src).not.toMatch(/\b(?:document|window|navigator|HTMLElement|HTMLCanvasElement|localStorage|self\.postMessage)\b/);
    });
  }

  it('the specifier scanner finds package imports (self-check)', () => {
    expect(specifiers("import * as tf from '@tensorflow/tfjs';\nimport type { X } from 'react';")).toEqual([
      '@tensorflow/tfjs',
      'react',
    ]);
    expect(specifiers("import './side.ts';\nconst m = await import('../model/x.ts');")).toEqual(['./side.ts', '../model/x.ts']);
    expect(specifiers("export { a } from './levels.ts';\nexport * from \"./rng.ts\";")).toEqual(['./levels.ts', './rng.ts']);
  });
});
