import { sessionHistory } from '@cascade/core';
import { route } from './route';

export const handler = route('session.history', (request, { deps, caller }) => {
  const { sessionId, ...page } = request.payload;
  return sessionHistory(deps, caller, sessionId, page, request.messageId);
});
