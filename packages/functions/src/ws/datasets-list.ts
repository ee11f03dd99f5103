import { listDatasets } from '@cascade/core';
import { route } from './route';

export const handler = route('datasets.list', (request, { deps, caller }) =>
  listDatasets(deps, caller, request.messageId),
);
