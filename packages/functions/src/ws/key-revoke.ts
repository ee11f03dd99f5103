import { revokeApiKey } from '@cascade/core';
import { route } from './route';

export const handler = route('key.revoke', (request, { deps, caller }) =>
  revokeApiKey(deps, caller, request.payload.keyId, request.messageId),
);
