import { getExecution } from '@cascade/core';
import { route } from './route';

export const handler = route('execution.get', (request, { deps, caller }) =>
  getExecution(deps, caller, request.payload.executionId, request.messageId),
);
