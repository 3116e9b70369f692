/** Page header: title, the backend in use and why, the backend selector, and the environment status lines. */
import { ViewSwitch } from './ViewSwitch.tsx';
import type { ChangeEvent } from 'react';
import { usePlayground } from '../store/store.ts';
import { isRunActive, type PlaygroundState } from '../store/types.ts';
import { BACKEND_PREFERENCES, isBackendPreference } from '../model/backendPrefs.ts';
import { useInqClient } from './clientContext.ts';

function gpuText(s: PlaygroundState): string {
  const b = s.backend;
  if (b) {
    if (!b.adapter.available) return 'No WebGPU adapter';
    return `WebGPU adapter: ${b.adapter.description}${b.adapter.isFallbackAdapter ? ' (software fallback)' : ''}`;
  }
  if (s.status === 'error') return 'WebGPU detection did not finish: the worker stopped';
  return 'Detecting WebGPU…';
}

function dataText(s: PlaygroundState): string {
  if (s.trainCount > 0) return `MNIST: ${s.trainCount} training / ${s.testCount} test images`;
  if (s.status === 'error') return 'MNIST: not loaded';
  if (s.status === 'loading' && s.loadingText.includes('MNIST') && s.loadingFraction !== null) {
    return `Loading MNIST… ${Math.floor(100 * s.loadingFraction)}%`;
  }
  return 'Loading MNIST…';
}

/** Status-line colour key: pending, ok, warn (no adapter: tfjs falls back) or error. */
function gpuState(s: PlaygroundState): string {
  if (s.backend) return s.backend.adapter.available ? 'ok' : 'warn';
  return s.status === 'error' ? 'error' : 'pending';
}

/** Title, backend badge and selector, WebGPU and MNIST status. */
export function Header() {
  const client = useInqClient();
  const backend = usePlayground((s) => s.backend);
  const preference = usePlayground((s) => s.config.backend);
  const status = usePlayground((s) => s.status);
  const setConfig = usePlayground((s) => s.setConfig);
  const gpu = usePlayground(gpuText);
  const gpuKey = usePlayground(gpuState);
  const data = usePlayground(dataText);
  const dataKey = usePlayground((s) => (s.trainCount > 0 ? 'ok' : s.status === 'error' ? 'error' : 'pending'));
  const busy = isRunActive(status);

  const onBackend = (e: ChangeEvent<HTMLSelectElement>): void => {
    const v = e.target.value;
    if (!isBackendPreference(v)) return;
    setConfig({ backend: v });
    if (!busy) client.init(v);
  };

  return (
    <header className="page-header">
      <div className="title-block">
        <h1>INQ Playground</h1>
        <ViewSwitch />
        <p className="lede">
          Incremental Network Quantization (Zhou et al. 2017): a trained network's weights become powers of two, a portion at a time, while the
          rest re-train to make up for it.
        </p>
      </div>
      <div className="backend-block">
        <label className="inline-field">
          <span>Backend</span>
          <select aria-label="Backend" value={preference} onChange={onBackend} disabled={busy} title={busy ? 'Pause or reset the run to change the backend' : undefined}>
            {BACKEND_PREFERENCES.map((b) => (
              <option key={b} value={b}>
                {b}
              </option>
            ))}
          </select>
        </label>
        <p className="badge" data-testid="backend-badge" data-backend={backend?.backend ?? ''}>
          {backend ? (
            <>
              <strong>{backend.backend}</strong> — {backend.reason}
            </>
          ) : (
            'choosing a backend…'
          )}
        </p>
        <p className="status-line" role="status" data-testid="webgpu-status" data-state={gpuKey}>
          {gpu}
        </p>
        <p className="status-line" role="status" data-testid="data-status" data-state={dataKey}>
          {data}
        </p>
      </div>
    </header>
  );
}
