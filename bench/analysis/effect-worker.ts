// One timed OLS + IPW estimate in a fresh process: prints {seconds, cpuSeconds, peakMb, result}.
import { estimateEffect } from '@cascade/analysis/engines/causal/estimate-effect';
import { engineOptions, measure } from './measure';

const covariates = Array.from({ length: 10 }, (_, j) => `x${j + 1}`);
await measure(() =>
  estimateEffect(
    process.argv[2]!,
    {
      treatment: 'treat',
      outcome: 'outcome',
      covariates,
      methods: ['regression_adjustment', 'ipw_hajek', 'ipw_horvitz_thompson', 'ipw_att'],
    },
    engineOptions(),
  ),
);
