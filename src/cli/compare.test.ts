import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compareCommand } from './compare.ts';
import { fnv1a32, imagesHash, predictionsRecord, writePredictions } from './predictions.ts';
import { quadrantData } from '../testing/syntheticData.ts';

function runDir(preds: number[], seed: number, testSeed = 2): string {
  const dir = mkdtempSync(join(tmpdir(), 'inq-compare-'));
  const test = quadrantData(preds.length, testSeed);
  writePredictions(dir, predictionsRecord('quadrants', test, Int32Array.from(preds), seed));
  return dir;
}

describe('inq compare', () => {
  const test = quadrantData(200, 2);
  const labels = Array.from(test.labels);
  // A: wrong on the first 30 images; B: wrong on images 20…29 only. Discordant: b = 0, c = 20.
  const a = labels.map((l, i) => (i < 30 ? (l + 1) % 4 : l));
  const b = labels.map((l, i) => (i >= 20 && i < 30 ? (l + 1) % 4 : l));

  it('prints the paired comparison as one JSON object', () => {
    const lines: string[] = [];
    compareCommand([runDir(a, 1), runDir(b, 2), '--json'], (l) => lines.push(l));
    expect(lines).toHaveLength(1);
    const r = JSON.parse(lines[0]) as Record<string, unknown>;
    expect(Object.keys(r)).toEqual(['testSize', 'accuracyA', 'accuracyB', 'diff', 'interval', 'discordant', 'pValue']);
    expect(r.testSize).toBe(200);
    expect(r.accuracyA).toBeCloseTo(170 / 200, 15);
    expect(r.accuracyB).toBeCloseTo(190 / 200, 15);
    expect(r.diff).toBeCloseTo(-0.1, 15);
    expect(r.discordant).toEqual([0, 20]);
    expect(r.pValue).toBeCloseTo(2 / 2 ** 20, 15);
    const [lo, hi] = r.interval as number[];
    expect(lo).toBeLessThan(-0.1);
    expect(hi).toBeGreaterThan(-0.1);
    expect(hi).toBeLessThan(0);
  });
  it('says in words whether the difference is distinguishable from noise', () => {
    const lines: string[] = [];
    compareCommand([runDir(a, 1), runDir(b, 2)], (l) => lines.push(l));
    expect(lines.join('\n')).toMatch(/distinguishable from noise on these 200 test images/);
    const same: string[] = [];
    compareCommand([runDir(a, 1), runDir(a.map((p, i) => (i === 100 ? (labels[i] + 1) % 4 : p)), 2)], (l) => same.push(l));
    expect(same.join('\n')).toMatch(/not distinguishable from noise/);
  });
  it('refuses runs scored on different test images, and folders without predictions', () => {
    expect(() => compareCommand([runDir(a, 1), runDir(a.slice(0, 150), 2)])).toThrow(/different test images/);
    expect(() => compareCommand([runDir(a, 1), runDir(a, 2, 3)])).toThrow(/different test images/);
    const empty = mkdtempSync(join(tmpdir(), 'inq-compare-'));
    expect(() => compareCommand([runDir(a, 1), empty])).toThrow(/no predictions\.json/);
    writeFileSync(join(empty, 'predictions.json'), '{"format":"inq-predictions","version":1,"testSize":2,"labels":[1],"predictions":[1,2]}');
    expect(() => compareCommand([runDir(a, 1), empty])).toThrow(/labels must list 2 whole numbers/);
    expect(() => compareCommand([runDir(a, 1)])).toThrow(/two run folders/);
  });
  it('hashes images and labels: FNV-1a test vectors, and one changed pixel changes the hash', () => {
    expect(fnv1a32(new Uint8Array(0))).toBe(0x811c9dc5);
    expect(fnv1a32(new TextEncoder().encode('a'))).toBe(0xe40c292c);
    expect(fnv1a32(new TextEncoder().encode('foobar'))).toBe(0xbf9cf968);
    const t = quadrantData(10, 4);
    const h = imagesHash(t);
    t.images[17] += 1e-3;
    expect(imagesHash(t)).not.toBe(h);
  });
});
