import type { Coefficient } from '@cascade/core/contract';
import { normalInterval, normalTwoSidedP, tInterval, tTwoSidedP } from '../stats/inference';

/** A coefficient's statistic, two-sided p-value and 95 % interval: on t with `df` degrees of freedom, or the normal without. */
export function coefficient(term: string, estimate: number, se: number, df?: number): Coefficient {
  const statistic = estimate / se;
  return df === undefined
    ? { term, estimate, se, statistic, pValue: normalTwoSidedP(statistic), ci: normalInterval(estimate, se) }
    : { term, estimate, se, statistic, pValue: tTwoSidedP(statistic, df), ci: tInterval(estimate, se, df) };
}
