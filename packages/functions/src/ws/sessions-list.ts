import { listSessions } from '@cascade/core';
import { route } from './route';

export const handler = route('sessions.list', (request, { deps, caller }) =>
  listSessions(deps, caller, request.payload ?? {}, request.messageId),
);
