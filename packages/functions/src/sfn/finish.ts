import { finishRun, type RunInput, withCorrelation } from '@cascade/core';
import { agentDeps } from '../deps';

/** Finish: settle the items, choose the final status, answer the user once. */
export const handler = (input: RunInput) =>
  withCorrelation({ executionId: input.executionId }, () => finishRun(agentDeps(), input));
