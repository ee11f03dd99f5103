import { withCorrelation } from '@cascade/core';
import { finishRun } from '@cascade/core/agent/steps/finish';
import type { RunInput } from '@cascade/core/agent/steps/state';
import { agentDeps } from '../deps';

/** Finish: settle the items, choose the final status, answer the user once. */
export const handler = (input: RunInput) =>
  withCorrelation({ executionId: input.executionId }, () => finishRun(agentDeps(), input));
