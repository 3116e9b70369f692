/** `inq evaluate`: scores a committed pre-trained model (or any Layers model) on the first N test images of its dataset. */
import { parseArgs } from 'node:util';
import { evaluate } from '../model/evaluate.ts';
import { headSubset } from '../data/dataset.ts';
import { loadDatasetNode } from '../data/nodeDatasets.ts';
import { numberOption } from './args.ts';
import { setupNodeBackend } from './nodeBackend.ts';
import { loadPretrained, MODEL_OPTIONS, modelFromOptions } from './runOptions.ts';

const HELP = `usage: npm run -s inq -- evaluate --model ID [--test-size N] [--json]
  [--model-dir DIR] [--dataset mnist|fashion] [--data-dir DIR] [--backend auto|wasm|webgpu|cpu]
  scores the committed model ID (its dataset comes with it) on the first N test images (default all
  10,000): {"model","dataset","testSize","accuracy"} with --json, a sentence otherwise.`;

/** One evaluation's result, as --json prints it. */
export interface EvaluateResult {
  model: string;
  dataset: string;
  testSize: number;
  accuracy: number;
}

/** Runs the evaluate command; results go to `out` (standard output by default). */
export async function evaluateCommand(argv: string[], out: (line: string) => void = (line) => void process.stdout.write(`${line}\n`)): Promise<EvaluateResult | null> {
  const { values } = parseArgs({
    args: argv,
    options: {
      ...MODEL_OPTIONS,
      'test-size': { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    out(HELP);
    return null;
  }
  const m = modelFromOptions(values);
  const full = loadDatasetNode(m.dataset, values['data-dir']).test;
  const test = headSubset(full, numberOption(values['test-size'], 'test-size', full.count, { integer: true, min: 1, max: full.count }));
  await setupNodeBackend(m.backend, values.json ?? false);
  const model = await loadPretrained(m.dir);
  try {
    const { accuracy } = await evaluate(model, test);
    const result: EvaluateResult = { model: values['model-dir'] ?? values.model ?? 'lenet5', dataset: m.dataset, testSize: test.count, accuracy };
    if (values.json) out(JSON.stringify(result));
    else out(`${result.model} on ${result.dataset}: ${(accuracy * 100).toFixed(2)} % of the first ${test.count} test images`);
    return result;
  } finally {
    model.dispose();
  }
}
