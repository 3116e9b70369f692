/** The run's settings (bit-width, partition strategy, seed, re-training, subsets) and the read-only dataset and model facts. */
import { useId, useState, type ChangeEvent } from 'react';
import { usePlayground } from '../store/store.ts';
import { isRunActive, type PlaygroundConfig } from '../store/types.ts';
import { URL_FIELDS } from '../store/url.ts';
import { CONFIG_BOUNDS } from '../engine/config.ts';
import { inputRange } from './inputRange.ts';
import { PARTITION_STRATEGIES, type PartitionStrategy } from '../inq/partition.ts';
import { presetFor } from '../inq/schedule.ts';
import { PRUNE_PRESET } from '../engine/presets.ts';
import { int, pct } from './format.ts';
import { PRETRAINED, pretrainedById } from '../model/pretrained.ts';
import { DATASETS } from '../data/datasets.ts';
import { useInqClient } from './clientContext.ts';

/** Which committed pre-trained model (and so which dataset) runs start from; switching loads it in a fresh worker. */
function PretrainedField({ disabled }: { disabled: boolean }) {
  const id = useId();
  const pretrained = usePlayground((s) => s.config.pretrained);
  const setConfig = usePlayground((s) => s.setConfig);
  const client = useInqClient();
  return (
    <div className="field">
      <label htmlFor={id}>Pre-trained model</label>
      <select
        id={id}
        value={pretrained}
        disabled={disabled}
        onChange={(e) => {
          setConfig({ pretrained: e.target.value });
          client.usePretrained(e.target.value, import.meta.env.BASE_URL);
        }}
      >
        {PRETRAINED.map((p) => (
          <option key={p.id} value={p.id}>
            {p.title}
          </option>
        ))}
      </select>
    </div>
  );
}

/**
 * Score the final model on every test image: its accuracy then has a standard error of about 0.1
 * point on 10,000 images instead of 0.3 on 1,000, and the compare view pairs runs on all of them.
 * The time it adds is estimated from the last round's evaluation when there is one.
 */
function FinalFullField({ disabled }: { disabled: boolean }) {
  const on = usePlayground((s) => s.config.finalFull);
  const setConfig = usePlayground((s) => s.setConfig);
  const testCount = usePlayground((s) => s.testCount);
  const testSize = usePlayground((s) => s.config.testSize);
  const last = usePlayground((s) => s.rounds.at(-1) ?? null);
  const evalSeconds = last ? Math.max(0, last.seconds - last.trainSeconds) : null;
  const estimate = evalSeconds !== null && testSize > 0 ? (evalSeconds * testCount) / testSize : null;
  const id = useId();
  return (
    <div className="field">
      <label className="checkbox">
        <input type="checkbox" checked={on} disabled={disabled || testCount === 0} aria-describedby={id} onChange={(e) => setConfig({ finalFull: e.target.checked })} /> Final
        model on all {testCount > 0 ? testCount.toLocaleString('en') : ''} test images
      </label>
      <small className="hint" id={id}>
        {estimate !== null
          ? `adds about ${estimate < 1 ? 'a second' : `${Math.ceil(estimate)} s`} at the end (from the last round's evaluation)`
          : 'adds one pass over every test image at the end'}
        ; the saved answers then cover them all, for comparisons
      </small>
    </div>
  );
}

/** Pruning before INQ: off, or a target sparsity (dynamic network surgery with splicing). */
function PruneField({ disabled }: { disabled: boolean }) {
  const prune = usePlayground((s) => s.config.prune);
  const setConfig = usePlayground((s) => s.setConfig);
  const [draft, setDraft] = useState<string | null>(null);
  const id = useId();
  const parsed = draft === null ? null : URL_FIELDS.prune.parse(draft.trim());
  const error = parsed && !parsed.ok ? parsed.error : null;
  return (
    <div className="field">
      <label className="checkbox">
        <input
          type="checkbox"
          checked={prune > 0}
          disabled={disabled}
          title={`${PRUNE_PRESET.prune * 100} % sparsity on all ${PRUNE_PRESET.trainSize.toLocaleString('en')} training images, ${PRUNE_PRESET.epochsPerRound} epoch a round: the setup measured to stay within 1 point of float (README)`}
          onChange={(e) =>
            setConfig(
              e.target.checked
                ? { prune: PRUNE_PRESET.prune, trainSize: PRUNE_PRESET.trainSize, epochsPerRound: PRUNE_PRESET.epochsPerRound, learningRate: PRUNE_PRESET.learningRate }
                : { prune: 0 },
            )
          }
        />{' '}
        Prune first
      </label>
      {prune > 0 && (
        <>
          <label htmlFor={id}>Pruning sparsity</label>
          <input
            id={id}
            type="number"
            min={CONFIG_BOUNDS.prune.min}
            max={CONFIG_BOUNDS.prune.max}
            step={0.01}
            value={draft ?? String(prune)}
            disabled={disabled}
            aria-invalid={error !== null}
            aria-describedby={`${id}-msg`}
            onChange={(e) => {
              setDraft(e.target.value);
              const r = URL_FIELDS.prune.parse(e.target.value.trim());
              if (r.ok && r.value > 0) setConfig({ prune: r.value });
            }}
            onBlur={() => setDraft(null)}
          />
          <small id={`${id}-msg`} className={error ? 'field-error' : 'field-hint'}>
            {error ?? 'magnitude pruning with splicing, then INQ on the surviving weights (pruned ones stay zero)'}
          </small>
        </>
      )}
    </div>
  );
}

type NumericKey = 'seed' | 'trainSeed' | 'epochsPerRound' | 'learningRate' | 'batchSize' | 'trainSize' | 'testSize';

/**
 * A number input that keeps what the user types and commits it only when it parses (same rules as the URL).
 * `placeholder`: what an empty field means, for a setting that may be unset (the subset seed).
 */
function NumberField(props: { label: string; field: NumericKey; available?: number; disabled: boolean; hint?: string; placeholder?: string }) {
  const { label, field, available, disabled, hint, placeholder } = props;
  const { min, max, step } = inputRange(field === 'trainSeed' ? 'seed' : field, available);
  const value = usePlayground((s) => s.config[field]);
  const setConfig = usePlayground((s) => s.setConfig);
  const [draft, setDraft] = useState<string | null>(null);
  const id = useId();
  const parsed = draft === null ? null : URL_FIELDS[field].parse(draft.trim());
  const error = parsed && !parsed.ok ? parsed.error : null;

  const onChange = (e: ChangeEvent<HTMLInputElement>): void => {
    const raw = e.target.value;
    setDraft(raw);
    const r = URL_FIELDS[field].parse(raw.trim());
    if (r.ok) setConfig({ [field]: r.value } as Partial<PlaygroundConfig>);
  };

  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        type="number"
        min={min}
        max={max}
        step={step}
        value={draft ?? (value === null ? '' : String(value))}
        placeholder={placeholder}
        onChange={onChange}
        onBlur={() => setDraft(null)}
        disabled={disabled}
        aria-invalid={error !== null}
        aria-describedby={error || hint ? `${id}-msg` : undefined}
      />
      {(error || hint) && (
        <small id={`${id}-msg`} className={error ? 'field-error' : 'field-hint'}>
          {error ?? hint}
        </small>
      )}
    </div>
  );
}

/** Bit-width select, offering the paper's schedule for the chosen bit-width when the current one differs. */
function BitsField({ disabled }: { disabled: boolean }) {
  const bits = usePlayground((s) => s.config.bits);
  const schedule = usePlayground((s) => s.config.schedule);
  const scheduleError = usePlayground((s) => s.scheduleError);
  const setConfig = usePlayground((s) => s.setConfig);
  const setSchedule = usePlayground((s) => s.setSchedule);
  const id = useId();
  const preset = presetFor(bits);
  const same = preset.length === schedule.length && preset.every((p, i) => p === schedule[i]) && scheduleError === null;
  const options: number[] = [];
  for (let b = CONFIG_BOUNDS.bits.min; b <= CONFIG_BOUNDS.bits.max; b++) options.push(b);
  const magnitudes = 2 ** (bits - 2);
  return (
    <div className="field">
      <label htmlFor={id}>Bit-width</label>
      <select id={id} value={bits} onChange={(e) => setConfig({ bits: Number(e.target.value) })} disabled={disabled}>
        {options.map((b) => (
          <option key={b} value={b}>
            {b} bits
          </option>
        ))}
      </select>
      <small className="field-hint">
        {bits === 2 ? 'ternary: 0 and ±2^n1' : `0 and ±${magnitudes} powers of two: 2^n1 … 2^(n1−${magnitudes - 1})`}
      </small>
      {!same && (
        <button type="button" className="link-button" onClick={() => setSchedule(preset)} disabled={disabled} title={bits > 5 ? 'Above 5 bits the paper uses its 5-bit schedule' : undefined}>
          Use the paper's schedule for {bits} bits
        </button>
      )}
    </div>
  );
}

/** Partition strategy: magnitude (the paper's) or random (its ablation). */
function StrategyField({ disabled }: { disabled: boolean }) {
  const strategy = usePlayground((s) => s.config.strategy);
  const setConfig = usePlayground((s) => s.setConfig);
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>Partition strategy</label>
      <select id={id} value={strategy} onChange={(e) => setConfig({ strategy: e.target.value as PartitionStrategy })} disabled={disabled}>
        {PARTITION_STRATEGIES.map((s) => (
          <option key={s} value={s}>
            {s === 'magnitude' ? 'magnitude (largest |w| first)' : 'random (seeded)'}
          </option>
        ))}
      </select>
    </div>
  );
}

/** The training subset's seed: empty (each run's seed draws its own images) or fixed, so a repeat varies only the partition and batch order. */
function TrainSeedField({ disabled }: { disabled: boolean }) {
  const trainSeed = usePlayground((s) => s.config.trainSeed);
  const seed = usePlayground((s) => s.config.seed);
  return (
    <NumberField
      label="Subset seed"
      field="trainSeed"
      disabled={disabled}
      placeholder="the seed"
      hint={trainSeed === null ? `empty: the seed (${seed}) draws the training images` : 'every seed re-trains on these same images'}
    />
  );
}

/** Every setting of a run, disabled while a run is going. */
export function ControlsPanel() {
  const status = usePlayground((s) => s.status);
  const trainCount = usePlayground((s) => s.trainCount);
  const testCount = usePlayground((s) => s.testCount);
  const busy = isRunActive(status);
  return (
    <section className="card">
      <h2>Settings</h2>
      <p className="explain">Each round freezes the largest remaining weights of every layer, snaps them to powers of two, and re-trains the rest.</p>
      <div className="fields">
        <PretrainedField disabled={busy} />
        <BitsField disabled={busy} />
        <StrategyField disabled={busy} />
        <NumberField label="Seed" field="seed" disabled={busy} />
        <TrainSeedField disabled={busy} />
        <NumberField label="Epochs per round" field="epochsPerRound" disabled={busy} />
        <NumberField label="Learning rate" field="learningRate" disabled={busy} hint="reset at the start of every round" />
        <NumberField label="Batch size" field="batchSize" disabled={busy} />
        <NumberField label="Training images" field="trainSize" available={trainCount} disabled={busy} hint="random subset used for re-training" />
        <NumberField label="Test images" field="testSize" available={testCount} disabled={busy} hint="first images of the test set" />
        <FinalFullField disabled={busy} />
        <PruneField disabled={busy} />
      </div>
    </section>
  );
}

/** Dataset and pre-trained model, read-only. */
export function ModelInfo() {
  const model = usePlayground((s) => s.model);
  const dataset = DATASETS[pretrainedById(usePlayground((s) => s.config.pretrained))?.dataset ?? 'mnist'];
  const trainCount = usePlayground((s) => s.trainCount);
  const testCount = usePlayground((s) => s.testCount);
  return (
    <section className="card">
      <h2>Data and model</h2>
      <dl className="facts">
        <dt>Dataset</dt>
        <dd>{dataset.title}{trainCount > 0 ? ` · ${int(trainCount)} training / ${int(testCount)} test images` : ''}</dd>
        <dt>Model</dt>
        <dd>{model ? `pre-trained ${model.title} · ${int(model.params)} parameters` : 'loading…'}</dd>
        <dt>Accuracy</dt>
        <dd data-testid="pretrained-accuracy">
          {model ? (model.pretrainedAccuracy === null ? 'Pre-trained accuracy unknown' : `Pre-trained accuracy ${pct(model.pretrainedAccuracy)}`) : '…'}
        </dd>
      </dl>
      {model && (
        <table className="mini-table">
          <caption className="sr-only">Quantized layers of the model</caption>
          <thead>
            <tr>
              <th scope="col">Layer</th>
              <th scope="col">Kernel shape</th>
              <th scope="col">Weights</th>
            </tr>
          </thead>
          <tbody>
            {model.layers.map((l) => (
              <tr key={l.name}>
                <td>{l.name}</td>
                <td>{l.shape.join('×')}</td>
                <td className="num">{int(l.size)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
