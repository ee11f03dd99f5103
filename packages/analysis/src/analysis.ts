import type { S3Client } from '@aws-sdk/client-s3';
import {
  type AnalysisResult,
  CompareGroupsInput,
  EstimateEffectInput,
  effectMethods,
  FitRegressionInput,
  headlineMethods,
  ProfileInput,
  QueryDataInput,
} from '@cascade/core/contract';
import { z } from 'zod';
import type { DatabaseOptions } from './data/database';
import { withLocalData } from './data/source';
import { estimateEffect } from './engines/causal/estimate-effect';
import { compareGroups } from './engines/compare/compare-groups';
import { profileCsv } from './engines/profile/profile';
import type { QueryLimits } from './engines/query/limits';
import { queryData } from './engines/query/query-data';
import { fitRegression } from './engines/regression/fit-regression';

export type { AnalysisResult } from '@cascade/core/contract';

/** A job carries a tool's contract input less the dataset, which is the job's `data`. */
const noDataset = { datasetId: true } as const;

/** What to analyse: the tool, where the CSV is (a path or s3://bucket/key), and the tool's arguments. */
export const AnalysisRequest = z.discriminatedUnion('tool', [
  z.object({
    tool: z.literal('profile'),
    data: z.string().min(1),
    args: ProfileInput.omit(noDataset).optional(),
  }),
  z.object({
    tool: z.literal('estimate_effect'),
    data: z.string().min(1),
    // The command line can also run a subset of the estimators.
    args: EstimateEffectInput.omit(noDataset).extend({
      methods: z.array(z.enum(effectMethods)).min(1).optional(),
    }),
  }),
  z.object({ tool: z.literal('query_data'), data: z.string().min(1), args: QueryDataInput.omit(noDataset) }),
  z.object({
    tool: z.literal('compare_groups'),
    data: z.string().min(1),
    args: CompareGroupsInput.omit(noDataset),
  }),
  z.object({
    tool: z.literal('fit_regression'),
    data: z.string().min(1),
    args: FitRegressionInput.omit(noDataset),
  }),
]);
export type AnalysisRequest = z.infer<typeof AnalysisRequest>;

export interface AnalysisDependencies {
  /** Made only when the data lives in S3. */
  s3: () => S3Client;
  /** DuckDB's limits, and query_data's own (time, memory, temporary disk). */
  database?: DatabaseOptions & QueryLimits;
}

/** Runs one tool on one dataset, wherever the dataset lives. */
export async function runAnalysis(
  request: AnalysisRequest,
  deps: AnalysisDependencies,
): Promise<AnalysisResult> {
  const options = deps.database ?? {};
  return withLocalData(request.data, deps.s3, async (path) => {
    switch (request.tool) {
      case 'profile':
        return profileCsv(path, options);
      case 'estimate_effect': {
        const { method, methods, ...spec } = request.args;
        return estimateEffect(
          path,
          { ...spec, ...(methods && { methods }), ...(method && { headline: headlineMethods[method] }) },
          options,
        );
      }
      case 'query_data':
        return queryData(path, request.args, options);
      case 'compare_groups':
        return compareGroups(path, request.args, options);
      case 'fit_regression':
        return fitRegression(path, request.args, options);
    }
  });
}
