import { cancelExecution } from '@cascade/core';
import { route } from './route';

export const handler = route('execution.cancel', (request, { deps, caller }) =>
  cancelExecution(deps, caller, request.payload.executionId, request.messageId),
);
