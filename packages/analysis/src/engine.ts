import type { AnalysisEngine } from '@cascade/core/agent/engine';
import { type AnalysisDependencies, AnalysisRequest, runAnalysis } from './analysis';
import { BadRequestError } from './errors';
import { toItemOutput } from './output/item-output';

/**
 * The analysis engine behind core's port: the Dispatch step runs it on datasets small enough to
 * answer at once, the same code the Fargate task runs on larger ones. Errors keep their codes.
 */
export function createEngine(deps: AnalysisDependencies): AnalysisEngine {
  return {
    async run(job) {
      const parsed = AnalysisRequest.safeParse(job);
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!;
        throw new BadRequestError(
          `The ${job.tool} request is invalid: ${issue.path.join('.') || 'input'}: ${issue.message}.`,
        );
      }
      const result = await runAnalysis(parsed.data, deps);
      return { result, output: toItemOutput(result) };
    },
  };
}
