import { traceItem } from '@cascade/core';
import { route } from './route';

export const handler = route('execution.trace', (request, { deps, caller }) =>
  traceItem(deps, caller, request.payload, request.messageId),
);
