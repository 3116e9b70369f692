/**
 * Ensembles of independently quantized models (the regulariser study in seeds/003): average the
 * members' softmax outputs and take the arg-max. Pure arithmetic over typed arrays.
 */

/** Accuracy of the arg-max of each row of `probs` (count × classes) against `labels`. */
export function argmaxAccuracy(probs: Float32Array, labels: Uint8Array, classes: number): number {
  if (probs.length !== labels.length * classes) throw new RangeError(`${probs.length} probabilities for ${labels.length} labels × ${classes} classes`);
  let correct = 0;
  for (let i = 0; i < labels.length; i++) {
    let best = 0;
    for (let c = 1; c < classes; c++) if (probs[i * classes + c] > probs[i * classes + best]) best = c;
    if (best === labels[i]) correct++;
  }
  return labels.length ? correct / labels.length : 0;
}

/** One point of the ensemble curve. */
export interface EnsemblePoint {
  members: number;
  /** Accuracy of the averaged softmax of the first `members` models. */
  accuracy: number;
  /** Mean accuracy of those members on their own. */
  meanMemberAccuracy: number;
}

/** Accuracy of the ensemble of the first k members, for k = 1…N. */
export function ensembleCurve(members: readonly Float32Array[], labels: Uint8Array, classes: number): EnsemblePoint[] {
  const sum = new Float64Array(labels.length * classes);
  const avg = new Float32Array(sum.length);
  const out: EnsemblePoint[] = [];
  let memberSum = 0;
  members.forEach((p, k) => {
    if (p.length !== sum.length) throw new RangeError(`member ${k + 1} has ${p.length} probabilities, expected ${sum.length}`);
    for (let i = 0; i < p.length; i++) sum[i] += p[i];
    for (let i = 0; i < sum.length; i++) avg[i] = sum[i] / (k + 1);
    memberSum += argmaxAccuracy(p, labels, classes);
    out.push({ members: k + 1, accuracy: argmaxAccuracy(avg, labels, classes), meanMemberAccuracy: memberSum / (k + 1) });
  });
  return out;
}

/** Parses an ensemble size spec: "7", "1..7" or "1,3,5" → the largest N and the sizes to report. */
export function parseEnsembleSpec(text: string): { max: number; sizes: number[] } {
  const t = text.trim();
  const range = /^(\d+)\s*\.\.\s*(\d+)$/.exec(t);
  let sizes: number[];
  if (range) {
    const a = Number(range[1]);
    const b = Number(range[2]);
    if (a < 1 || b < a) throw new RangeError(`ensemble range "${t}" must go up, from 1 or more`);
    sizes = Array.from({ length: b - a + 1 }, (_, i) => a + i);
  } else if (/^\d+(\s*,\s*\d+)*$/.test(t)) {
    sizes = t.split(',').map((s) => Number(s.trim()));
    if (sizes.length === 1 && sizes[0] >= 1 && sizes[0] <= 32) sizes = Array.from({ length: sizes[0] }, (_, i) => i + 1);
  } else {
    throw new RangeError(`ensemble sizes must look like 1..7, 7 or 1,3,5 (got "${t.slice(0, 40)}")`);
  }
  if (sizes.some((s) => !Number.isInteger(s) || s < 1 || s > 32)) throw new RangeError('ensemble sizes must be whole numbers from 1 to 32');
  const sorted = [...new Set(sizes)].sort((x, y) => x - y);
  return { max: sorted[sorted.length - 1], sizes: sorted };
}
