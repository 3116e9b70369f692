/** Export: the run's quantized model (packed, and tfjs Layers), its history as JSON and CSV. */
import { useId, useState } from 'react';
import { getPageStore, usePlayground } from '../store/store.ts';
import { isRunActive } from '../store/types.ts';
import { useInqClient } from './clientContext.ts';
import { cModelFiles, downloadFile, exportBaseName, historyToCsv, historyToJson, packedModelFiles, tfjsModelFiles, type ExportFile } from './exportFiles.ts';

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
  const busy = isRunActive(status);

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
