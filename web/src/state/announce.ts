import type { ExecutionStatus } from '@cascade/core/protocol';
import { type Run, runEnded } from './chat';

/** What was last said about a run, so the next update says only what changed. */
export interface Announced {
  executionId: string;
  status: ExecutionStatus;
  /** The last quarter reached (1 = 25 %, 2 = 50 %, 3 = 75 %). */
  quarter: number;
}

const endings: Record<Exclude<ExecutionStatus, 'RUNNING'>, string> = {
  SUCCEEDED: 'finished',
  PARTIAL: 'finished with failures',
  FAILED: 'failed',
  ABORTED: 'was cancelled',
  TIMED_OUT: 'timed out',
};

const quarterOf = (run: Run) =>
  run.total === 0 ? 0 : Math.min(3, Math.floor((4 * run.completed) / run.total));

/**
 * The sentence a screen reader should hear about `run` given what it heard before: its start, each
 * quarter of a batch (25, 50, 75 %) and its end — never a repeat, never every item. A run first seen
 * already ended (history) says nothing.
 */
export function runAnnouncement(
  before: Announced | undefined,
  run: Run,
): { text?: string; announced: Announced } {
  const batch = run.total > 1;
  const announced = { executionId: run.executionId, status: run.status, quarter: quarterOf(run) };
  const what = batch ? `Batch of ${run.total} items` : 'Your question';
  const fresh = before?.executionId !== run.executionId;
  if (runEnded(run.status)) {
    if (fresh || before.status === run.status) return { announced };
    const counts = batch
      ? `: ${run.completed} of ${run.total} done${run.failed ? `, ${run.failed} failed` : ''}`
      : '';
    return { text: `${what} ${endings[run.status as keyof typeof endings]}${counts}.`, announced };
  }
  if (fresh)
    return {
      text: batch
        ? `${what} started${run.completed ? `, ${run.completed} done so far` : ''}.`
        : 'Working on your question.',
      announced,
    };
  if (batch && announced.quarter > before.quarter && announced.quarter > 0)
    return { text: `${what}: ${announced.quarter * 25} % done.`, announced };
  return { announced: { ...announced, quarter: Math.max(announced.quarter, before.quarter) } };
}
