// One timed query_data in this process, as the query's own child process runs it: prints {seconds, cpuSeconds, peakMb, result}.
import { queryDataInProcess } from '@cascade/analysis/engines/query/run-query';
import { engineOptions, measure } from './measure';

// The statement's time limit (10 s for a person's question) raised: on 20M rows a busy machine's
// GROUP BY may take longer, and the bench measures its memory and time, not the limit.
await measure(() =>
  queryDataInProcess(process.argv[2]!, { sql: process.argv[3]! }, { ...engineOptions(), timeoutMs: 600_000 }),
);
