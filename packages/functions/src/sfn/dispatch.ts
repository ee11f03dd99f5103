import { createEngine } from '@cascade/analysis/engine';
import { dispatch } from '@cascade/core';
import { provideAnalysisEngine, s3Client } from '../deps';
import { itemStep } from './handler';

provideAnalysisEngine(createEngine({ s3: s3Client }));

/** Dispatch: validate the tool call, run light tools and small analyses inline, prepare larger jobs for the task. */
export const handler = itemStep(dispatch);
