/**
 * Hostile input: every parser that reads something from outside (a typed schedule, a bit-width, the
 * URL hash, model.json, a packed manifest and its codes) over a table of malformed, oversized,
 * mislabelled and script-bearing cases. Each must end in a refusal with a short message of the
 * parser's own kind: never a crash, a non-Error throw, a stack trace in the message, or a hang.
 */
import { readFileSync } from 'node:fs';
import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { parseSchedule, validateSchedule, MAX_SCHEDULE_STEPS } from '../inq/schedule.ts';
import { validateBits } from '../inq/levels.ts';
import { decodeHash, encodeHash, MAX_HASH_ERRORS, MAX_HASH_LENGTH } from '../store/url.ts';
import { DEFAULT_PLAYGROUND_CONFIG } from '../store/types.ts';
import { loadPackedModel, PackedFormatError, type PackedManifest } from '../inq/packedModel.ts';
import { shiftProgramFromPacked } from '../kernels/packedLoader.ts';
import { modelFromArtifacts, parseModelJson, validateModelJson, weightPaths, ModelFormatError, type ModelJson } from '../model/io.ts';

/** Longest a refusal may take: anything slower is a hang waiting for a bigger input. */
const MAX_MS = 1500;
/** Longest a message may be: it is shown in a banner. */
const MAX_MESSAGE = 400;

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Checks one refusal's message: a sentence, not a stack trace or a dump of the input. */
function checkMessage(message: string, label: string): void {
  expect(message.length, `${label}: message length`).toBeGreaterThan(5);
  expect(message.length, `${label}: message length`).toBeLessThanOrEqual(MAX_MESSAGE);
  expect(message, `${label}: no stack trace`).not.toMatch(/\n\s+at /);
  expect(message, `${label}: no [object Object]`).not.toContain('[object Object]');
  expect(message, `${label}: no "Cannot read properties"`).not.toMatch(/Cannot read propert|is not a function|is not iterable|undefined \(reading/);
}

/** Runs `fn`, which must throw an instance of `kind` (a real Error), quickly. */
function expectThrows(fn: () => unknown, kind: new (...a: never[]) => Error, label: string): string {
  const t0 = performance.now();
  let thrown: unknown = null;
  try {
    fn();
  } catch (e) {
    thrown = e;
  }
  expect(performance.now() - t0, `${label}: time`).toBeLessThan(MAX_MS);
  expect(thrown, `${label}: must be refused`).not.toBeNull();
  expect(thrown instanceof Error, `${label}: throws an Error`).toBe(true);
  expect(thrown, `${label}: error kind`).toBeInstanceOf(kind);
  const message = (thrown as Error).message;
  checkMessage(message, label);
  return message;
}

async function expectRejects(fn: () => Promise<unknown>, kind: new (...a: never[]) => Error, label: string): Promise<string> {
  const t0 = performance.now();
  let thrown: unknown = null;
  try {
    await fn();
  } catch (e) {
    thrown = e;
  }
  expect(performance.now() - t0, `${label}: time`).toBeLessThan(MAX_MS * 4);
  expect(thrown, `${label}: must be refused`).not.toBeNull();
  expect(thrown, `${label}: error kind`).toBeInstanceOf(kind);
  const message = (thrown as Error).message;
  checkMessage(message, label);
  return message;
}

function noPollution(): void {
  const probe = {} as Record<string, unknown>;
  expect(probe.polluted, 'Object.prototype polluted').toBeUndefined();
  expect(probe.isAdmin, 'Object.prototype polluted').toBeUndefined();
}

describe('hostile schedules', () => {
  const cases: [string, string, RegExp][] = [
    ['unsorted', '0.5,0.3,1', /below the step before it/],
    ['repeated', '0.5,0.5,1', /repeats the step before it/],
    ['above 1', '0.5,1.5', /at most 1/],
    ['NaN', '0.5,NaN,1', /not a number/],
    ['empty', '', /empty/],
    ['only separators', ' , ;; , ', /empty/],
    ['1e999 (overflows to Infinity)', '0.5,1e999', /not a number/],
    ['-1e999', '-1e999,1', /not a number/],
    ['1e-999 (underflows to 0)', '1e-999,1', /above 0/],
    ['hex', '0x1', /not a number/],
    ['10,000 steps', Array.from({ length: 10_000 }, (_, i) => String((i + 1) / 10_000)).join(','), new RegExp(`at most ${MAX_SCHEDULE_STEPS}`)],
    ['full-width digits', '０.５,１', /not a number/],
    ['zero-width space', '0.5\u200b,1', /not a number/],
    ['right-to-left override', '\u202e1,5.0', /not a number/],
    ['emoji', '0.5,💥,1', /not a number/],
    ['lone surrogate', '0.5,\ud800,1', /not a number/],
    ['script', '<script>alert(1)</script>', /not a number/],
    ['img onerror', '"><img src=x onerror=alert(1)>', /not a number/],
    ['javascript: URL', 'javascript:alert(1)', /not a number/],
    ['a wall of digits (must not backtrack)', `${'1'.repeat(200_000)}x`, /not a number/],
    ['a wall of digits with a dot', `0.${'5'.repeat(200_000)}`, /not a number/],
    ['a megabyte of commas', ','.repeat(1_000_000), /empty/],
    ['last step not 1', '0.2,0.4', /must be 1/],
    ['negative zero', '-0,1', /above 0/],
    ['percent over 100', '50%,150%', /at most 1/],
    ['a million steps', '1 '.repeat(1_000_000), /steps/],
  ];
  for (const [name, text, pattern] of cases) {
    it(`refuses ${name} with its reason, quickly`, () => {
      const t0 = performance.now();
      const r = parseSchedule(text);
      expect(performance.now() - t0).toBeLessThan(MAX_MS);
      expect(r.ok).toBe(false);
      const error = r.ok ? '' : r.error;
      checkMessage(error, name);
      expect(error).toMatch(pattern);
    });
  }

  it('refuses hostile numeric arrays given to validateSchedule directly', () => {
    const arrays: [string, number[]][] = [
      ['NaN', [0.5, NaN, 1]],
      ['Infinity', [0.5, Infinity]],
      ['negative', [-0.5, 1]],
      ['above 1', [0.5, 2]],
      ['empty', []],
      ['10,000 steps', Array.from({ length: 10_000 }, (_, i) => (i + 1) / 10_000)],
      ['unsorted', [0.9, 0.1, 1]],
    ];
    for (const [name, a] of arrays) {
      const r = validateSchedule(a);
      expect(r.ok, name).toBe(false);
      checkMessage(r.ok ? '' : r.error, name);
    }
  });
});

describe('hostile bit-widths', () => {
  const values: [string, unknown][] = [
    ['0', 0],
    ['1', 1],
    ['9', 9],
    ['2.5', 2.5],
    ['-3', -3],
    ['"five"', 'five'],
    ['"5" as a string', '5'],
    ['huge', 1e308],
    ['Infinity', Infinity],
    ['NaN', NaN],
    ['null', null],
    ['undefined', undefined],
    ['an object', { valueOf: () => 5 }],
    ['a prototype-less object', Object.create(null) as unknown],
    ['a long script string', `<script>${'x'.repeat(10_000)}</script>`],
  ];
  for (const [name, v] of values) {
    it(`validateBits refuses ${name}`, () => {
      // The point of the test: values from outside are not numbers.
      const msg = expectThrows(() => validateBits(v as number), RangeError, `bits ${name}`);
      expect(msg).toMatch(/bits must be a whole number from 2 to 8/);
    });
  }

  it('the URL reader refuses the same values with a message and keeps the default', () => {
    for (const raw of ['0', '1', '9', '2.5', '-3', 'five', '1e308', '5.0e0', ' 5', '0x5', '٥', '<script>']) {
      const { config, errors } = decodeHash(`#bits=${encodeURIComponent(raw)}`);
      expect(config.bits, raw).toBeUndefined();
      expect(errors, raw).toHaveLength(1);
      expect(errors[0]).toMatch(/bits must be a whole number from 2 to 8/);
    }
  });
});

describe('hostile URL hashes', () => {
  const hashes: [string, string][] = [
    ['junk', '#@@@!!!***'],
    ['only separators', '#&&&&;;;;'],
    ['a key without value', '#bits'],
    ['a value without key', '#=5'],
    ['overlong (100k characters)', `#bits=5&${'x'.repeat(100_000)}`],
    ['just over the limit', `#${'a'.repeat(MAX_HASH_LENGTH + 1)}`],
    ['script in a value', '#schedule=<script>alert(1)</script>'],
    ['script in a key', '#<script>alert(1)</script>=1'],
    ['javascript: URL value', '#backend=javascript:alert(document.cookie)'],
    ['attribute breakout', '#seed="><img src=x onerror=alert(1)>'],
    ['encoded attribute breakout', `#strategy=${encodeURIComponent('"><svg onload=alert(1)>')}`],
    ['duplicated keys', '#bits=4&bits=6&bits=<b>'],
    ['percent-encoding garbage', '#bits=%E0%A4%A&schedule=%ZZ%%%&seed=%00%01'],
    ['encoded NUL and newlines', '#seed=1%0A2&lr=0.01%0D%0A'],
    ['prototype keys', '#__proto__[polluted]=1&constructor[prototype][isAdmin]=1&__proto__=x&prototype=y'],
    ['thousands of unknown keys', `#${Array.from({ length: 800 }, (_, i) => `k${i}=1`).join('&')}`],
    ['every field bad', '#bits=x&schedule=x&strategy=x&seed=x&epochs=x&lr=x&batch=x&train=x&test=x&backend=x'],
    ['numbers out of range', '#seed=1e400&lr=Infinity&batch=-1&train=99999999999999999999&test=NaN&epochs=0'],
    ['unicode junk', '#bits=\u202e5&schedule=０.５,１&backend=ｃｐｕ'],
    ['a whole URL', '#https://evil.example/?x=1'],
  ];
  for (const [name, hash] of hashes) {
    it(`survives ${name}: notices are short, bounded in number, and every kept value is valid`, () => {
      const t0 = performance.now();
      const { config, errors } = decodeHash(hash);
      expect(performance.now() - t0).toBeLessThan(MAX_MS);
      expect(errors.length).toBeLessThanOrEqual(MAX_HASH_ERRORS + 1);
      for (const e of errors) checkMessage(e, name);
      // What was kept round-trips through the URL writer without complaint: it is a valid setting.
      const merged = { ...DEFAULT_PLAYGROUND_CONFIG, ...config };
      const back = decodeHash(`#${encodeHash(merged)}`);
      expect(back.errors).toEqual([]);
      expect(back.config).toEqual(merged);
      for (const k of Object.keys(config)) expect(Object.keys(DEFAULT_PLAYGROUND_CONFIG)).toContain(k);
      noPollution();
    });
  }

  it('a repeated key keeps the first value and says so', () => {
    const { config, errors } = decodeHash('#bits=4&bits=6');
    expect(config.bits).toBe(4);
    expect(errors.join('\n')).toMatch(/"bits" appears more than once/);
  });

  it('caps the notices from a link with hundreds of problems', () => {
    const { errors } = decodeHash(`#${Array.from({ length: 300 }, (_, i) => `k${i}=1`).join('&')}`);
    expect(errors).toHaveLength(MAX_HASH_ERRORS + 1);
    expect(errors.at(-1)).toMatch(/and 290 more problems/);
  });

  it('the overlong hash is refused whole, with its length', () => {
    const { config, errors } = decodeHash(`#bits=5&${'x'.repeat(100_000)}`);
    expect(config).toEqual({});
    expect(errors[0]).toMatch(/too long \(100007 characters\)/);
  });
});

/** The committed models, as the loaders see them. */
const LENET = JSON.parse(readFileSync('public/models/lenet5/model.json', 'utf8')) as ModelJson;
const LENET_WEIGHTS = new Uint8Array(readFileSync('public/models/lenet5/weights.bin')).buffer;
const PACKED = JSON.parse(readFileSync('public/models/lenet5-inq5/packed.json', 'utf8')) as PackedManifest;
const CODES = new Uint8Array(readFileSync('public/models/lenet5-inq5/codes.bin'));

const clone = <T,>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

describe('hostile model.json', () => {
  it('the committed model loads (the cases below are refusals, not a broken fixture)', async () => {
    const m = await modelFromArtifacts(clone(LENET), LENET_WEIGHTS.slice(0));
    expect(m.countParams()).toBe(LENET_WEIGHTS.byteLength / 4);
    m.dispose();
  });

  const texts: [string, string][] = [
    ['empty', ''],
    ['truncated', JSON.stringify(LENET).slice(0, 1000)],
    ['HTML (a server error page)', '<!doctype html><html><script>alert(1)</script></html>'],
    ['binary junk', '\u0000\u0001\u0002PK\u0003\u0004'],
    ['a lone number', '42'],
  ];
  for (const [name, text] of texts) {
    it(`refuses ${name} text`, () => {
      expectThrows(
        () => {
          const j = parseModelJson(text);
          validateModelJson(j, LENET_WEIGHTS.byteLength);
        },
        ModelFormatError,
        name,
      );
    });
  }

  type Mutate = (j: Record<string, unknown> & ModelJson) => unknown;
  const structural: [string, Mutate, number?][] = [
    ['null', () => null],
    ['an array', () => [1, 2, 3]],
    ['no topology (mislabelled: a packed manifest)', () => clone(PACKED)],
    ['topology is a string', (j) => ({ ...j, modelTopology: 'Sequential' })],
    ['no weightsManifest', (j) => ({ ...j, weightsManifest: undefined })],
    ['weightsManifest is an object', (j) => ({ ...j, weightsManifest: { paths: ['weights.bin'] } })],
    ['a null group', (j) => ({ ...j, weightsManifest: [null] })],
    ['a null weight entry', (j) => ({ ...j, weightsManifest: [{ paths: ['weights.bin'], weights: [null] }] })],
    ['a weight without a name', (j) => ({ ...j, weightsManifest: [{ paths: ['weights.bin'], weights: [{ shape: [61706], dtype: 'float32' }] }] })],
    ['a huge dimension', (j) => withSpec(j, 0, { shape: [1e15, 1e15, 1, 6] })],
    ['a negative dimension', (j) => withSpec(j, 0, { shape: [5, 5, -1, 6] })],
    ['a NaN dimension (null after JSON)', (j) => withSpec(j, 0, { shape: [5, 5, null, 6] })],
    ['a fractional dimension', (j) => withSpec(j, 0, { shape: [5, 5, 1.5, 6] })],
    ['a string dimension', (j) => withSpec(j, 0, { shape: ['5', 5, 1, 6] })],
    ['an unknown dtype', (j) => withSpec(j, 0, { dtype: 'float64' })],
    ['a prototype dtype', (j) => withSpec(j, 0, { dtype: '__proto__' })],
    ['a "constructor" dtype', (j) => withSpec(j, 0, { dtype: 'constructor' })],
    ['quantized storage', (j) => withSpec(j, 0, { quantization: { dtype: 'uint8', scale: 1, min: 0 } })],
    ['weights that add up to fewer bytes (truncated file)', (j) => j, LENET_WEIGHTS.byteLength - 4],
    ['weights that add up to more bytes (padded file)', (j) => j, LENET_WEIGHTS.byteLength + 4],
    ['an empty weights file', (j) => j, 0],
  ];
  for (const [name, mutate, bytes] of structural) {
    it(`validateModelJson refuses ${name}`, () => {
      const j = mutate(clone(LENET) as Record<string, unknown> & ModelJson);
      expectThrows(() => validateModelJson(j, bytes ?? LENET_WEIGHTS.byteLength), ModelFormatError, name);
      noPollution();
    });
  }

  it('refuses prototype-pollution keys without polluting anything', () => {
    const text = JSON.stringify(LENET).replace('"format"', '"__proto__":{"polluted":true},"constructor":{"prototype":{"isAdmin":true}},"format"');
    const j = parseModelJson(text);
    // The keys are inert data: the model still validates, and no prototype changed.
    expect(() => validateModelJson(j, LENET_WEIGHTS.byteLength)).not.toThrow();
    noPollution();
  });

  const topology: [string, (j: ModelJson) => ModelJson][] = [
    // Same byte total, different shapes: the manifest lies about the kernels the topology builds.
    ['a kernel shape that contradicts the topology', (j) => {
      const w = clone(j);
      const specs = w.weightsManifest[0].weights;
      specs[0] = { ...specs[0], shape: [5, 5, 6, 1] };
      specs[1] = { ...specs[1], shape: [6] };
      return w;
    }],
    ['weights listed under the wrong names', (j) => {
      const w = clone(j);
      w.weightsManifest[0].weights = w.weightsManifest[0].weights.map((s, i) => ({ ...s, name: `nothing/${i}` }));
      return w;
    }],
    ['an unknown layer class', (j) => {
      const w = clone(j);
      (w.modelTopology as { config: { layers: { class_name: string }[] } }).config.layers[0].class_name = '__proto__';
      return w;
    }],
    ['a "constructor" layer class', (j) => {
      const w = clone(j);
      (w.modelTopology as { config: { layers: { class_name: string }[] } }).config.layers[0].class_name = 'constructor';
      return w;
    }],
    ['a topology with no layers', (j) => {
      const w = clone(j);
      (w.modelTopology as { config: { layers: unknown[] } }).config.layers = [];
      return w;
    }],
    ['a topology of the wrong kind', (j) => ({ ...clone(j), modelTopology: { class_name: 'Functional', config: {} } })],
    ['a topology of an unknown class', (j) => ({ ...clone(j), modelTopology: { class_name: '<script>', config: { layers: [] } } })],
    ['a functional topology that lies about its inputs', (j) => {
      const w = clone(j);
      w.modelTopology = { class_name: 'Functional', config: { layers: (w.modelTopology as { config: { layers: unknown[] } }).config.layers, input_layers: [['nope', 0, 0]], output_layers: [['fc3', 0, 0]] } };
      return w;
    }],
    ['a topology with a null layer', (j) => {
      const w = clone(j);
      (w.modelTopology as { config: { layers: unknown[] } }).config.layers[2] = null;
      return w;
    }],
    // The topology asks for a 1e9-unit layer the weights file does not have: refused, not allocated.
    ['a dense layer far larger than its weights', (j) => {
      const w = clone(j);
      const layers = (w.modelTopology as { config: { layers: { class_name: string; config: { units?: number } }[] } }).config.layers;
      const dense = layers.find((l) => l.class_name === 'Dense')!;
      dense.config.units = 1e9;
      return w;
    }],
    ['a layer config that is not an object', (j) => {
      const w = clone(j);
      (w.modelTopology as { config: { layers: { config: unknown }[] } }).config.layers[0].config = 'x';
      return w;
    }],
  ];
  for (const [name, mutate] of topology) {
    it(`modelFromArtifacts refuses ${name} with a ModelFormatError and leaks no tensor`, async () => {
      const before = tf.memory().numTensors;
      await expectRejects(() => modelFromArtifacts(mutate(LENET), LENET_WEIGHTS.slice(0)), ModelFormatError, name);
      expect(tf.memory().numTensors).toBe(before);
      noPollution();
    });
  }

  const paths: [string, unknown][] = [
    ['a parent folder', ['../../etc/passwd']],
    ['an absolute URL', ['https://evil.example/w.bin']],
    ['a protocol-relative URL', ['//evil.example/w.bin']],
    ['a javascript: URL', ['javascript:alert(1)']],
    ['a data: URL', ['data:application/octet-stream;base64,AAAA']],
    ['a sub-folder', ['a/weights.bin']],
    ['a number', [42]],
    ['paths is a string', 'weights.bin'],
    ['..', ['..']],
  ];
  for (const [name, p] of paths) {
    it(`weightPaths refuses ${name}: a model file never makes us fetch or read elsewhere`, () => {
      const j = clone(LENET);
      (j.weightsManifest[0] as { paths: unknown }).paths = p;
      expectThrows(() => weightPaths(j), ModelFormatError, name);
    });
  }

  it('weightPaths reads the committed model', () => {
    expect(weightPaths(clone(LENET))).toEqual(['weights.bin']);
  });
});

function withSpec(j: ModelJson, index: number, patch: Record<string, unknown>): ModelJson {
  const w = clone(j);
  w.weightsManifest[0].weights[index] = { ...w.weightsManifest[0].weights[index], ...patch } as tf.io.WeightsManifestEntry;
  return w;
}

describe('hostile packed models', () => {
  /** Loads and chains a manifest the way the demo and the CLI do. */
  const load = (m: unknown, codes: Uint8Array): void => {
    shiftProgramFromPacked(loadPackedModel(m, codes, 'packed.json'), 'packed.json');
  };

  it('the committed packed model loads', () => {
    expect(() => load(clone(PACKED), CODES.slice())).not.toThrow();
  });

  type M = (m: PackedManifest & Record<string, unknown>) => unknown;
  const layer = (m: PackedManifest, i: number, patch: Record<string, unknown>): PackedManifest => ({
    ...m,
    layers: m.layers.map((l, k) => (k === i ? ({ ...l, ...patch } as typeof l) : l)),
  });
  const op = (m: PackedManifest, i: number, patch: Record<string, unknown>): PackedManifest => ({
    ...m,
    ops: m.ops.map((o, k) => (k === i ? ({ ...o, ...patch } as typeof o) : o)),
  });
  const cases: [string, M, ((c: Uint8Array) => Uint8Array)?][] = [
    ['null', () => null],
    ['a string', () => 'inq-packed'],
    ['an array', () => [PACKED]],
    ['mislabelled: a tfjs model.json', () => clone(LENET)],
    ['mislabelled: another format tag', (m) => ({ ...m, format: 'layers-model' })],
    ['a future version', (m) => ({ ...m, version: 2 })],
    ['a string version', (m) => ({ ...m, version: '1' })],
    ['truncated codes', (m) => m, (c) => c.subarray(0, c.length - 100)],
    ['empty codes', (m) => m, () => new Uint8Array(0)],
    ['padded codes', (m) => m, (c) => Uint8Array.from([...c, 0, 0, 0, 0])],
    ['a huge codesBytes', (m) => ({ ...m, codesBytes: 2 ** 53 })],
    ['a negative codesBytes', (m) => ({ ...m, codesBytes: -1 })],
    ['a NaN codesBytes (null after JSON)', (m) => ({ ...m, codesBytes: null })],
    ['no layers', (m) => ({ ...m, layers: [] })],
    ['layers is an object', (m) => ({ ...m, layers: { 0: m.layers[0] } })],
    ['a null layer', (m) => ({ ...m, layers: [null, ...m.layers.slice(1)] })],
    ['a layer without a name', (m) => layer(m, 0, { name: undefined })],
    ['a layer named __proto__ twice', (m) => ({ ...m, layers: m.layers.map((l) => ({ ...l, name: '__proto__' })) })],
    ['a script-bearing layer name', (m) => layer(m, 0, { name: '<img src=x onerror=alert(1)>' })],
    ['huge dimensions', (m) => layer(m, 2, { shape: [1 << 20, 1 << 20], count: 2 ** 40 })],
    ['a shape that lies about its count', (m) => layer(m, 0, { shape: [5, 5, 1, 7] })],
    ['a shape and count that lie together', (m) => layer(m, 0, { shape: [5, 5, 1, 7], count: 175, byteLength: 112 })],
    ['a shape that lies about the chain (same count)', (m) => layer(m, 1, { shape: [5, 5, 16, 6] })],
    ['a dense input that does not match the flatten', (m) => layer(m, 2, { shape: [120, 400] })],
    ['a negative dimension', (m) => layer(m, 0, { shape: [5, 5, -1, 6] })],
    ['a NaN dimension (null after JSON)', (m) => layer(m, 0, { shape: [5, 5, null, 6] })],
    ['a Dense labelled Conv2D', (m) => layer(m, 2, { kind: 'Conv2D' })],
    ['an unknown kind', (m) => layer(m, 0, { kind: 'Lambda' })],
    ['bits 9', (m) => layer(m, 0, { bits: 9 })],
    ['bits "five"', (m) => layer(m, 0, { bits: 'five' })],
    ['an n1 that overflows', (m) => layer(m, 0, { n1: 1000 })],
    ['a misaligned offset', (m) => layer(m, 1, { offset: 97 })],
    ['a negative offset', (m) => layer(m, 0, { offset: -4 })],
    ['overlapping layers', (m) => layer(m, 1, { offset: 0 })],
    ['a NaN bias (null after JSON)', (m) => layer(m, 0, { bias: [null, 0, 0, 0, 0, 0] })],
    ['a string bias', (m) => layer(m, 0, { bias: '000000' })],
    ['corrupt codes', (m) => m, (c) => {
      const b = c.slice();
      b[0] = 0b00101; // the zero flag clear but other bits set
      return b;
    }],
    ['no ops', (m) => ({ ...m, ops: [] })],
    ['ops is a string', (m) => ({ ...m, ops: 'conv2d' })],
    ['an unknown op', (m) => ({ ...m, ops: [{ op: 'eval', code: 'alert(1)' }, ...m.ops] })],
    ['a null op', (m) => ({ ...m, ops: [null, ...m.ops] })],
    ['an op on an unknown layer', (m) => op(m, 0, { layer: 'nope' })],
    ['an op on a __proto__ layer', (m) => op(m, 0, { layer: '__proto__' })],
    ['a stride of 3', (m) => op(m, 0, { strides: [3, 3] })],
    ['a padding that is not a mode', (m) => op(m, 0, { padding: 'javascript:' })],
    ['a 3×3 pool', (m) => op(m, 1, { size: [3, 3] })],
    ['the flatten left out', (m) => ({ ...m, ops: m.ops.filter((o) => o.op !== 'flatten') })],
    ['a layer used twice', (m) => ({ ...m, ops: [...m.ops, m.ops.at(-1)] })],
    ['a layer never used', (m) => ({ ...m, ops: m.ops.slice(0, -1) })],
    ['the wrong class count', (m) => ({ ...m, numClasses: 11 })],
    ['a huge inputShape', (m) => ({ ...m, inputShape: [1e9, 1e9, 1] })],
    ['an inputShape that lies', (m) => ({ ...m, inputShape: [32, 32, 1] })],
    ['a model name of 10k characters', (m) => ({ ...m, model: 'x'.repeat(10_000) })],
    ['a non-string codesFile', (m) => ({ ...m, codesFile: { evil: true } })],
  ];
  for (const [name, mutate, codes] of cases) {
    it(`refuses ${name} with a PackedFormatError`, () => {
      const m = mutate(clone(PACKED) as PackedManifest & Record<string, unknown>);
      const c = codes ? codes(CODES.slice()) : CODES.slice();
      expectThrows(() => load(m, c), PackedFormatError, name);
      noPollution();
    });
  }

  it('ignores prototype-pollution keys as inert data', () => {
    const text = JSON.stringify(PACKED).replace('"model"', '"__proto__":{"polluted":true},"model"');
    expect(() => load(JSON.parse(text), CODES.slice())).not.toThrow();
    noPollution();
  });
});
