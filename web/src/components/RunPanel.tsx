import type { ExecutionStatus, ItemStatus } from '@cascade/core/protocol';
import { type ReactNode, useId, useState } from 'react';
import { RunDetails, RunDetailsButton, type RunInspector } from '../run-details/RunDetails';
import type { Run, RunItem, Step } from '../state/chat';
import { liveText, runEnded } from '../state/chat';
import { OutputView, StreamedText } from './Answer';
import { formatDuration } from './format';
import { sourceText, tokensTotal } from './usage';

const runLabels: Record<ExecutionStatus, string> = {
  RUNNING: 'Running',
  SUCCEEDED: 'Succeeded',
  PARTIAL: 'Partly succeeded',
  FAILED: 'Failed',
  ABORTED: 'Cancelled',
  TIMED_OUT: 'Timed out',
};

const itemIcons: Record<ItemStatus, string> = { PENDING: '○', RUNNING: '', SUCCEEDED: '✓', FAILED: '✕' };
const itemLabels: Record<ItemStatus, string> = {
  PENDING: 'Waiting',
  RUNNING: 'Running',
  SUCCEEDED: 'Succeeded',
  FAILED: 'Failed',
};

export const percentOf = (run: Pick<Run, 'completed' | 'total'>) =>
  run.total === 0 ? 0 : Math.round((100 * run.completed) / run.total);

function StepChip({ step }: { step: Step }) {
  const mark = step.status === 'succeeded' ? '✓' : step.status === 'failed' ? '✕' : '…';
  return (
    <li className={`step step-${step.status}`} title={step.detail}>
      {step.name.replace(/_/g, ' ')} <span aria-hidden="true">{mark}</span>
      <span className="visually-hidden">{step.status}</span>
    </li>
  );
}

function ItemRow({ item, withOutput, live }: { item: RunItem; withOutput: boolean; live?: string }) {
  const running = item.status === 'PENDING' || item.status === 'RUNNING';
  return (
    <li className={`item item-${item.status.toLowerCase()}`} data-item-id={item.id} data-status={item.status}>
      <div className="item-head">
        <span className={`item-icon icon-${item.status.toLowerCase()}`} aria-hidden="true">
          {itemIcons[item.status]}
        </span>
        <span className="item-id">{item.id}</span>
        <span className="visually-hidden">{itemLabels[item.status]}</span>
        {item.input && <span className="item-input">{item.input}</span>}
        <span className="item-duration">{formatDuration(item.durationMs)}</span>
      </div>
      {item.steps.length > 0 && (
        <ol className="steps" aria-label={`Steps of ${item.id}`}>
          {item.steps.map((step, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: a step may repeat; its place is its identity
            <StepChip key={i} step={step} />
          ))}
        </ol>
      )}
      {item.error && <p className="item-error">{item.error}</p>}
      {withOutput && running && (
        // Present while the item runs, so a screen reader hears its text as it arrives.
        <div className="item-live" aria-live="polite">
          {live && <StreamedText text={live} />}
        </div>
      )}
      {withOutput && item.output && (
        <details className="item-output">
          <summary>Show answer</summary>
          <OutputView output={item.output} />
          {item.datasets && <p className="answered-by">{sourceText(item.datasets)}</p>}
        </details>
      )}
    </li>
  );
}

/** What a batch's progress says: finished, running, failed — or, cancelled, how far it got. */
export function progressText(run: Run, items: RunItem[]): string {
  const answered = items.filter((i) => i.status === 'SUCCEEDED').length;
  const runningNow = items.filter((i) => i.status === 'RUNNING').length;
  const failed = run.failed > 0 ? ` · ${run.failed} failed` : '';
  if (run.status === 'ABORTED') return `Cancelled · ${answered} of ${run.total} answered before it stopped`;
  if (runEnded(run.status)) return `${run.completed} of ${run.total} done${failed}`;
  return `${run.completed} of ${run.total} done · ${runningNow} running${failed} · ${percentOf(run)} %`;
}

/** A single question's run: what it is doing and for how long; nothing that only counts to one. */
function SingleRun({
  run,
  item,
  cancel,
  details,
}: {
  run: Run;
  item: RunItem | undefined;
  cancel: ReactNode;
  details: { button: ReactNode; region: ReactNode };
}) {
  return (
    <section
      className={`run run-single run-${run.status.toLowerCase()}`}
      aria-label="Run"
      {...(item && { 'data-status': item.status })}
    >
      <header className="run-head">
        <h2>Steps</h2>
        <span className={`badge badge-${run.status.toLowerCase()}`}>{runLabels[run.status]}</span>
        {item?.durationMs !== undefined && (
          <span className="item-duration">{formatDuration(item.durationMs)}</span>
        )}
        {details.button}
        {cancel}
      </header>
      {item && item.steps.length > 0 && (
        <ol className="steps" aria-label="Steps">
          {item.steps.map((step, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: a step may repeat; its place is its identity
            <StepChip key={i} step={step} />
          ))}
        </ol>
      )}
      {item?.error && <p className="item-error">{item.error}</p>}
      {details.region}
    </section>
  );
}

export interface RunPanelProps {
  run: Run;
  onCancel: (executionId: string) => void;
  /** How its details ask the server; without it there are no details to open. */
  inspect?: RunInspector;
}

/**
 * The latest run of the session: progress, every item with its steps, a way to stop it, and its
 * details (graph, timeline, cost).
 */
export function RunPanel({ run, onCancel, inspect }: RunPanelProps) {
  const running = !runEnded(run.status);
  const [detailsOpen, setDetailsOpen] = useState(false);
  const detailsId = useId();
  const details = {
    button: inspect && (
      <RunDetailsButton open={detailsOpen} onToggle={() => setDetailsOpen((o) => !o)} controls={detailsId} />
    ),
    region: inspect && detailsOpen && (
      <RunDetails id={detailsId} executionId={run.executionId} run={run} inspect={inspect} />
    ),
  };
  // "Cancelling…" from the press until the run ends: the stop takes a moment to arrive.
  const [cancelling, setCancelling] = useState<string>();
  const items = run.order.map((id) => run.items[id]!).filter(Boolean);
  const batch = items.length > 1 || run.total > 1;
  const cancel = running && (
    <button
      type="button"
      className="button secondary small"
      aria-disabled={cancelling === run.executionId}
      onClick={() => {
        if (cancelling === run.executionId) return;
        setCancelling(run.executionId);
        onCancel(run.executionId);
      }}
    >
      {cancelling === run.executionId ? 'Cancelling…' : 'Cancel run'}
    </button>
  );
  if (!batch) return <SingleRun run={run} item={items[0]} cancel={cancel} details={details} />;

  const percent = percentOf(run);
  const inProgress = items.filter((i) => i.status === 'RUNNING').length;
  const runningPercent = run.total === 0 ? 0 : Math.round((100 * inProgress) / run.total);
  const tokens = tokensTotal(run.usage);
  const text = progressText(run, items);
  return (
    <section className={`run run-${run.status.toLowerCase()}`} aria-label="Run">
      {/* Stays in view while the items scroll under it. */}
      <div className="run-sticky">
        <header className="run-head">
          <h2>{`Batch of ${run.total || items.length} items`}</h2>
          <span className={`badge badge-${run.status.toLowerCase()}`}>{runLabels[run.status]}</span>
          {details.button}
          {cancel}
        </header>
        <div
          className="progress"
          role="progressbar"
          aria-label="Run progress"
          aria-valuemin={0}
          aria-valuemax={run.total}
          aria-valuenow={run.completed}
          aria-valuetext={text}
        >
          <div className={`progress-bar${running ? ' live' : ''}`} style={{ width: `${percent}%` }} />
          {running && inProgress > 0 && (
            <div
              className="progress-running"
              style={{ width: `${Math.min(runningPercent, 100 - percent)}%` }}
            />
          )}
        </div>
        <p className="progress-text">
          {text}
          {tokens && ` · ${tokens}`}
        </p>
      </div>
      {details.region}
      <ul className="items" aria-label="Items">
        {items.map((item) => (
          <ItemRow key={item.id} item={item} withOutput={batch} live={liveText(run, item)} />
        ))}
      </ul>
    </section>
  );
}
