import type { EffectMethod, Filter } from '@cascade/core/contract';

export {
  type Balance,
  type EffectMethod as Method,
  type EffectResult,
  type Estimand,
  type Estimate,
  effectMethods as methods,
  type Overlap,
} from '@cascade/core/contract';

export interface EffectSpec {
  treatment: string;
  outcome: string;
  covariates?: readonly string[];
  /** Which estimators to run; all by default. */
  methods?: readonly EffectMethod[];
  /** The estimator the answer leads with; regression adjustment when it runs, else the first that does. */
  headline?: EffectMethod;
  /** Only the rows that meet these. */
  filters?: readonly Filter[];
}
