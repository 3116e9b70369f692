/** Page entry: the store from the URL hash, the one InqClient (its worker holds tfjs), the hash kept in sync, then the app. */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.tsx';
import { ClientContext } from './views/clientContext.ts';
import { createPlaygroundStore, setPageStore, type PlaygroundStore } from './store/store.ts';
import { DEFAULT_PLAYGROUND_CONFIG } from './store/types.ts';
import { decodeHash, encodeHash } from './store/url.ts';
import { InqClient, pretrainedUrls } from './worker/client.ts';
import { SweepDriver, setPageSweep } from './store/sweepDriver.ts';
import { createSweepStore, setPageSweepStore, type SweepStore } from './store/sweepStore.ts';
import { SavedRuns, setPageRuns } from './store/runsStore.ts';
import './index.css';

declare global {
  interface Window {
    /** Test hook: the page's worker client and store, for end-to-end tests (not an API). */
    __inq?: { client: InqClient; store: PlaygroundStore; sweep: SweepStore };
  }
}

const initial = decodeHash(location.hash);
const sweepStore = createSweepStore();
const store = createPlaygroundStore(initial.config, initial.errors);
setPageStore(store);

const base = import.meta.env.BASE_URL;
const client = new InqClient(store, pretrainedUrls(store.getState().config.pretrained, base));
client.init();
window.__inq = { client, store, sweep: sweepStore };

// Sweeps (bit-widths, ensembles) run one normal run after another through the same client.
setPageSweepStore(sweepStore);
setPageSweep(new SweepDriver(store, client, sweepStore));

// Runs are saved in IndexedDB as their rounds complete (src/store/runsPersist.ts); the runs panel reads them back.
setPageRuns(new SavedRuns(store, client));

// The hash follows the configuration (replaceState: settings changes do not pile up in history).
store.subscribe((s, prev) => {
  if (s.config === prev.config) return;
  const hash = `#${encodeHash(s.config)}`;
  if (location.hash !== hash) history.replaceState(history.state, '', hash);
});

// A hand-edited or pasted link: read it again; fields it leaves out go back to their defaults.
window.addEventListener('hashchange', () => {
  const s = store.getState();
  if (location.hash === `#${encodeHash(s.config)}`) return;
  const { config, errors } = decodeHash(location.hash);
  const next = { ...DEFAULT_PLAYGROUND_CONFIG, ...config };
  const backendChanged = next.backend !== s.config.backend;
  const modelChanged = next.pretrained !== s.config.pretrained;
  s.setConfig(next);
  s.setSchedule(next.schedule);
  store.setState({ urlErrors: errors });
  if (modelChanged && s.status !== 'running' && s.status !== 'paused') client.usePretrained(next.pretrained, base);
  else if (backendChanged && s.status !== 'running' && s.status !== 'paused') client.init(next.backend);
});

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');
createRoot(root).render(
  <StrictMode>
    <ClientContext value={client}>
      <App />
    </ClientContext>
  </StrictMode>,
);
