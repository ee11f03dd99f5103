// One timed OLS + IPW estimate in a fresh process: prints {seconds, peakMb, result}.
import { estimateEffect } from '../../packages/analysis/src/engines/causal/estimate-effect';

const covariates = Array.from({ length: 10 }, (_, j) => `x${j + 1}`);
const start = performance.now();
const result = await estimateEffect(process.argv[2]!, {
  treatment: 'treat',
  outcome: 'outcome',
  covariates,
  methods: ['regression_adjustment', 'ipw_hajek', 'ipw_horvitz_thompson', 'ipw_att'],
});
const seconds = (performance.now() - start) / 1000;
process.stdout.write(JSON.stringify({ seconds, peakMb: process.resourceUsage().maxRSS / 1024, result }));
