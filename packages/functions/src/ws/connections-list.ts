import { listConnections } from '@cascade/core';
import { route } from './route';

export const handler = route('connections.list', (request, { deps, caller, connectionId }) =>
  listConnections(deps, caller, connectionId, request.messageId),
);
