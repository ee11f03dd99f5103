import type { S3Client } from '@aws-sdk/client-s3';
import { z } from 'zod';
import type { DatabaseOptions } from './data/database';
import { withLocalData } from './data/source';
import { estimateEffect } from './engines/causal/estimate-effect';
import { type EffectResult, methods } from './engines/causal/types';
import { profileCsv } from './engines/profile/profile';
import type { ProfileResult } from './engines/profile/types';
import { BadRequestError } from './errors';

export type AnalysisResult = ProfileResult | EffectResult;

/** What to analyse: the tool, where the CSV is (a path or s3://bucket/key), and the tool's arguments. */
export const AnalysisRequest = z.object({
  tool: z.enum(['profile', 'estimate_effect']),
  data: z.string().min(1),
  args: z
    .object({
      treatment: z.string().min(1).optional(),
      outcome: z.string().min(1).optional(),
      covariates: z.array(z.string().min(1)).optional(),
      methods: z.array(z.enum(methods)).optional(),
    })
    .optional(),
});
export type AnalysisRequest = z.infer<typeof AnalysisRequest>;

export interface AnalysisDependencies {
  /** Made only when the data lives in S3. */
  s3: () => S3Client;
  database?: DatabaseOptions;
}

/** Runs one tool on one dataset, wherever the dataset lives. */
export async function runAnalysis(
  request: AnalysisRequest,
  deps: AnalysisDependencies,
): Promise<AnalysisResult> {
  const { tool, data, args = {} } = request;
  return withLocalData(data, deps.s3, async (path) => {
    if (tool === 'profile') return profileCsv(path, deps.database);
    const { treatment, outcome, covariates, methods } = args;
    if (!treatment || !outcome)
      throw new BadRequestError('Estimating an effect needs a treatment column and an outcome column.');
    return estimateEffect(path, { treatment, outcome, covariates, methods }, deps.database);
  });
}
