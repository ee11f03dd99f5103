// One timed query_data in this process, as the query's own child process runs it: prints {seconds, cpuSeconds, peakMb, result}.
import { queryDataInProcess } from '../../packages/analysis/src/engines/query/run-query';
import { engineOptions, measure } from './measure';

await measure(() => queryDataInProcess(process.argv[2]!, { sql: process.argv[3]! }, engineOptions()));
