/**
 * Times `run` in this process and prints {seconds, cpuSeconds, peakMb, result} as JSON. Each
 * worker runs in a fresh process, so the peak memory is the run's own.
 */
export async function measure(run: () => Promise<unknown>): Promise<void> {
  const start = performance.now();
  const cpuStart = process.cpuUsage();
  const result = await run();
  const seconds = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpuStart);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  process.stdout.write(
    JSON.stringify({ seconds, cpuSeconds, peakMb: process.resourceUsage().maxRSS / 1024, result }),
  );
}

/** The engine's options as the task passes them: ANALYSIS_MEMORY_LIMIT when set. */
export const engineOptions = () =>
  process.env.ANALYSIS_MEMORY_LIMIT ? { memoryLimit: process.env.ANALYSIS_MEMORY_LIMIT } : {};
