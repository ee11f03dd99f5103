import { createEngine } from '@cascade/analysis/engine';
import { dispatch } from '@cascade/core/agent/steps/dispatch';
import { parquetReader } from '@cascade/core/parquet';
import { provideAnalysisEngine, s3Client } from '../deps';
import { itemStep } from './handler';

// Lambda's /tmp holds 512 MB: the downloaded file (64 MB at most inline) and what a query spills.
provideAnalysisEngine(createEngine({ s3: s3Client, database: { querySpillLimit: '256MB' } }));

/**
 * Dispatch: validate the tool call, run light tools and small analyses inline, prepare larger
 * jobs for the task. describe_dataset reads a Parquet dataset's first rows for examples.
 */
export const handler = itemStep(dispatch, {
  parquet: parquetReader,
  count: ({ route }) => ({
    ToolRunsInline: Number(route === 'inline'),
    ToolRunsTask: Number(route === 'task'),
  }),
});
