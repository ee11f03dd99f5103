import { concludeExecution } from '../../chat/conclude';
import { isFinal } from '../../repositories/executions';
import type { AgentDeps } from './deps';
import { settleUnfinished } from './item';

export interface EndedRun {
  /** The execution's name, which is the executionId. */
  executionId: string;
  status: 'FAILED' | 'TIMED_OUT' | 'ABORTED';
}

/**
 * The state machine ended without reaching Finish — it failed, timed out, or was stopped —
 * which Step Functions reports as an execution status change. The run is ended as such so the
 * user is told and the session is freed; a run that Finish or a cancel already ended is left.
 */
export async function settleEndedRun(deps: AgentDeps, ended: EndedRun): Promise<boolean> {
  const execution = await deps.executions.get(ended.executionId);
  if (!execution || isFinal(execution.status)) return false;
  const reasons = {
    FAILED: 'The run failed before this item finished.',
    TIMED_OUT: 'The run ran out of time before this item finished.',
    ABORTED: 'The run was stopped before this item finished.',
  };
  const items = await settleUnfinished(deps, execution, reasons[ended.status]);
  const succeeded = items.filter((i) => i.status === 'SUCCEEDED').length;
  const summary = {
    FAILED: `The run failed after ${succeeded} of ${items.length} items succeeded.`,
    TIMED_OUT: `The run ran out of time after ${succeeded} of ${items.length} items succeeded.`,
    ABORTED: `The run was stopped after ${succeeded} of ${items.length} items succeeded.`,
  }[ended.status];
  const { announced } = await concludeExecution(deps, ended.executionId, ended.status, summary);
  return announced;
}
