import { listExecutions } from '@cascade/core';
import { route } from './route';

export const handler = route('executions.list', (request, { deps, caller }) =>
  listExecutions(deps, caller, request.payload ?? {}, request.messageId),
);
