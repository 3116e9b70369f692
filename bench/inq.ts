/**
 * INQ bookkeeping per round: partition (grow the frozen set) + quantize the newly frozen + update
 * the freeze-round mask, in Node, against a full-sort partition baseline in the same run.
 */
import { createRng } from '../src/inq/rng.ts';
import { levelSet, maxAbs } from '../src/inq/levels.ts';
import { partitionInPlace } from '../src/inq/partition.ts';
import { quantizeInto, quantizeValue } from '../src/inq/quantize.ts';
import { median, type Table } from './table.ts';

function weights(n: number, seed: number): Float32Array {
  const rng = createRng(seed);
  const w = new Float32Array(n);
  for (let i = 0; i < n; i++) w[i] = rng.normal() * 0.05;
  return w;
}

/** Ours: radix selection + bit-level quantize, O(N). */
function ours(w: Float32Array, frozen: Uint8Array, frozenRound: Uint8Array, portion: number, set: ReturnType<typeof levelSet>): void {
  const newly = partitionInPlace(w, frozen, portion, { strategy: 'magnitude' });
  quantizeInto(w, set, w, newly);
  for (let i = 0; i < newly.length; i++) frozenRound[newly[i]] = 2;
}

/** Baseline: sort the free weights' magnitudes to find the threshold, then quantize element by element. */
function fullSort(w: Float32Array, frozen: Uint8Array, frozenRound: Uint8Array, portion: number, set: ReturnType<typeof levelSet>): void {
  let free = 0;
  for (let i = 0; i < w.length; i++) if (!frozen[i]) free++;
  const mags = new Float32Array(free);
  for (let i = 0, k = 0; i < w.length; i++) if (!frozen[i]) mags[k++] = Math.abs(w[i]);
  mags.sort();
  const already = w.length - free;
  const need = Math.round(portion * w.length) - already;
  const threshold = mags[free - need];
  let taken = 0;
  for (let i = 0; i < w.length && taken < need; i++) {
    if (!frozen[i] && Math.abs(w[i]) >= threshold) {
      frozen[i] = 1;
      frozenRound[i] = 2;
      w[i] = quantizeValue(w[i], set);
      taken++;
    }
  }
}

/** Runs the bookkeeping benchmark for the given sizes. */
export function benchInq(sizes: number[], repeats = 3): Table {
  const rows: (string | number)[][] = [];
  for (const n of sizes) {
    const base = weights(n, 1);
    const set = levelSet(5, maxAbs(base));
    const half = new Uint8Array(n);
    partitionInPlace(base, half, 0.5, { strategy: 'magnitude' });
    const time = (fn: typeof ours): number => {
      const ts: number[] = [];
      for (let r = 0; r < repeats; r++) {
        const w = base.slice();
        const frozen = half.slice();
        const fr = new Uint8Array(n);
        const t0 = performance.now();
        fn(w, frozen, fr, 0.75, set);
        ts.push(performance.now() - t0);
      }
      return (median(ts) * 1e6) / n;
    };
    const a = time(ours);
    const b = time(fullSort);
    rows.push([`${(n / 1e6).toFixed(0)}M`, a, b, `${(b / a).toFixed(1)}×`, a <= 5 ? 'yes' : 'no']);
  }
  return {
    title: 'INQ bookkeeping per round (partition 50 % → 75 % + quantize + mask), Node, ns per weight',
    columns: ['weights', 'ours (radix select)', 'full-sort baseline', 'speed-up', 'target ≤ 5 ns'],
    rows,
    notes: ['Both operate on the same random N(0, 0.05²) weights; median of 3 runs each.'],
  };
}
