/** Export: the run's quantized model (packed, and tfjs Layers), its history as JSON and CSV; and the "Save as PNG" button of every chart card. */
import { useId, useRef, useState } from 'react';
import { getPageStore, usePlayground } from '../store/store.ts';
import { useInqClient } from './clientContext.ts';
import { cModelFiles, chartCardToPng, downloadFile, exportBaseName, historyToCsv, historyToJson, packedModelFiles, tfjsModelFiles, type ExportFile } from './exportFiles.ts';

/** A download button with the reason it is disabled, read out with it. */
function DownloadButton({ label, reason, files }: { label: string; reason: string | null; files: () => ExportFile[] }) {
  const id = useId();
  const [error, setError] = useState<string | null>(null);
  const onClick = (): void => {
    try {
      setError(null);
      for (const f of files()) downloadFile(f);
    } catch (e) {
      setError(`${label} failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  };
  return (
    <div className="export-row">
      <button type="button" onClick={onClick} disabled={reason !== null} aria-describedby={reason || error ? `${id}-why` : undefined}>
        {label}
      </button>
      {(reason || error) && (
        <small id={`${id}-why`} className={error ? 'field-error' : 'field-hint'} role={error ? 'alert' : undefined}>
          {error ?? reason}
        </small>
      )}
    </div>
  );
}

/** The export card: model files once a run has produced one, history once a round is done. */
export function ExportPanel() {
  const client = useInqClient();
  const runModel = usePlayground((s) => s.runModel);
  const hasRounds = usePlayground((s) => s.rounds.length > 0);
  const status = usePlayground((s) => s.status);
  const busy = status === 'running' || status === 'paused';

  const noModel = busy ? 'The run is still going: its model is ready when it ends.' : 'Finish a run to export its quantized model.';
  const modelReason = runModel ? null : noModel;
  const packedReason = !runModel
    ? noModel
    : runModel.packed
      ? null
      : "This run's model has no packed form: not every weight ended as a power of two, or a layer is one the shift kernels cannot run.";
  const historyReason = hasRounds ? null : 'No round finished yet.';

  const history = (kind: 'json' | 'csv'): ExportFile[] => {
    const s = getPageStore().getState();
    const config = client.activeRunConfig;
    const base = exportBaseName(s.model?.name === 'custom' ? s.model.title : (s.model?.name ?? null), config?.bits ?? null);
    if (kind === 'csv') return [{ name: `${base}-history.csv`, type: 'text/csv', data: historyToCsv(s.rounds) }];
    const data = historyToJson({
      runId: s.runId,
      model: s.model ? { name: s.model.name, title: s.model.title } : null,
      config,
      floatAccuracy: s.floatAccuracy,
      layers: s.layers,
      rounds: s.rounds,
      epochLosses: s.epochLosses,
      summary: s.summary,
    });
    return [{ name: `${base}-history.json`, type: 'application/json', data }];
  };

  return (
    <section className="card export-panel" aria-labelledby="export-title">
      <h2 id="export-title">Export</h2>
      <p className="explain">
        The quantized model as packed {runModel ? `${runModel.bits}-bit ` : ''}codes (packed.json + codes.bin, what the shift kernels run) or as a tfjs Layers
        model (model.json + weights.bin, loads again above); as C99 that computes in shifts and integer adds
        (model.h + model.c); the round history as JSON or CSV.
      </p>
      <div className="export-buttons">
        <DownloadButton label="Download packed model" reason={packedReason} files={() => (runModel?.packed ? packedModelFiles(runModel.packed) : [])} />
        <DownloadButton label="Download C" reason={packedReason} files={() => (runModel?.packed ? cModelFiles(runModel.packed) : [])} />
        <DownloadButton label="Download tfjs model" reason={modelReason} files={() => (runModel ? tfjsModelFiles(runModel.layers) : [])} />
        <DownloadButton label="Download history (JSON)" reason={historyReason} files={() => history('json')} />
        <DownloadButton label="Download history (CSV)" reason={historyReason} files={() => history('csv')} />
      </div>
    </section>
  );
}

/**
 * "Save as PNG" for the chart card it sits in: draws the card's title, captions and charts as on the
 * page. `chart` names the chart (for the accessible name and the file); disabled while it is empty.
 */
export function SavePngButton({ chart, file, disabled }: { chart: string; file: string; disabled: boolean }) {
  const ref = useRef<HTMLButtonElement>(null);
  const [state, setState] = useState<{ busy: boolean; error: string | null }>({ busy: false, error: null });
  const onClick = async (): Promise<void> => {
    const card = ref.current?.closest<HTMLElement>('section, .card');
    if (!card) return;
    setState({ busy: true, error: null });
    try {
      const blob = await chartCardToPng(card);
      const s = getPageStore().getState();
      const base = exportBaseName(s.model?.name === 'custom' ? s.model.title : (s.model?.name ?? null), null);
      downloadFile({ name: `${base}-${file}.png`, type: 'image/png', data: await blob.arrayBuffer() });
      setState({ busy: false, error: null });
    } catch (e) {
      setState({ busy: false, error: `The ${chart} chart could not be saved: ${e instanceof Error ? e.message : String(e)}` });
    }
  };
  return (
    <span className="save-png">
      <button
        ref={ref}
        type="button"
        className="link-button"
        onClick={() => void onClick()}
        disabled={disabled || state.busy}
        aria-label={`Save as PNG: ${chart}`}
        title={disabled ? 'Nothing to save yet' : `Save the ${chart} chart as a PNG image`}
      >
        Save as PNG
      </button>
      {state.error && (
        <small className="field-error" role="alert">
          {state.error}
        </small>
      )}
    </span>
  );
}
