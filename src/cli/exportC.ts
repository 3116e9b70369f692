/**
 * `inq export-c`: writes a quantized model as C99 (model.h + model.c, src/inq/cExport.ts) and, with
 * --check, compiles it with the system C compiler, runs it on MNIST test images and reports its
 * accuracy and its agreement with the fixed-shift kernel (WGSL on Dawn, or its CPU twin) and with
 * tfjs on the same power-of-two weights, plus what it costs (compiler sizes, shift-adds per image).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { headSubset, pixels } from '../data/dataset.ts';
import type { Dataset } from '../data/dataset.ts';
import { loadMnistNode } from '../data/nodeMnist.ts';
import { checkCSource, generateC, generateCHarness, quantizeCInput } from '../inq/cExport.ts';
import type { CExport } from '../inq/cExport.ts';
import { shiftForwardRef } from '../inq/shiftRef.ts';
import type { ShiftLayer } from '../inq/shiftRef.ts';
import { readPackedModelDir } from '../kernels/nodePacked.ts';
import { loadWgslFromDisk } from '../kernels/nodeWgsl.ts';
import { shiftProgramFromPacked } from '../kernels/packedLoader.ts';
import type { ShiftProgram } from '../kernels/packedLoader.ts';
import { ShiftNetwork } from '../kernels/shiftNetwork.ts';
import { installNodeWebGpu } from '../model/nodeGpu.ts';
import { loadModelDir } from '../model/nodeIo.ts';
import { UsageError, choiceOption, numberOption, progressReporter } from './args.ts';
import { argmaxRow, checkSameWeights } from './infer.ts';
import { setupNodeBackend } from './nodeBackend.ts';

/** Strict C99 with every warning an error: how the export is compiled, here and in the unit test. */
export const C_FLAGS = ['-std=c99', '-Wall', '-Wextra', '-Werror', '-O2'] as const;

/** Where the fixed-shift kernel runs for the agreement figure. */
export const KERNEL_CHOICES = ['auto', 'webgpu', 'cpu'] as const;

/** The tfjs backend for the tfjs comparison. */
export const TFJS_BACKEND_CHOICES = ['cpu', 'auto', 'webgpu'] as const;

const HELP = `usage: npm run -s inq -- export-c --model DIR --out DIR [--check] [--test-size N] [--kernel auto|webgpu|cpu] [--backend cpu|auto|webgpu] [--data-dir DIR] [--json]
  writes DIR/packed.json's model as C99 into the --out folder: model.h and model.c (inq_predict, in
  arithmetic shifts, integer adds and compares only; no heap, libm or floating point), plus
  check_main.c, a test harness that reads inputs from a file or stdin. Prints the compiler's sizes
  (const data and text of model.o, when cc or gcc is found) and shift-adds per image against the
  float network's multiply-adds.
  --check   compiles with cc (or gcc) ${C_FLAGS.join(' ')}, runs the first N MNIST test images
            (default 10000) and prints the C model's accuracy and its agreement with the fixed-shift
            kernel (per image, so each image gets its own fixed-point scales, as in the C) and with
            tfjs on DIR/model.json (the same power-of-two weights).
  --kernel  where the fixed-shift kernel runs: webgpu (the WGSL kernels on Dawn, one image per
            pass), cpu (their CPU twin, bit-exact with them: see kernel-check), auto (default: webgpu
            on a hardware adapter, else cpu).
  --backend the tfjs backend for the tfjs comparison (default cpu: on a software WebGPU adapter
            tfjs's WebGPU inference is far slower than its pure-JS cpu backend).
  output: a short report, or one JSON line with --json; progress on stderr.`;

/** What `export-c --json` prints (one line); figures that were not measured are null. */
export interface ExportCSummary {
  testSize: number;
  accuracy: number | null;
  agreementWithKernel: number | null;
  agreementWithTfjs: number | null;
  /** Const data of model.o (.rodata and .data), from the compiler; null without one. */
  dataBytes: number | null;
  /** Code of model.o (.text: inq_predict and the helpers it inlines); null without a compiler. */
  textBytes: number | null;
  shiftAddsPerImage: number;
  floatMacsPerImage: number;
  /** The same weights and biases as float32. */
  floatWeightBytes: number;
  /** Static activation buffers (.bss). */
  scratchBytes: number;
  kernel: 'webgpu' | 'cpu-twin' | null;
  kernelAccuracy: number | null;
  tfjsAccuracy: number | null;
  /** The tfjs backend that ran the comparison. */
  tfjsBackend: string | null;
  compiler: string | null;
  outDir: string;
  seconds: number;
}

/** The system C compiler: cc, else gcc; null when neither runs. */
export function findCCompiler(): string | null {
  for (const cc of ['cc', 'gcc']) {
    const r = spawnSync(cc, ['--version'], { encoding: 'utf8' });
    if (!r.error && r.status === 0) return cc;
  }
  return null;
}

/** The message for a missing C compiler. */
export const NO_C_COMPILER = 'no C compiler: neither cc nor gcc runs on this machine (on Debian: apt-get install gcc)';

/** Runs the compiler; throws with its first lines of output when it fails. */
export function runCompiler(cc: string, args: string[], cwd: string): void {
  const r = spawnSync(cc, args, { cwd, encoding: 'utf8' });
  if (r.error) throw new Error(`${cc} could not run: ${r.error.message}`);
  if (r.status !== 0) {
    const out = `${r.stderr}${r.stdout}`.trim().split('\n').slice(0, 6).join(' | ');
    throw new Error(`${cc} ${args.join(' ')} failed: ${out}`);
  }
}

/** Section sizes of an object file from binutils' `size -A`: code, const data, zeroed data; null without `size`. */
export function objectSizes(obj: string): { text: number; data: number; bss: number } | null {
  const r = spawnSync('size', ['-A', obj], { encoding: 'utf8' });
  if (r.error || r.status !== 0) return null;
  const out = { text: 0, data: 0, bss: 0 };
  for (const line of r.stdout.split('\n')) {
    const m = /^(\.\S+)\s+(\d+)\s+\d+/.exec(line.trim());
    if (!m) continue;
    const [, name, size] = m;
    if (/^\.text(\.|$)/.test(name)) out.text += Number(size);
    else if (/^\.(rodata|data)(\.|$)/.test(name)) out.data += Number(size);
    else if (/^\.bss(\.|$)/.test(name)) out.bss += Number(size);
  }
  return out;
}

/** Compiles model.c (to model.o) and, if asked, the harness beside it (to check) in `dir`. */
export function compileExport(cc: string, dir: string, harness: boolean): { obj: string; binary: string | null } {
  runCompiler(cc, [...C_FLAGS, '-c', 'model.c', '-o', 'model.o'], dir);
  if (!harness) return { obj: join(dir, 'model.o'), binary: null };
  runCompiler(cc, [...C_FLAGS, 'check_main.c', 'model.o', '-o', 'check'], dir);
  return { obj: join(dir, 'model.o'), binary: join(dir, 'check') };
}

/** Writes model.h, model.c and check_main.c into `dir`. */
export function writeExport(dir: string, gen: CExport): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'model.h'), gen.header);
  writeFileSync(join(dir, 'model.c'), gen.source);
  writeFileSync(join(dir, 'check_main.c'), generateCHarness());
}

/** Runs the compiled harness on `count` images; returns each image's class and logits (fixed point). */
export function runCModel(binary: string, images: Float32Array, count: number, numClasses: number): { classes: Int32Array; logits: Int32Array } {
  const q = quantizeCInput(images.subarray(0, (images.length / Math.max(1, count)) * count));
  const bytes = new Uint8Array(q.length * 4);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < q.length; i++) view.setInt32(4 * i, q[i], true);
  const r = spawnSync(binary, ['-'], { input: bytes, maxBuffer: 1 << 28, encoding: 'utf8' });
  if (r.error) throw new Error(`the compiled model could not run: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`the compiled model exited with ${r.status ?? r.signal}: ${r.stderr.trim().split('\n')[0]}`);
  const lines = r.stdout.trim().split('\n');
  if (lines.length !== count) throw new Error(`the compiled model answered ${lines.length} lines for ${count} images`);
  const classes = new Int32Array(count);
  const logits = new Int32Array(count * numClasses);
  lines.forEach((line, i) => {
    const v = line.trim().split(/\s+/).map(Number);
    if (v.length !== numClasses + 1 || v.some((x) => !Number.isInteger(x))) throw new Error(`the compiled model's line ${i + 1} is not a class and ${numClasses} logits`);
    classes[i] = v[0];
    logits.set(v.slice(1), i * numClasses);
  });
  return { classes, logits };
}

/** The fixed-shift CPU twin, one image at a time (each image its own scales, as in the C): class and logits. */
export function twinPredict(layers: readonly ShiftLayer[], inputShape: readonly [number, number, number], images: Float32Array, count: number, numClasses: number, onImage?: (i: number) => void): { classes: Int32Array; logits: Float32Array } {
  const size = inputShape[0] * inputShape[1] * inputShape[2];
  const classes = new Int32Array(count);
  const logits = new Float32Array(count * numClasses);
  for (let i = 0; i < count; i++) {
    const out = shiftForwardRef(layers, images.subarray(i * size, (i + 1) * size), inputShape, 1, 'fixed').output;
    logits.set(out, i * numClasses);
    classes[i] = argmaxRow(out, 0, numClasses);
    onImage?.(i);
  }
  return { classes, logits };
}

/**
 * The fixed-shift WGSL kernels on Dawn, one image per forward pass (so each image gets its own scales,
 * as in the C); the reason instead when WebGPU is missing, or when the adapter is a software one and
 * `allowSoftware` is false (a pass per image costs ~10–40 ms there; the CPU twin is bit-exact and faster).
 */
async function gpuKernelPredict(program: ShiftProgram, test: Dataset, onImage: (i: number) => void, allowSoftware: boolean): Promise<{ classes: Int32Array } | { missing: string }> {
  const gpu = await installNodeWebGpu();
  if (!gpu.ok) return { missing: gpu.message };
  const adapter = await navigator.gpu.requestAdapter();
  if (!adapter) return { missing: 'requestAdapter() returned null' };
  if (adapter.info.isFallbackAdapter && !allowSoftware) {
    return { missing: `the adapter (${adapter.info.description || adapter.info.vendor || 'unnamed'}) is a software one, slower than the CPU twin, which is bit-exact with it (--kernel webgpu runs it anyway)` };
  }
  loadWgslFromDisk();
  const device = await adapter.requestDevice();
  const errors: string[] = [];
  device.addEventListener('uncapturederror', (e) => void errors.push((e as GPUUncapturedErrorEvent).error.message));
  const net = await ShiftNetwork.create(device, program.layers, program.inputShape, { mode: 'fixed', timing: 'cpu-wall' });
  try {
    const size = pixels(test);
    const classes = new Int32Array(test.count);
    for (let i = 0; i < test.count; i++) {
      const { logits } = await net.forward(test.images.subarray(i * size, (i + 1) * size), 1);
      if (errors.length) throw new Error(`WebGPU error in the shift kernels: ${errors[0]}`);
      classes[i] = argmaxRow(logits, 0, program.numClasses);
      onImage(i);
    }
    return { classes };
  } finally {
    net.destroy();
    device.destroy();
  }
}

/** tfjs on DIR/model.json (checked to hold the packed model's exact weights): classes of the test images. */
async function tfjsPredict(
  dir: string,
  program: ShiftProgram,
  test: Dataset,
  packed: ReturnType<typeof readPackedModelDir>,
  backend: (typeof TFJS_BACKEND_CHOICES)[number],
  onImages: (done: number) => void,
): Promise<Int32Array> {
  await setupNodeBackend(backend, true);
  const model = await loadModelDir(dir);
  try {
    await checkSameWeights(model, packed);
    const size = pixels(test);
    const classes = new Int32Array(test.count);
    for (let s = 0; s < test.count; s += 500) {
      const n = Math.min(500, test.count - s);
      const t = tf.tidy(() => (model.predict(tf.tensor(test.images.subarray(s * size, (s + n) * size), [n, ...program.inputShape], 'float32')) as tf.Tensor).argMax(-1));
      classes.set(await t.data(), s);
      t.dispose();
      onImages(s + n);
    }
    return classes;
  } finally {
    model.dispose();
  }
}

/** Fraction of equal entries. */
function agreement(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let same = 0;
  for (let i = 0; i < a.length; i++) if (a[i] === b[i]) same++;
  return same / a.length;
}

/** Fraction of entries equal to the labels. */
function accuracyOf(classes: ArrayLike<number>, labels: ArrayLike<number>): number {
  return agreement(classes, Array.from({ length: classes.length }, (_, i) => labels[i]));
}

/** export-c --model DIR --out DIR …: writes the files, prints the report; throws a one-line error on any problem. */
export async function exportCCommand(argv: string[]): Promise<void> {
  const t0 = performance.now();
  const { values } = parseArgs({
    args: argv,
    options: {
      model: { type: 'string' },
      out: { type: 'string' },
      check: { type: 'boolean', default: false },
      'test-size': { type: 'string' },
      kernel: { type: 'string' },
      backend: { type: 'string' },
      'data-dir': { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return;
  }
  const dir = values.model;
  if (dir === undefined || dir === '') throw new UsageError('export-c needs --model DIR (a folder with packed.json, written by: npm run -s inq -- run … --out DIR)');
  const outDir = values.out;
  if (outDir === undefined || outDir === '') throw new UsageError('export-c needs --out DIR (the folder for model.h and model.c)');
  if (existsSync(outDir) && !statSync(outDir).isDirectory()) throw new UsageError(`--out ${outDir} is a file, not a folder`);
  const check = values.check ?? false;
  const testSizeWanted = numberOption(values['test-size'], 'test-size', 10_000, { integer: true, min: 1 });
  if (values['test-size'] !== undefined && !check) throw new UsageError('--test-size needs --check');
  const kernelChoice = choiceOption(values.kernel, 'kernel', KERNEL_CHOICES, 'auto');
  const backend = choiceOption(values.backend, 'backend', TFJS_BACKEND_CHOICES, 'cpu');

  const packed = readPackedModelDir(dir);
  const program = shiftProgramFromPacked(packed, 'packed.json');
  let test: Dataset | null = null;
  if (check) {
    if (!existsSync(join(dir, 'model.json'))) throw new UsageError(`no model.json in ${dir}: --check compares the C with the tfjs model saved beside the packed codes (inq run --out DIR writes both)`);
    const mnist = loadMnistNode(values['data-dir']);
    test = headSubset(mnist.test, testSizeWanted);
    if (test.shape.join(',') !== program.inputShape.join(',') || test.numClasses !== program.numClasses) {
      throw new UsageError(`the model takes [${program.inputShape.join(', ')}] inputs and ${program.numClasses} classes; MNIST has [${test.shape.join(', ')}] and ${test.numClasses}`);
    }
  }

  const gen = generateC({ name: packed.manifest.model, ...program });
  const problems = checkCSource(gen.source);
  if (problems.length) throw new Error(`the generated model.c fails its own static check: ${problems[0]}`);
  writeExport(outDir, gen);

  const cc = findCCompiler();
  if (check && !cc) throw new UsageError(`export-c --check needs a C compiler: ${NO_C_COMPILER}`);
  const build = mkdtempSync(join(tmpdir(), 'inq-export-c-'));
  const summary: ExportCSummary = {
    testSize: test?.count ?? 0,
    accuracy: null,
    agreementWithKernel: null,
    agreementWithTfjs: null,
    dataBytes: null,
    textBytes: null,
    shiftAddsPerImage: gen.shiftAddsPerImage,
    floatMacsPerImage: gen.floatMacsPerImage,
    floatWeightBytes: gen.floatBytes,
    scratchBytes: gen.scratchBytes,
    kernel: null,
    kernelAccuracy: null,
    tfjsAccuracy: null,
    tfjsBackend: null,
    compiler: null,
    outDir,
    seconds: 0,
  };
  try {
    if (cc) {
      writeExport(build, gen);
      const { obj, binary } = compileExport(cc, build, check);
      const version = spawnSync(cc, ['--version'], { encoding: 'utf8' }).stdout.split('\n')[0].trim();
      summary.compiler = `${version} (${cc} ${C_FLAGS.join(' ')})`;
      const sizes = objectSizes(obj);
      if (sizes) {
        summary.dataBytes = sizes.data;
        summary.textBytes = sizes.text;
        summary.scratchBytes = sizes.bss;
      }
      if (check && binary && test) {
        const progress = progressReporter();
        const c = runCModel(binary, test.images, test.count, program.numClasses);
        summary.accuracy = accuracyOf(c.classes, test.labels);
        let kernel: Int32Array | null = null;
        const onImage = (i: number): void => {
          if (i % 200 === 199) progress.update(`export-c: fixed-shift kernel ${i + 1}/${test.count} images`);
        };
        if (kernelChoice !== 'cpu') {
          const g = await gpuKernelPredict(program, test, onImage, kernelChoice === 'webgpu');
          if ('missing' in g) {
            if (kernelChoice === 'webgpu') throw new UsageError(`--kernel webgpu: ${g.missing}`);
            process.stderr.write(`inq: the fixed-shift kernel runs as its CPU twin: ${g.missing}\n`);
          } else {
            kernel = g.classes;
            summary.kernel = 'webgpu';
          }
        }
        if (!kernel) {
          kernel = twinPredict(program.layers, program.inputShape, test.images, test.count, program.numClasses, onImage).classes;
          summary.kernel = 'cpu-twin';
        }
        summary.kernelAccuracy = accuracyOf(kernel, test.labels);
        summary.agreementWithKernel = agreement(c.classes, kernel);
        const tfjs = await tfjsPredict(dir, program, test, packed, backend, (done) => progress.update(`export-c: tfjs (${tf.getBackend()}) ${done}/${test.count} images`));
        progress.done();
        summary.tfjsAccuracy = accuracyOf(tfjs, test.labels);
        summary.tfjsBackend = tf.getBackend();
        summary.agreementWithTfjs = agreement(c.classes, tfjs);
      }
    }
  } finally {
    rmSync(build, { recursive: true, force: true });
  }
  summary.seconds = Math.round(performance.now() - t0) / 1000;
  printSummary(summary, gen, values.json ?? false, dir, cc);
}

function printSummary(s: ExportCSummary, gen: CExport, json: boolean, dir: string, cc: string | null): void {
  const out = (line: string): void => void process.stdout.write(`${line}\n`);
  if (json) {
    out(JSON.stringify(s));
    return;
  }
  const n = (v: number): string => v.toLocaleString('en-US');
  const pct = (v: number | null): string => (v === null ? '—' : `${(v * 100).toFixed(2)} %`);
  const nonZero = gen.layers.reduce((a, l) => a + l.nonZero, 0);
  const weights = gen.layers.reduce((a, l) => a + l.count, 0);
  out(`inq export-c: ${dir} → ${join(s.outDir, 'model.h')}, ${join(s.outDir, 'model.c')} (+ check_main.c, a test harness)`);
  out(`input: int32, ${gen.inputFracBits} fractional bits (round(x · 2^${gen.inputFracBits}), x = pixel / 255); logits: ${gen.logitsFracBits} fractional bits`);
  if (s.dataBytes !== null && s.textBytes !== null) {
    out(`size (${cc} -O2, size -A model.o): const data ${n(s.dataBytes)} B (packed codes + int32 biases) against ${n(s.floatWeightBytes)} B as float32 (${(s.floatWeightBytes / s.dataBytes).toFixed(1)}× smaller); code ${n(s.textBytes)} B; scratch ${n(s.scratchBytes)} B (.bss)`);
  } else {
    out(`size: no compiler sizes (${cc ? 'binutils size is missing' : NO_C_COMPILER}); const arrays ${n(gen.constBytes)} B against ${n(s.floatWeightBytes)} B as float32`);
  }
  out(`per image: ${n(s.shiftAddsPerImage)} shift-adds against ${n(s.floatMacsPerImage)} float multiply-adds (${n(nonZero)} of ${n(weights)} weights non-zero)`);
  out('model.c: no multiply, divide, floating point, heap or libm (static check passed)');
  if (s.accuracy === null) return;
  const kernelName = s.kernel === 'webgpu' ? 'fixed-shift WGSL kernel (Dawn WebGPU)' : 'fixed-shift kernel, its CPU twin';
  const rows: [string, string, string][] = [
    ['C, shifts and adds', pct(s.accuracy), '—'],
    [kernelName, pct(s.kernelAccuracy), pct(s.agreementWithKernel)],
    [`tfjs (${s.tfjsBackend}), power-of-two weights (float)`, pct(s.tfjsAccuracy), pct(s.agreementWithTfjs)],
  ];
  const w = Math.max(...rows.map((r) => r[0].length));
  out(`check: the first ${s.testSize} MNIST test images, compiled with ${s.compiler}`);
  out(`${'runs on'.padEnd(w)}  ${'accuracy'.padStart(9)}  ${'same as C'.padStart(9)}`);
  for (const [a, b, c] of rows) out(`${a.padEnd(w)}  ${b.padStart(9)}  ${c.padStart(9)}`);
  out(`${s.seconds.toFixed(1)} s`);
}
