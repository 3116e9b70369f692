/** The `inq` command line: the same engine as the browser, headless. stdout carries only results. */
import { UsageError } from './args.ts';
import { restartWithVulkan } from '../model/vulkanEnv.ts';

const USAGE = `usage: npm run -s inq -- <command> [options]
commands:
  quantize  --bits B [--n1 N]                    stdin: JSON array of weights
  partition --portion P [--strategy S] [--seed S] stdin: {"weights":[…],"frozen":[0|1,…]}
  pretrain  --model lenet5|convnet|mlp [--dataset mnist|fashion] --epochs E [--train-size N] [--init DIR] [--augment-shift PX] --out DIR
  run       --model lenet5 --bits B --schedule 0.5,0.75,0.875,1 [--preset lenet5|paper] [--prune 0.9] [--levels pow2|uniform] [--repeat N] [--final-test-size N] [--json] [--out DIR] …
  sweep     --bits 2,3,4,5,6,7,8 [--strategies magnitude,random] [--repeat N] [--final-test-size N] [--json] …   accuracy against bit-width
  sweep     --preset regulariser [--json]                                       seeds/003: the over-fitting MLP and LeNet-5, 2-8 bits, 3 seeds
  sweep     --ensemble 1..7 [--bits 5] [--json] …                               softmax ensembles of N quantized models
  kernel-check [--cases N] [--seed S] --json      WGSL shift kernels vs their CPU twins (Dawn)
  infer     --model DIR [--test-size N] [--mode float-exp|fixed-shift] --json  packed codes on the shift kernels vs tfjs
  export-c  --model DIR --out DIR [--check] [--test-size N] [--json]        the model as C99 in shifts and adds (model.h + model.c)
  sensitivity --model ID --bits B [--test-size N] [--levels pow2|uniform] [--json]  accuracy with each layer alone snapped to its levels
  evaluate  --model ID [--test-size N] [--json]   a committed model's accuracy on its dataset's test split
  compare   DIR_A DIR_B [--json]                 two runs' final models, image by image: interval and exact McNemar p-value
run "npm run -s inq -- <command> --help" for a command's options`;

/** Commands that never touch WebGPU, so they need no Vulkan driver (and no restart to find one). */
const NO_GPU = new Set(['quantize', 'partition', 'compare', 'help', '--help', '-h', undefined]);

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!NO_GPU.has(command) && !rest.includes('--help') && !rest.includes('-h')) restartWithVulkan();
  switch (command) {
    case 'quantize':
      await (await import('./quantize.ts')).quantizeCommand(rest);
      return 0;
    case 'partition':
      await (await import('./quantize.ts')).partitionCommand(rest);
      return 0;
    case 'pretrain':
      await (await import('./pretrain.ts')).pretrainCommand(rest);
      return 0;
    case 'run':
      await (await import('./run.ts')).runCommand(rest);
      return 0;
    case 'sweep':
      await (await import('./sweep.ts')).sweepCommand(rest);
      return 0;
    case 'kernel-check':
      await (await import('./kernelCheck.ts')).kernelCheckCommand(rest);
      return 0;
    case 'infer':
      await (await import('./infer.ts')).inferCommand(rest);
      return 0;
    case 'export-c':
      await (await import('./exportC.ts')).exportCCommand(rest);
      return 0;
    case 'sensitivity':
      await (await import('./sensitivity.ts')).sensitivityCommand(rest);
      return 0;
    case 'evaluate':
      await (await import('./evaluate.ts')).evaluateCommand(rest);
      return 0;
    case 'compare':
      (await import('./compare.ts')).compareCommand(rest);
      return 0;
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(`${USAGE}\n`);
      return command === undefined ? 2 : 0;
    default:
      throw new UsageError(`unknown command "${command}"\n${USAGE}`);
  }
}

/** One line on stderr; a stack trace only with INQ_DEBUG=1. */
function report(e: unknown): void {
  const err = e as { message?: string; code?: string; stack?: string };
  let msg = err?.message ?? String(e);
  if (err?.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' || err?.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' || err?.code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') {
    msg = msg.split('\n')[0];
  }
  process.stderr.write(`inq: ${msg}\n`);
  if (process.env.INQ_DEBUG && err?.stack) process.stderr.write(`${err.stack}\n`);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    report(e);
    process.exit(1);
  },
);
