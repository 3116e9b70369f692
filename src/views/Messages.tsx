/** Banners: the run's error or notice (with ways to carry on), malformed-link notices, and the loading state. */
import { usePlayground } from '../store/store.ts';
import { useInqClient } from './clientContext.ts';

/** Errors and device loss, with "Continue on WebGL / wasm / CPU" when the run can carry on elsewhere (wasm: the fast CPU path, ~170× the pure-JS cpu backend). */
export function MessageBanner() {
  const client = useInqClient();
  const message = usePlayground((s) => s.message);
  const canContinue = usePlayground((s) => s.canContinue);
  const status = usePlayground((s) => s.status);
  const backend = usePlayground((s) => s.config.backend);
  if (!message) return null;
  return (
    <div className="banner banner-error" role="alert">
      <p>{message}</p>
      <div className="banner-actions">
        {canContinue && (
          <>
            <button type="button" onClick={() => client.continueOn('webgl')}>
              Continue on WebGL
            </button>
            <button type="button" onClick={() => client.continueOn('wasm')} title="WebAssembly on the CPU: the fastest backend without a GPU">
              Continue on wasm
            </button>
            <button type="button" onClick={() => client.continueOn('cpu')} title="Pure JavaScript: slow, for when nothing else works">
              Continue on CPU
            </button>
          </>
        )}
        {status === 'error' && !canContinue && (
          <button type="button" onClick={() => client.init(backend)}>
            Restart the worker
          </button>
        )}
      </div>
    </div>
  );
}

/** What was wrong with the link's settings (those fields fell back to defaults); dismissible. */
export function UrlNotice() {
  const errors = usePlayground((s) => s.urlErrors);
  const dismiss = usePlayground((s) => s.dismissUrlErrors);
  if (errors.length === 0) return null;
  return (
    <div className="banner banner-notice" data-testid="url-errors">
      <p>Some settings in the link could not be used:</p>
      <ul>
        {errors.map((e, i) => (
          <li key={i}>{e}</li>
        ))}
      </ul>
      <button type="button" onClick={dismiss}>
        Dismiss
      </button>
    </div>
  );
}

/** Progress while the worker starts its backend, loads MNIST and the model. */
export function LoadingState() {
  const status = usePlayground((s) => s.status);
  const text = usePlayground((s) => s.loadingText);
  const fraction = usePlayground((s) => s.loadingFraction);
  if (status !== 'loading') return null;
  const now = fraction === null ? undefined : Math.round(100 * fraction);
  return (
    <div className="loading" role="progressbar" aria-label="Loading" aria-valuemin={0} aria-valuemax={100} aria-valuenow={now} aria-valuetext={text}>
      <span>{text}</span>
      <div className={`bar${now === undefined ? ' bar-indeterminate' : ''}`}>
        <div className="bar-fill" style={{ width: `${now ?? 100}%` }} />
      </div>
    </div>
  );
}
