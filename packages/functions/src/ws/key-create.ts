import { createApiKey } from '@cascade/core';
import { route } from './route';

export const handler = route('key.create', (request, { deps, caller }) =>
  createApiKey(deps, caller, request.payload ?? {}, request.messageId),
);
