import { CollinearityError } from './least-squares';
import { hc1StandardError, ols } from './ols';

export interface RegressionAdjustment {
  estimate: number;
  se: number;
  seHc1: number;
  df: number;
}

/** The outcome regressed on an intercept, the treatment and the covariates: the treatment's coefficient and errors. */
export function regressionAdjustment(
  t: Float64Array,
  covariates: readonly Float64Array[],
  y: Float64Array,
): RegressionAdjustment {
  const design = [new Float64Array(y.length).fill(1), t, ...covariates];
  const fit = ols(design, y);
  return {
    estimate: fit.coefficients[1]!,
    se: fit.se[1]!,
    seHc1: hc1StandardError(design, fit, 1),
    df: fit.df,
  };
}

/** What a worker posts back: the adjustment, or the design column that was collinear. */
export type RegressionMessage = { ok: RegressionAdjustment } | { collinear: number };

export function regressionMessage(
  t: Float64Array,
  covariates: readonly Float64Array[],
  y: Float64Array,
): RegressionMessage {
  try {
    return { ok: regressionAdjustment(t, covariates, y) };
  } catch (error) {
    if (error instanceof CollinearityError) return { collinear: error.column };
    throw error;
  }
}

export function fromMessage(message: RegressionMessage): RegressionAdjustment {
  if ('collinear' in message) throw new CollinearityError(message.collinear);
  return message.ok;
}
