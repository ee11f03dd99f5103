// One timed profile in a fresh process, so its peak memory is its own: prints {seconds, cpuSeconds, peakMb, result}.
import { profileCsv } from '../../packages/analysis/src/engines/profile/profile';

const start = performance.now();
const cpuStart = process.cpuUsage();
const result = await profileCsv(process.argv[2]!);
const seconds = (performance.now() - start) / 1000;
const cpu = process.cpuUsage(cpuStart);
const cpuSeconds = (cpu.user + cpu.system) / 1e6;
process.stdout.write(
  JSON.stringify({ seconds, cpuSeconds, peakMb: process.resourceUsage().maxRSS / 1024, result }),
);
