import { listApiKeys } from '@cascade/core';
import { route } from './route';

export const handler = route('keys.list', (request, { deps, caller }) =>
  listApiKeys(deps, caller, request.messageId),
);
