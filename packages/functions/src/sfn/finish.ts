import { finishRun } from '@cascade/core/agent/steps/finish';
import type { RunInput } from '@cascade/core/agent/steps/state';
import { agentDeps } from '../deps';
import { lambdaHandler } from '../observability';

/** Finish: settle the items, choose the final status, answer the user once. */
export const handler = lambdaHandler((input: RunInput) => finishRun(agentDeps(), input), {
  correlate: ({ executionId }) => ({ executionId }),
  count: ({ status }) => ({
    RunsSucceeded: Number(status === 'SUCCEEDED'),
    RunsPartial: Number(status === 'PARTIAL'),
    RunsFailed: Number(status === 'FAILED'),
  }),
});
