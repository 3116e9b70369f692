/**
 * "Save as PNG" for the chart card it sits in: draws the card's title, captions and charts as on the
 * page. `chart` names the chart (for the accessible name and the file); disabled while it is empty.
 */
import { useRef, useState } from 'react';
import { getPageStore } from '../../store/store.ts';
import { chartCardToPng, downloadFile, exportBaseName } from '../exportFiles.ts';

/** The button (and the message when saving failed). */
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
