// One timed OLS + IPW estimate in a fresh process: prints {seconds, cpuSeconds, peakMb, result}.
import { estimateEffect } from '../../packages/analysis/src/engines/causal/estimate-effect';

const covariates = Array.from({ length: 10 }, (_, j) => `x${j + 1}`);
const start = performance.now();
const cpuStart = process.cpuUsage();
const result = await estimateEffect(process.argv[2]!, {
  treatment: 'treat',
  outcome: 'outcome',
  covariates,
  methods: ['regression_adjustment', 'ipw_hajek', 'ipw_horvitz_thompson', 'ipw_att'],
});
const seconds = (performance.now() - start) / 1000;
const cpu = process.cpuUsage(cpuStart);
const cpuSeconds = (cpu.user + cpu.system) / 1e6;
process.stdout.write(
  JSON.stringify({ seconds, cpuSeconds, peakMb: process.resourceUsage().maxRSS / 1024, result }),
);
