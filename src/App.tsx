/** The page shell: what this browser offers (WebGPU) and whether the data loaded. The full UI comes later. */
import { useEffect, useState } from 'react';
import type { AdapterSummary } from './model/backend.ts';
import type { AdapterProbeMessage } from './worker/adapterProbe.worker.ts';
import { loadMnistBrowser, type LoadProgress } from './data/browserData.ts';

type GpuStatus = { state: 'detecting' } | { state: 'done'; adapter: AdapterSummary } | { state: 'error'; message: string };

type DataStatus = { state: 'loading'; percent: number | null } | { state: 'done'; train: number; test: number } | { state: 'error'; message: string };

/** Asks a worker (tfjs stays off the main thread) for the WebGPU adapter. */
function useWebGpuStatus(): GpuStatus {
  const [status, setStatus] = useState<GpuStatus>({ state: 'detecting' });
  useEffect(() => {
    const worker = new Worker(new URL('./worker/adapterProbe.worker.ts', import.meta.url), { type: 'module' });
    worker.onmessage = (ev: MessageEvent<AdapterProbeMessage>) => {
      const msg = ev.data;
      setStatus(msg.kind === 'adapter' ? { state: 'done', adapter: msg.adapter } : { state: 'error', message: msg.message });
      worker.terminate();
    };
    worker.onerror = (ev) => setStatus({ state: 'error', message: ev.message || 'the detection worker failed to start' });
    return () => worker.terminate();
  }, []);
  return status;
}

/** Loads MNIST once, keeping only the counts (the images themselves are not needed yet). */
function useMnistStatus(): DataStatus {
  const [status, setStatus] = useState<DataStatus>({ state: 'loading', percent: null });
  useEffect(() => {
    const abort = new AbortController();
    const onProgress = (p: LoadProgress): void => {
      const percent = p.totalBytes ? Math.floor((100 * p.loadedBytes) / p.totalBytes) : null;
      setStatus((s) => (s.state === 'loading' && s.percent === percent ? s : { state: 'loading', percent }));
    };
    loadMnistBrowser(undefined, onProgress, { signal: abort.signal }).then(
      (split) => setStatus({ state: 'done', train: split.train.count, test: split.test.count }),
      (e: unknown) => {
        if (!abort.signal.aborted) setStatus({ state: 'error', message: e instanceof Error ? e.message : String(e) });
      },
    );
    return () => abort.abort();
  }, []);
  return status;
}

function gpuText(s: GpuStatus): string {
  switch (s.state) {
    case 'detecting':
      return 'Detecting WebGPU…';
    case 'done':
      if (!s.adapter.available) return 'No WebGPU adapter';
      return `WebGPU adapter: ${s.adapter.description}${s.adapter.isFallbackAdapter ? ' (software fallback)' : ''}`;
    case 'error':
      return `WebGPU detection failed: ${s.message}`;
  }
}

function dataText(s: DataStatus): string {
  switch (s.state) {
    case 'loading':
      return s.percent === null ? 'Loading MNIST…' : `Loading MNIST… ${s.percent}%`;
    case 'done':
      return `MNIST: ${s.train} training / ${s.test} test images`;
    case 'error':
      return `MNIST failed to load: ${s.message}`;
  }
}

/** Colour key for a status line: no adapter is a warning (tfjs falls back to WebGL or cpu), not a failure. */
function stateOf(s: GpuStatus | DataStatus, ok: boolean): 'pending' | 'ok' | 'warn' | 'error' {
  if (s.state === 'error') return 'error';
  return s.state === 'done' ? (ok ? 'ok' : 'warn') : 'pending';
}

/** Root component. */
export function App() {
  const gpu = useWebGpuStatus();
  const data = useMnistStatus();
  return (
    <main>
      <h1>INQ Playground</h1>
      <p className="lede">Incremental Network Quantization: weights become powers of two, a portion at a time, while the rest re-train.</p>
      <p className="status" role="status" data-testid="webgpu-status" data-state={stateOf(gpu, gpu.state === 'done' && gpu.adapter.available)}>
        {gpuText(gpu)}
      </p>
      <p className="status" role="status" data-testid="data-status" data-state={stateOf(data, true)}>
        {dataText(data)}
      </p>
      <p className="credit">MNIST by Yann LeCun, Corinna Cortes and Christopher J.C. Burges.</p>
    </main>
  );
}
