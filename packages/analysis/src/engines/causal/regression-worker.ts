// Run in a worker thread (see parallel/worker.ts): the regression adjustment beside the propensity model.
import { type RegressionMessage, regressionMessage } from './regression';

export function work({
  t,
  covariates,
  y,
}: {
  t: Float64Array;
  covariates: Float64Array[];
  y: Float64Array;
}): RegressionMessage {
  return regressionMessage(t, covariates, y);
}
