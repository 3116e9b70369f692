/**
 * Saved runs: the table (name, date, bits, schedule, final accuracy, packed size, status) with
 * rename, delete, open, continue and compare; and the banner that says when saving failed or when a
 * run was interrupted by a reload.
 */
import { useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { formatSchedule } from '../inq/schedule.ts';
import { MAX_RUN_NAME, type RunMeta } from '../store/runsDb.ts';
import { canContinueRun, getPageRuns, pageIsIdle, useRuns } from '../store/runsStore.ts';
import { usePlayground } from '../store/store.ts';
import { isRunActive } from '../store/types.ts';
import { kB, pct, plusMinus } from './format.ts';
import { entryFinal, isRepeat, runEntries, type RunEntry } from './compareData.ts';

// One formatter for every row: toLocaleString builds a new one per call, about a millisecond each here.
const DATE_FORMAT = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' });
const dateText = (t: number): string => DATE_FORMAT.format(t);

function statusText(r: RunMeta, live: boolean): string {
  const of = `${r.completedRounds}/${r.config.schedule.length} rounds`;
  switch (r.status) {
    case 'done':
      return 'done';
    case 'running':
      return live ? `running · ${of}` : `running elsewhere · ${of}`;
    case 'interrupted':
      return `interrupted · ${of}`;
    case 'cancelled':
      return `cancelled · ${of}`;
    case 'error':
      return `failed · ${of}`;
  }
}

/** The run's name as an inline field: Enter or leaving it saves, Escape puts the old name back. */
function RunName({ run }: { run: RunMeta }) {
  const [draft, setDraft] = useState(run.name);
  const escaped = useRef(false);
  const commit = (): void => {
    if (escaped.current || draft.trim() === run.name) {
      escaped.current = false;
      setDraft(run.name);
      return;
    }
    // Refused (empty, or the database said no): the saved name stays and comes back into the field.
    void getPageRuns()
      .rename(run.id, draft)
      .then((ok) => {
        if (!ok) setDraft(run.name);
      });
  };
  const onKey = (e: KeyboardEvent<HTMLInputElement>): void => {
    if (e.key === 'Enter') e.currentTarget.blur();
    else if (e.key === 'Escape') {
      escaped.current = true;
      e.currentTarget.blur();
    }
  };
  return (
    <input
      className="run-name"
      type="text"
      aria-label={`Name of run ${run.name}`}
      value={draft}
      maxLength={MAX_RUN_NAME}
      aria-invalid={draft.trim() === ''}
      onChange={(e) => setDraft(e.target.value)}
      onBlur={commit}
      onKeyDown={onKey}
    />
  );
}

/** The row's delete, asked once more: Yes deletes, the other button keeps; either closes the question. */
function ConfirmDelete({ name, question, keep, onDelete, close }: { name: string; question: string; keep: string; onDelete: () => void; close: () => void }) {
  return (
    <div className="buttons confirm" role="group" aria-label={`Confirm deleting ${name}`}>
      <span>{question}</span>
      <button
        type="button"
        className="danger"
        onClick={() => {
          close();
          onDelete();
        }}
      >
        Yes, delete
      </button>
      <button type="button" onClick={close}>
        {keep}
      </button>
    </div>
  );
}

/** One saved run's row. */
function RunRow({ run, compared, confirming, setConfirming }: { run: RunMeta; compared: boolean; confirming: boolean; setConfirming: (id: string | null) => void }) {
  const runs = getPageRuns();
  const idle = usePlayground(pageIsIdle);
  const shown = usePlayground((s) => s.runId === run.id);
  const live = usePlayground((s) => s.runId === run.id && isRunActive(s.status));
  const busy = useRuns((s) => s.busy);
  const notIdle = idle ? undefined : 'Wait until nothing is running or loading';
  return (
    <tr data-run-name={run.name} data-status={run.status} data-rounds={run.completedRounds} data-shown={shown || undefined} className={shown ? 'run-shown' : undefined}>
      <td>
        <input type="checkbox" aria-label={`Compare ${run.name}`} checked={compared} onChange={(e) => runs.setCompared(run.id, e.target.checked)} />
      </td>
      <td>
        {/* Keyed by the saved name: a rename elsewhere refreshes the field. */}
        <RunName key={run.name} run={run} />
        {shown && <span className="sub">shown above</span>}
      </td>
      <td className="run-date">
        <time dateTime={new Date(run.createdAt).toISOString()}>{dateText(run.createdAt)}</time>
      </td>
      <td className="num">{run.config.bits}</td>
      <td>{formatSchedule(run.config.schedule)}</td>
      <td className="num">{run.finalAccuracy !== null ? pct(run.finalAccuracy, 2) : '—'}</td>
      <td className="num">{run.packedBytes !== null ? kB(run.packedBytes) : '—'}</td>
      <td className={`run-status run-status-${run.status}`} title={run.error ?? undefined}>
        {statusText(run, live)}
      </td>
      <td>
        {confirming ? (
          <ConfirmDelete name={run.name} question="Delete with its rounds?" keep="Keep it" onDelete={() => void runs.remove(run.id)} close={() => setConfirming(null)} />
        ) : (
          <div className="buttons">
            <button type="button" aria-label={`Open ${run.name}`} disabled={!idle || busy !== null} title={notIdle ?? 'Show its rounds in every view'} onClick={() => void runs.open(run.id)}>
              Open
            </button>
            {canContinueRun(run) && (
              <button
                type="button"
                aria-label={`Continue ${run.name}`}
                disabled={!idle || busy !== null}
                title={notIdle ?? `Train on from round ${run.completedRounds + 1}`}
                onClick={() => void runs.continueRun(run.id)}
              >
                Continue
              </button>
            )}
            <button type="button" aria-label={`Delete ${run.name}`} disabled={live} title={live ? 'Stop the run first' : undefined} onClick={() => setConfirming(run.id)}>
              Delete
            </button>
          </div>
        )}
      </td>
    </tr>
  );
}

/**
 * A repeat (one configuration from N seeds) as one row: ticked, compared and deleted as one; its
 * final accuracy is the mean over the finished seeds with the 95 % t interval; each seed's run can
 * still be opened on its own.
 */
function RepeatRow({ entry, compared, confirming, setConfirming }: { entry: RunEntry; compared: boolean; confirming: boolean; setConfirming: (id: string | null) => void }) {
  const runs = getPageRuns();
  const idle = usePlayground(pageIsIdle);
  const shownId = usePlayground((s) => (entry.runs.some((r) => r.id === s.runId) ? s.runId : null));
  const live = usePlayground((s) => entry.runs.some((r) => r.id === s.runId) && isRunActive(s.status));
  const busy = useRuns((s) => s.busy);
  const first = entry.runs[0];
  const f = entryFinal(entry);
  const done = entry.runs.filter((r) => r.status === 'done').length;
  const status = live ? `running · seed ${entry.runs.length} of ${entry.of}` : `${done}/${entry.of} seeds done`;
  return (
    <tr data-run-name={entry.name} data-repeat={entry.of} data-status={done === entry.of ? 'done' : live ? 'running' : 'partial'} className={shownId ? 'run-shown' : undefined}>
      <td>
        <input type="checkbox" aria-label={`Compare ${entry.name}`} checked={compared} onChange={(e) => runs.setCompared(entry.id, e.target.checked)} />
      </td>
      <td>
        <span className="run-name-text">{entry.name}</span>
        <span className="sub">repeat: seeds {entry.runs.map((r) => r.config.seed).join(', ')}</span>
      </td>
      <td className="run-date">
        <time dateTime={new Date(first.createdAt).toISOString()}>{dateText(first.createdAt)}</time>
      </td>
      <td className="num">{first.config.bits}</td>
      <td>{formatSchedule(first.config.schedule)}</td>
      <td className="num" title={f.interval ? `mean of ${f.finals.length} seeds, 95 % t interval ${pct(f.interval[0], 2)} to ${pct(f.interval[1], 2)}` : undefined}>
        {f.mean === null ? '—' : `${pct(f.mean, 2)}${plusMinus(f.interval)}`}
      </td>
      <td className="num">{first.packedBytes !== null ? kB(first.packedBytes) : '—'}</td>
      <td className="run-status">{status}</td>
      <td>
        {confirming ? (
          <ConfirmDelete
            name={entry.name}
            question={`Delete its ${entry.runs.length} runs?`}
            keep="Keep them"
            onDelete={() => void runs.removeRepeat(entry.id)}
            close={() => setConfirming(null)}
          />
        ) : (
          <div className="buttons">
            {entry.runs.map((r) => (
              <button
                key={r.id}
                type="button"
                aria-label={`Open seed ${r.config.seed} of ${entry.name}`}
                disabled={!idle || busy !== null}
                title={idle ? `Show the seed-${r.config.seed} run (${r.name}) in every view` : 'Wait until nothing is running or loading'}
                className={r.id === shownId ? 'seed-shown' : undefined}
                onClick={() => void runs.open(r.id)}
              >
                seed {r.config.seed}
              </button>
            ))}
            <button type="button" aria-label={`Delete ${entry.name}`} disabled={live} title={live ? 'Stop the run first' : undefined} onClick={() => setConfirming(entry.id)}>
              Delete
            </button>
          </div>
        )}
      </td>
    </tr>
  );
}

/** The saved-runs card. */
export function RunsPanel() {
  const availability = useRuns((s) => s.availability);
  const all = useRuns((s) => s.runs);
  const list = useMemo(() => runEntries(all), [all]);
  const compare = useRuns((s) => s.compare);
  const problems = useRuns((s) => s.problems);
  const [confirming, setConfirming] = useState<string | null>(null);
  return (
    <section className="card runs-panel" aria-label="Saved runs">
      <h2>Saved runs</h2>
      <p className="explain">
        Every run is kept in this browser as its rounds complete, with its settings and, once done, its packed model. A reload or a closed tab loses at most
        the round in progress. Open a run to see it in every view, continue one that stopped early, or tick several to compare them.
      </p>
      {availability === 'opening' && <p className="hint">Opening the saved runs…</p>}
      {availability === 'unavailable' && <p className="hint">Runs cannot be saved in this browser window; see the message at the top.</p>}
      {availability === 'ready' && list.length === 0 && <p className="hint">No saved run yet: press Run and it appears here.</p>}
      {list.length > 0 && (
        <div className="table-scroll">
          <table className="mini-table runs-table" data-testid="runs-table" aria-label="Saved runs list">
            <thead>
              <tr>
                <th scope="col">Compare</th>
                <th scope="col">Name</th>
                <th scope="col">Date</th>
                <th scope="col" className="num">
                  Bits
                </th>
                <th scope="col">Schedule</th>
                <th scope="col" className="num">
                  Final accuracy
                </th>
                <th scope="col" className="num">
                  Packed size
                </th>
                <th scope="col">Status</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {list.map((e) =>
                isRepeat(e) ? (
                  <RepeatRow key={e.id} entry={e} compared={compare.includes(e.id)} confirming={confirming === e.id} setConfirming={setConfirming} />
                ) : (
                  <RunRow key={e.id} run={e.runs[0]} compared={compare.includes(e.id)} confirming={confirming === e.id} setConfirming={setConfirming} />
                ),
              )}
            </tbody>
          </table>
        </div>
      )}
      {problems.length > 0 && (
        <details className="runs-problems">
          <summary>
            {problems.length} saved record{problems.length === 1 ? '' : 's'} could not be read and {problems.length === 1 ? 'is' : 'are'} left out
          </summary>
          <ul>
            {problems.map((p) => (
              <li key={p}>{p}</li>
            ))}
          </ul>
        </details>
      )}
    </section>
  );
}

/** Banner: a saving problem, and runs a reload interrupted (with continue / open right there). */
export function SavedRunsNotice() {
  const notice = useRuns((s) => s.notice);
  const interrupted = useRuns((s) => s.interrupted);
  const busy = useRuns((s) => s.busy);
  const idle = usePlayground(pageIsIdle);
  const runs = getPageRuns();
  if (!notice && interrupted.length === 0) return null;
  return (
    <>
      {notice && (
        <div className="banner banner-error" role="alert" data-testid="runs-notice">
          <p>{notice}</p>
          <div className="banner-actions">
            <button type="button" aria-label="Dismiss the saved-runs message" onClick={() => runs.dismissNotice()}>
              Dismiss
            </button>
          </div>
        </div>
      )}
      {interrupted.length > 0 && (
        <div className="banner banner-notice" role="status" data-testid="interrupted-runs">
          {interrupted.slice(0, 3).map((r) => (
            <div key={r.id} className="interrupted-run">
              <p>
                “{r.name}” was interrupted when the page was reloaded or closed, after {r.completedRounds} of {r.config.schedule.length} rounds. Its completed
                rounds are saved: continue it from round {r.completedRounds + 1}, open it to look at them, or start a new run.
              </p>
              <div className="banner-actions">
                {canContinueRun(r) && (
                  <button type="button" className="primary" disabled={!idle || busy !== null} onClick={() => void runs.continueRun(r.id)}>
                    Continue “{r.name}”
                  </button>
                )}
                <button type="button" disabled={!idle || busy !== null} onClick={() => void runs.open(r.id)}>
                  Show “{r.name}”
                </button>
              </div>
            </div>
          ))}
          {interrupted.length > 3 && <p>…and {interrupted.length - 3} more in the Saved runs panel.</p>}
          <div className="banner-actions">
            <button type="button" aria-label="Dismiss the interrupted-run message" onClick={() => runs.dismissInterrupted()}>
              Dismiss
            </button>
          </div>
        </div>
      )}
    </>
  );
}
