import { signOutEverywhere } from '@cascade/core';
import { route } from './route';

export const handler = route('signout.everywhere', (request, { deps, caller, reply }) =>
  signOutEverywhere(deps, caller, reply, request.messageId),
);
