/** Bring your own model: a file picker and a drop zone for a tfjs Layers model, which model is in use, and the way back to the built-in one. */
import { useId, useState, type ChangeEvent, type DragEvent } from 'react';
import { usePlayground } from '../store/store.ts';
import { isRunActive } from '../store/types.ts';
import { useInqClient } from './clientContext.ts';
import { int } from './format.ts';

/** The picker card in the sidebar. */
export function ModelPicker() {
  const client = useInqClient();
  const model = usePlayground((s) => s.model);
  const status = usePlayground((s) => s.status);
  const loading = usePlayground((s) => s.modelLoading);
  const error = usePlayground((s) => s.modelError);
  const [over, setOver] = useState(false);
  const id = useId();
  const busy = isRunActive(status) || status === 'loading' || status === 'error';
  const custom = model?.name === 'custom';

  const load = (files: FileList | null): void => {
    if (!files || files.length === 0) return;
    client.loadModelFiles([...files]);
  };
  const onChange = (e: ChangeEvent<HTMLInputElement>): void => {
    load(e.target.files);
    // Choosing the same files again must load them again.
    e.target.value = '';
  };
  const onDragOver = (e: DragEvent<HTMLDivElement>): void => {
    if (busy || !e.dataTransfer.types.includes('Files')) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = 'copy';
    setOver(true);
  };
  const onDrop = (e: DragEvent<HTMLDivElement>): void => {
    e.preventDefault();
    setOver(false);
    if (!busy) load(e.dataTransfer.files);
  };

  return (
    <section className="card model-picker" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Your own model</h2>
      <p className="explain">
        A tfjs Layers model (model.json and its weight files) of a sequential CNN for 28×28×1 images and 10 classes: Conv2D, Dense, pooling, Flatten,
        Dropout and ReLU layers. INQ then quantizes it like the built-in ones.
      </p>
      <p className="model-in-use" data-testid="model-in-use" data-custom={custom ? 'true' : 'false'}>
        {model
          ? custom
            ? `In use: your model ${model.title} · ${int(model.params)} parameters · ready`
            : `In use: the built-in ${model.title}`
          : 'Loading the built-in model…'}
      </p>
      {custom && model.notes && model.notes.length > 0 && (
        <ul className="model-notes">
          {model.notes.map((n) => (
            <li key={n}>{n}</li>
          ))}
        </ul>
      )}
      <div
        className={`drop-zone${over ? ' drop-over' : ''}${busy ? ' drop-disabled' : ''}`}
        data-testid="model-drop-zone"
        onDragOver={onDragOver}
        onDragLeave={() => setOver(false)}
        onDrop={onDrop}
      >
        <label htmlFor={`${id}-file`}>Load a tfjs model (model.json and weight files)</label>
        <input id={`${id}-file`} type="file" multiple accept=".json,.bin,application/json,application/octet-stream" onChange={onChange} disabled={busy} />
        <span className="drop-hint">{loading ? 'Checking your model…' : 'or drop the files here'}</span>
      </div>
      {error && (
        <p className="model-error" role="alert" data-testid="model-error">
          Model not loaded: {error}
        </p>
      )}
      {custom && (
        <button type="button" onClick={() => client.useBuiltinModel()} disabled={busy}>
          Use the built-in model
        </button>
      )}
    </section>
  );
}
