// One timed profile in a fresh process, so its peak memory is its own: prints {seconds, peakMb, result}.
import { profileCsv } from '../../packages/analysis/src/engines/profile/profile';

const start = performance.now();
const result = await profileCsv(process.argv[2]!);
const seconds = (performance.now() - start) / 1000;
process.stdout.write(JSON.stringify({ seconds, peakMb: process.resourceUsage().maxRSS / 1024, result }));
