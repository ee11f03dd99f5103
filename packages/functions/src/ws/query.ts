import { startQuery } from '@cascade/core';
import { route } from './route';

/** `query`: ack, then the run streams `step`/`progress` and ends with `response`. */
export const handler = route('query', async (request, { deps, caller, reply }) => {
  await startQuery(deps, caller, request, reply);
  return undefined;
});
