/** `inq sensitivity`: each layer alone snapped to its levels (the others float), evaluated: which layers are fragile at B bits. */
import { parseArgs } from 'node:util';
import { layerSensitivity } from '../engine/sensitivity.ts';
import { headSubset } from '../data/dataset.ts';
import { loadDatasetNode } from '../data/nodeDatasets.ts';
import { LEVEL_KINDS, MAX_BITS, MIN_BITS } from '../inq/levels.ts';
import { choiceOption, numberOption, progressReporter } from './args.ts';
import { setupNodeBackend } from './nodeBackend.ts';
import { loadPretrained, MODEL_OPTIONS, modelFromOptions } from './runOptions.ts';

const HELP = `usage: npm run -s inq -- sensitivity --model ID --bits B [--test-size N] [--levels pow2|uniform] [--json]
  [--model-dir DIR] [--dataset mnist|fashion] [--data-dir DIR] [--backend auto|webgpu|cpu]
  evaluates the pre-trained model on the first N test images (default all), then once per conv/dense
  layer with that layer alone snapped to its B-bit levels (n1 from its own max |w|) and every other
  weight float: a float row, then one row per layer {"layer","accuracy","drop"} (drop = float − layer).`;

/** Runs the sensitivity command; results go to `out`. */
export async function sensitivityCommand(argv: string[], out: (line: string) => void = (line) => void process.stdout.write(`${line}\n`)): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      ...MODEL_OPTIONS,
      bits: { type: 'string' },
      'test-size': { type: 'string' },
      levels: { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    out(HELP);
    return;
  }
  const bits = numberOption(values.bits, 'bits', 5, { integer: true, min: MIN_BITS, max: MAX_BITS });
  const levels = choiceOption(values.levels, 'levels', LEVEL_KINDS, 'pow2');
  const m = modelFromOptions(values);
  const full = loadDatasetNode(m.dataset, values['data-dir']).test;
  const test = headSubset(full, numberOption(values['test-size'], 'test-size', full.count, { integer: true, min: 1, max: full.count }));
  await setupNodeBackend(m.backend);
  const model = await loadPretrained(m.dir);
  const progress = progressReporter();
  const json = values.json ?? false;
  try {
    const r = await layerSensitivity({ model, test, bits, levels, onLayer: (row, i, n) => progress.update(`layer ${i + 1}/${n} (${row.layer})`) });
    progress.done();
    const pct = (x: number): string => `${(x * 100).toFixed(2)} %`;
    if (json) {
      out(JSON.stringify({ float: true, accuracy: r.floatAccuracy, loss: r.floatLoss, testSize: r.testSize, bits, levels }));
      // Accuracies are k/n: rounding the difference to 1e-12 only removes float noise (0.0050000000000000044).
      for (const l of r.layers) out(JSON.stringify({ layer: l.layer, accuracy: l.accuracy, drop: Math.round(l.drop * 1e12) / 1e12 }));
      return;
    }
    out(`per-layer sensitivity at ${bits} bits (${levels} levels), each layer alone snapped, on ${r.testSize} test images`);
    out(`${'layer'.padEnd(12)} ${'accuracy'.padStart(9)} ${'drop'.padStart(8)}`);
    out(`${'float'.padEnd(12)} ${pct(r.floatAccuracy).padStart(9)} ${'—'.padStart(8)}`);
    for (const l of r.layers) out(`${l.layer.padEnd(12)} ${pct(l.accuracy).padStart(9)} ${(l.drop * 100).toFixed(2).padStart(8)}`);
    out('drop: points of accuracy lost when that layer alone is snapped');
  } finally {
    model.dispose();
  }
}
