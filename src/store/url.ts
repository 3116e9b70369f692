/** The playground's configuration in the URL hash: one typed table of fields, each parsed on its own. */
import { parseSchedule, formatSchedule } from '../inq/schedule.ts';
import { boundError, CONFIG_BOUNDS, type BoundedSetting } from '../engine/config.ts';
import { isBackendPreference } from '../model/backendPrefs.ts';
import { PRETRAINED, pretrainedById } from '../model/pretrained.ts';
import { isPanelName, PANELS, type PanelName, type PlaygroundConfig } from './types.ts';

type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

type Field<K extends keyof PlaygroundConfig> = {
  key: string;
  parse: (raw: string) => Parsed<PlaygroundConfig[K]>;
  format: (v: PlaygroundConfig[K]) => string;
};

const ok = <T,>(value: T): Parsed<T> => ({ ok: true, value });
const fail = <T,>(error: string): Parsed<T> => ({ ok: false, error });

/** A number within its bound from the shared table (src/engine/config.ts); whole numbers written as plain digits only. */
function bounded(name: BoundedSetting): (raw: string) => Parsed<number> {
  const integer = CONFIG_BOUNDS[name].integer;
  return (raw) => {
    const v = (integer ? /^-?\d+$/.test(raw) : raw.trim() !== '') ? Number(raw) : NaN;
    const error = boundError(name, v);
    return error === null ? ok(v) : fail(error);
  };
}

/** Every configuration field that lives in the URL. */
export const URL_FIELDS: { [K in keyof PlaygroundConfig]: Field<K> } = {
  bits: { key: 'bits', parse: bounded('bits'), format: String },
  schedule: {
    key: 'schedule',
    parse: (raw) => {
      const r = parseSchedule(raw);
      return r.ok ? ok(r.portions) : fail(r.error);
    },
    format: formatSchedule,
  },
  strategy: { key: 'strategy', parse: (raw) => (raw === 'magnitude' || raw === 'random' ? ok(raw) : fail('strategy must be magnitude or random')), format: String },
  seed: { key: 'seed', parse: bounded('seed'), format: String },
  // Empty: the run's seed draws the subset.
  trainSeed: { key: 'tseed', parse: (raw) => (raw === '' ? ok(null) : bounded('seed')(raw)), format: (v) => (v === null ? '' : String(v)) },
  epochsPerRound: { key: 'epochs', parse: bounded('epochsPerRound'), format: String },
  learningRate: { key: 'lr', parse: bounded('learningRate'), format: String },
  batchSize: { key: 'batch', parse: bounded('batchSize'), format: String },
  trainSize: { key: 'train', parse: bounded('trainSize'), format: String },
  testSize: { key: 'test', parse: bounded('testSize'), format: String },
  backend: { key: 'backend', parse: (raw) => (isBackendPreference(raw) ? ok(raw) : fail('backend must be auto, wasm, webgpu, webgl or cpu')), format: String },
  prune: { key: 'prune', parse: bounded('prune'), format: String },
  finalFull: {
    key: 'finalfull',
    parse: (raw) => (raw === '1' ? ok(true) : raw === '0' ? ok(false) : fail('finalfull must be 1 (score the final model on every test image) or 0')),
    format: (v) => (v ? '1' : '0'),
  },
  hide: {
    key: 'hide',
    parse: (raw) => {
      const names = raw === '' ? [] : raw.split(',').map((s) => s.trim());
      const bad = names.filter((n) => !isPanelName(n));
      if (bad.length) return fail(`hide takes panel names (${Object.keys(PANELS).join(', ')}); "${bad[0].slice(0, 20)}" is not one`);
      return ok([...new Set(names)] as PanelName[]);
    },
    format: (v) => v.join(','),
  },
  view: { key: 'view', parse: (raw) => (raw === 'dashboard' || raw === 'teach' ? ok(raw) : fail('view must be dashboard or teach')), format: String },
  layer: {
    key: 'layer',
    // Checked against the model's layers when it loads (Teach falls back to the largest); here only its form.
    parse: (raw) => (/^[\w./-]{0,64}$/.test(raw) ? ok(raw) : fail('layer must be a layer name (letters, digits, _ . / -)')),
    format: String,
  },
  tour: {
    key: 'tour',
    // `#view=teach&tour` (no value) opens the tour, as does tour=1.
    parse: (raw) => (raw === '' || raw === '1' ? ok(true) : raw === '0' ? ok(false) : fail('tour takes no value (or 1 to open the guided tour, 0 not to)')),
    format: (v) => (v ? '1' : '0'),
  },
  pretrained: {
    key: 'model',
    parse: (raw) => (pretrainedById(raw) ? ok(raw) : fail(`model must be one of ${PRETRAINED.map((p) => p.id).join(', ')}`)),
    format: String,
  },
};

/** Longest hash we read; anything longer is refused whole. */
export const MAX_HASH_LENGTH = 4096;

/** Most messages one link produces; the rest are counted in one last line. */
export const MAX_HASH_ERRORS = 10;

/** Parses a hash like "#bits=4&schedule=0.3,0.5,1": good fields, and one message per bad field. */
export function decodeHash(hash: string): { config: Partial<PlaygroundConfig>; errors: string[] } {
  const text = hash.startsWith('#') ? hash.slice(1) : hash;
  if (text === '') return { config: {}, errors: [] };
  if (text.length > MAX_HASH_LENGTH) return { config: {}, errors: [`the link's settings are too long (${text.length} characters); defaults are used`] };
  const params = new URLSearchParams(text);
  const config: Partial<PlaygroundConfig> = {};
  const errors: string[] = [];
  const byKey = new Map(Object.entries(URL_FIELDS).map(([name, f]) => [f.key, name as keyof PlaygroundConfig]));
  const seen = new Set<string>();
  let dropped = 0;
  const report = (e: string): void => {
    if (errors.length < MAX_HASH_ERRORS) errors.push(e);
    else dropped++;
  };
  for (const [key, raw] of params) {
    const name = byKey.get(key);
    if (!name) {
      report(`unknown setting "${key.slice(0, 30)}" in the link was ignored`);
      continue;
    }
    // A repeated setting: the first one counts, so what the notice says matches what is used.
    if (seen.has(key)) {
      report(`the setting "${key}" appears more than once in the link; only the first is read`);
      continue;
    }
    seen.add(key);
    const parsed = (URL_FIELDS[name] as Field<typeof name>).parse(raw);
    if (!parsed.ok) report(`${parsed.error} (the link says "${raw.slice(0, 40)}"); the default is used`);
    else (config as Record<string, unknown>)[name] = parsed.value;
  }
  // The tour is Teach's: a link that opens it without naming a view opens Teach.
  if (config.tour && config.view === undefined) config.view = 'teach';
  if (dropped > 0) errors.push(`…and ${dropped} more problem${dropped === 1 ? '' : 's'} with the link`);
  return { config, errors };
}

/** Encodes the whole configuration as a hash (without the leading #). */
export function encodeHash(config: PlaygroundConfig): string {
  const params = new URLSearchParams();
  for (const [name, f] of Object.entries(URL_FIELDS) as [keyof PlaygroundConfig, Field<keyof PlaygroundConfig>][]) {
    params.set(f.key, (f.format as (v: unknown) => string)(config[name]));
  }
  return params.toString();
}
