import { listLocks } from '@cascade/core';
import { route } from './route';

export const handler = route('locks.list', (request, { deps, caller }) =>
  listLocks(deps, caller, request.messageId),
);
