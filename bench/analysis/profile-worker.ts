// One timed profile in a fresh process, so its peak memory is its own: prints {seconds, cpuSeconds, peakMb, result}.
import { profileCsv } from '@cascade/analysis/engines/profile/profile';
import { engineOptions, measure } from './measure';

await measure(() => profileCsv(process.argv[2]!, engineOptions()));
