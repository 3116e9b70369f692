/** Dashboard (every view) or Teach (one screen for a class): two buttons, the current one pressed; the choice is in the link (`view=`). */
import { usePlayground } from '../store/store.ts';

export function ViewSwitch() {
  const view = usePlayground((s) => s.config.view);
  const setConfig = usePlayground((s) => s.setConfig);
  return (
    <div className="view-switch" role="group" aria-label="View">
      <button type="button" aria-pressed={view === 'dashboard'} onClick={() => setConfig({ view: 'dashboard' })}>
        Dashboard
      </button>
      <button type="button" aria-pressed={view === 'teach'} onClick={() => setConfig({ view: 'teach' })}>
        Teach
      </button>
    </div>
  );
}
