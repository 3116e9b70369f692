/**
 * Module worker that asks for a WebGPU adapter and posts back its summary. It lives in a worker
 * because src/model/backend.ts imports tfjs, which must stay off the main thread.
 */
import { describeAdapter, probeAdapter, type AdapterSummary } from '../model/backend.ts';

/** The one message this worker sends. */
export type AdapterProbeMessage = { kind: 'adapter'; adapter: AdapterSummary } | { kind: 'error'; message: string };

const post = (msg: AdapterProbeMessage): void => self.postMessage(msg);

probeAdapter().then(
  (adapter) => post({ kind: 'adapter', adapter: describeAdapter(adapter) }),
  (e: unknown) => post({ kind: 'error', message: e instanceof Error ? e.message : String(e) }),
);
