/** Round-level views: the scrubber, the frozen fraction per layer, the packed size, and the run's summary. */
import { wilsonInterval } from '../inq/stats.ts';
import { answersAccuracy } from './compareData.ts';
import { useMemo } from 'react';
import { shownRound, usePlayground } from '../store/store.ts';
import { LAYER_HEADER_BYTES, packedCodeBytes } from '../inq/codec.ts';
import { useShownResult } from './useShownRound.ts';
import { bitsOf, int, kB, pct, signedPoints } from './format.ts';

/** Range input over the completed rounds; "Latest" follows the newest one. */
export function RoundScrubber() {
  const rounds = usePlayground((s) => s.rounds);
  const shown = usePlayground(shownRound);
  const selected = usePlayground((s) => s.selectedRound);
  const selectRound = usePlayground((s) => s.selectRound);
  const result = useShownResult();
  const total = usePlayground((s) => s.progress?.rounds ?? s.rounds.length);
  const index = Math.max(0, rounds.findIndex((r) => r.round === shown));
  const n = rounds.length;
  return (
    <section className="card scrubber">
      <h2>Shown round</h2>
      <div className="scrub-row">
        <input
          type="range"
          aria-label="Round"
          min={1}
          max={Math.max(1, n)}
          step={1}
          value={n === 0 ? 1 : index + 1}
          disabled={n === 0}
          onChange={(e) => {
            const k = Number(e.target.value) - 1;
            if (rounds[k]) selectRound(k === n - 1 ? null : rounds[k].round);
          }}
        />
        <button type="button" onClick={() => selectRound(null)} disabled={n === 0} aria-pressed={selected === null}>
          Latest
        </button>
      </div>
      <p className="scrub-text" data-testid="shown-round">
        {result
          ? `Round ${result.round}/${Math.max(total, n)} · ${pct(result.portion)} frozen · test accuracy ${pct(result.accuracy, 2)} · took ${result.seconds.toFixed(1)} s`
          : 'No round finished yet. Every view below shows the round picked here.'}
      </p>
      {result?.integrity && <IntegrityBadge moved={result.integrity.moved} offLevel={result.integrity.offLevel} />}
    </section>
  );
}

/**
 * The worker's check at the round's end, shown: frozen weights that moved since they froze, and
 * frozen weights that are not levels. Both are 0 or the run stops with an error (src/engine/session.ts).
 */
export function IntegrityBadge({ moved, offLevel }: { moved: number; offLevel: number }) {
  const ok = moved === 0 && offLevel === 0;
  return (
    <p
      className={`integrity ${ok ? 'integrity-ok' : 'integrity-bad'}`}
      data-testid="integrity"
      data-moved={moved}
      data-off-level={offLevel}
      title="Checked in the worker after every round: a frozen weight never changes again, and every frozen weight is exactly a level"
    >
      {ok ? '✓ ' : '✗ '}integrity: {moved} frozen weights moved · {offLevel} off their levels
    </p>
  );
}

/** Frozen count per layer for the shown round: round(σ·N) of N. */
export function FrozenTable() {
  const layers = usePlayground((s) => s.layers);
  const result = useShownResult();
  return (
    <section className="card">
      <h2>Frozen fraction per layer</h2>
      <p className="explain">Every layer freezes the same share σ of its own weights in each round: round(σ·N) of N, whatever the layer's size.</p>
      {!result ? (
        <p className="hint">Nothing is frozen before the first round.</p>
      ) : (
        <table className="mini-table" data-testid="frozen-table" data-round={result.round} data-portion={result.portion}>
          <thead>
            <tr>
              <th scope="col">Layer</th>
              <th scope="col">Weights</th>
              <th scope="col">Frozen</th>
              <th scope="col">Frozen %</th>
            </tr>
          </thead>
          <tbody>
            {layers.map((info) => {
              const snap = result.layers.find((l) => l.name === info.name);
              if (!snap) return null;
              return (
                <tr key={info.name} data-layer={info.name} data-frozen={snap.frozenCount} data-size={info.size}>
                  <td>{info.name}</td>
                  <td className="num">{int(info.size)}</td>
                  <td className="num">{int(snap.frozenCount)}</td>
                  <td className="num">{pct(snap.frozenCount / info.size, 2)}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </section>
  );
}

/** Packed size (b-bit codes + per-layer headers, biases float32) against float32, and what a mid-run file would take. */
export function PackedSize() {
  const layers = usePlayground((s) => s.layers);
  const model = usePlayground((s) => s.model);
  const configBits = usePlayground((s) => s.config.bits);
  const summary = usePlayground((s) => s.summary);
  const result = useShownResult();

  const sizes = useMemo(() => {
    const kernels = layers.length > 0 ? layers.map((l) => ({ name: l.name, size: l.size, bits: bitsOf(l) })) : (model?.layers ?? []).map((l) => ({ name: l.name, size: l.size, bits: configBits }));
    if (kernels.length === 0) return null;
    const kernelWeights = kernels.reduce((a, l) => a + l.size, 0);
    const params = model?.params ?? kernelWeights;
    const floatOther = 4 * Math.max(0, params - kernelWeights);
    const packed = kernels.reduce((a, l) => a + packedCodeBytes(l.size, l.bits) + LAYER_HEADER_BYTES, 0) + floatOther;
    const float = 4 * params;
    let mixed: number | null = null;
    if (result) {
      // Mid-run: frozen weights as codes, the free ones still float32 (plus a 1-bit mask to tell them apart).
      mixed = floatOther;
      for (const l of kernels) {
        const frozen = result.layers.find((s) => s.name === l.name)?.frozenCount ?? 0;
        mixed += packedCodeBytes(frozen, l.bits) + 4 * (l.size - frozen) + Math.ceil(l.size / 32) * 4 + LAYER_HEADER_BYTES;
      }
    }
    return { packed, float, mixed, bits: kernels[0].bits };
  }, [layers, model, configBits, result]);

  const final = summary && result && result.round === summary.rounds ? summary : null;
  const packed = final ? final.packedBytes : sizes?.packed;
  const float = final ? final.floatBytes : sizes?.float;

  return (
    <section className="card">
      <h2>Model size</h2>
      <p className="explain">
        Each quantized weight is a {sizes?.bits ?? configBits}-bit code: a zero flag, a sign and the exponent n1 − p. Biases stay float32. This is where the
        file gets smaller.
      </p>
      <p className="big-number" data-testid="packed-size" data-packed={packed ?? ''} data-float={float ?? ''}>
        {packed !== undefined && float !== undefined
          ? `Packed model: ${kB(packed)} vs ${kB(float)} float32 (${(float / packed).toFixed(1)}× smaller)`
          : 'Packed model: waiting for the model…'}
      </p>
      {sizes?.mixed != null && result && !final && (
        <p className="sub">
          After round {result.round} ({pct(result.portion)} frozen), a file with the frozen weights as codes and the free ones as float32 would take{' '}
          {kB(sizes.mixed)}.
        </p>
      )}
      {final && (
        <p className="sub">
          Quantized kernels alone: {kB(final.kernelPackedBytes)} packed vs {kB(final.kernelFloatBytes)} float32 (
          {(final.kernelFloatBytes / final.kernelPackedBytes).toFixed(1)}× smaller).
        </p>
      )}
    </section>
  );
}

/** Final accuracy against the float model, once the run is done. */
export function RunSummary() {
  const summary = usePlayground((s) => s.summary);
  const status = usePlayground((s) => s.status);
  const testSize = usePlayground((s) => s.config.testSize);
  const answers = usePlayground((s) => s.runModel?.predictions ?? null);
  const full = answers && answers.labels.length > testSize ? { n: answers.labels.length, accuracy: answersAccuracy(answers) } : null;
  if (!summary) {
    if (status === 'cancelled') return <p className="run-summary cancelled">Run cancelled; the completed rounds stay visible.</p>;
    return null;
  }
  return (
    <div className="run-summary" data-testid="run-summary" data-final={summary.finalAccuracy} data-float={summary.floatAccuracy} role="status">
      <strong>
        Final accuracy {pct(summary.finalAccuracy, 2)} vs float {pct(summary.floatAccuracy, 2)} ({signedPoints(summary.finalAccuracy - summary.floatAccuracy)} points)
      </strong>{' '}
      after {summary.rounds} rounds in {summary.seconds.toFixed(1)} s ·{' '}
      {summary.allLevels ? 'every conv and dense weight is now 0 or ±2^p' : 'warning: some weights are not levels'} · {kB(summary.packedBytes)} packed vs{' '}
      {kB(summary.floatBytes)} float32.
      {full && (
        <span data-testid="final-full" data-n={full.n} data-accuracy={full.accuracy}>
          {' '}
          On all {full.n.toLocaleString('en')} test images: <strong>{pct(full.accuracy, 2)}</strong> (95 % interval{' '}
          {wilsonInterval(Math.round(full.accuracy * full.n), full.n)
            .map((x) => pct(x, 2))
            .join(' to ')}
          ).
        </span>
      )}
      {summary.prune && summary.sparsePackedBytes !== undefined && (
        <span data-testid="prune-summary">
          {' '}
          Pruned first to {pct(summary.prune.sparsity, 1)} zeros (accuracy then {pct(summary.prune.accuracy, 2)}, {summary.prune.spliced} weights spliced back); now{' '}
          {pct(summary.sparsity ?? 0, 1)} zeros, {kB(summary.sparsePackedBytes)} with a sparse encoding against {kB(summary.floatBytes)} float32 (
          {(summary.floatBytes / summary.sparsePackedBytes).toFixed(1)}× smaller; pruning alone: {kB(summary.prune.sparseFloatBytes)}).
        </span>
      )}
    </div>
  );
}
