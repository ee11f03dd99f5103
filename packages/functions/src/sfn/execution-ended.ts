import { type EndedRun, settleEndedRun } from '@cascade/core/agent/steps/execution-ended';
import { agentDeps } from '../deps';
import { lambdaHandler } from '../observability';

/** EventBridge's "Step Functions Execution Status Change" event, the parts we read. */
export interface ExecutionStatusChange {
  detail: { name: string; status: string; error?: string | null; cause?: string | null };
}

const ended = new Set(['FAILED', 'TIMED_OUT', 'ABORTED']);

/** Ends the run in DynamoDB when the state machine stopped without reaching Finish. */
export const handler = lambdaHandler(
  async ({ detail: { name, status } }: ExecutionStatusChange) =>
    ended.has(status) &&
    settleEndedRun(agentDeps(), { executionId: name, status: status as EndedRun['status'] }),
  { correlate: ({ detail }) => ({ executionId: detail.name }) },
);
