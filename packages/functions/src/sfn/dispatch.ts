import { dispatch } from '@cascade/core';
import { itemStep } from './handler';

/** Dispatch: validate the tool call, run light tools inline, prepare the analysis job. */
export const handler = itemStep(dispatch);
