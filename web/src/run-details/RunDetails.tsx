import { useId, useMemo, useState } from 'react';
import { formatDuration } from '../components/format';
import { type Run, runEnded } from '../state/chat';
import type { Chat } from '../state/useChat';
import { CostTable } from './CostTable';
import { ExecutionGraph } from './ExecutionGraph';
import { countGraph } from './graph';
import { ItemTimeline } from './ItemTimeline';
import { ItemTrace } from './ItemTrace';
import { useNow, useRunRefresh } from './useRunRefresh';

/** How the details ask the server: the run's whole state, and one item's full trace. */
export type RunInspector = Pick<Chat, 'refreshRun' | 'traceItem'>;

/** Opens and closes a run's details; the region it controls exists only while open. */
export function RunDetailsButton({
  open,
  onToggle,
  controls,
}: {
  open: boolean;
  onToggle(): void;
  controls: string;
}) {
  return (
    <button
      type="button"
      className="button ghost small run-details-button"
      aria-expanded={open}
      {...(open && { 'aria-controls': controls })}
      onClick={onToggle}
    >
      Run details
    </button>
  );
}

function statusLine(run: Run, live: boolean): string {
  const items = `${run.total || run.order.length} ${run.total === 1 ? 'item' : 'items'}`;
  if (live) return `${items} · updating as the run works`;
  const started = run.startedAt ? Date.parse(run.startedAt) : Number.NaN;
  const ended = run.completedAt ? Date.parse(run.completedAt) : Number.NaN;
  const took = ended - started;
  return Number.isNaN(took) ? items : `${items} · ran for ${formatDuration(took)}`;
}

export interface RunDetailsProps {
  /** The region's id, which its button controls. */
  id: string;
  executionId: string;
  /** Absent until the server's record of a run not fetched yet arrives. */
  run: Run | undefined;
  inspect: RunInspector;
}

/**
 * What a run actually ran and what it cost: its items counted on the state machine's graph, a
 * timeline of their steps, and the cost estimate. Asked for when opened and kept current while
 * the run works; an item's full trace on demand.
 */
export function RunDetails({ id, executionId, run, inspect }: RunDetailsProps) {
  const refresh = useRunRefresh(executionId, run, inspect.refreshRun);
  const live = run !== undefined && !runEnded(run.status);
  const now = useNow(live);
  const [picked, setPicked] = useState<string>();
  const traceId = useId();
  const counts = useMemo(
    () => countGraph(run ? run.order.flatMap((itemId) => run.items[itemId] ?? []) : []),
    [run],
  );
  // A snapshot brings `startedAt`: until one is here there is nothing to draw.
  const recorded = run?.startedAt !== undefined;
  const pickedItem = picked ? run?.items[picked] : undefined;
  return (
    <section id={id} className="run-details" aria-label="Run details">
      {run && recorded && <p className="details-status">{statusLine(run, live)}</p>}
      {refresh.error && (
        <p className="item-error">{`The run's details could not be brought up to date: ${refresh.error}`}</p>
      )}
      {!run || !recorded ? (
        !refresh.error && <p className="muted small">Loading the run's details…</p>
      ) : (
        <>
          {run.stepsOmitted && (
            <p className="details-note">
              This batch is too large to send every item's steps at once, so the graph and the timeline show
              only what is known. Choose an item to see its steps.
            </p>
          )}
          <ExecutionGraph counts={counts} live={live} />
          <ItemTimeline
            run={run}
            live={live}
            now={now}
            {...(picked && { picked })}
            onPick={setPicked}
            traceId={traceId}
          />
          <div id={traceId} className="item-trace-holder">
            {picked && (
              <ItemTrace
                executionId={executionId}
                itemId={picked}
                {...(run.startedAt && { runStartedAt: run.startedAt })}
                version={`${pickedItem?.status}:${pickedItem?.trace?.length ?? 0}`}
                load={inspect.traceItem}
              />
            )}
          </div>
          <CostTable cost={run.cost} live={live} />
        </>
      )}
    </section>
  );
}

/** A button and the details it opens, one under the other: for a run shown as an answer. */
export function RunDetailsDisclosure({
  executionId,
  run,
  inspect,
}: {
  executionId: string;
  run: Run | undefined;
  inspect: RunInspector;
}) {
  const [open, setOpen] = useState(false);
  const id = useId();
  return (
    <div className="run-details-disclosure">
      <RunDetailsButton open={open} onToggle={() => setOpen((o) => !o)} controls={id} />
      {open && <RunDetails id={id} executionId={executionId} run={run} inspect={inspect} />}
    </div>
  );
}
