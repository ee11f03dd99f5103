import {
  type IpwEstimate,
  type IpwInput,
  ipwAtt,
  ipwHajek,
  ipwHorvitzThompson,
  propensityInformation,
} from './ipw';
import { type Overlap, propensityOverlap } from './overlap';
import { Standardized } from './standardized';

/** The weighting estimators, in the order results list them. */
export const weightingMethods = ['ipw_hajek', 'ipw_horvitz_thompson', 'ipw_att'] as const;
export type WeightingMethod = (typeof weightingMethods)[number];

const estimators: Record<WeightingMethod, (input: IpwInput) => IpwEstimate> = {
  ipw_hajek: ipwHajek,
  ipw_horvitz_thompson: ipwHorvitzThompson,
  ipw_att: ipwAtt,
};

export interface WeightingRequest {
  y: Float64Array;
  t: Float64Array;
  /** Fitted propensities and the propensity model's design (a worker receives its fields). */
  e: Float64Array;
  design: Standardized;
  methods: WeightingMethod[];
  /** Whether to describe the propensities' overlap too. */
  overlap: boolean;
}

export interface WeightingResult {
  estimates: Partial<Record<WeightingMethod, IpwEstimate>>;
  overlap?: Overlap;
}

/**
 * The weighting estimators asked for, and the propensity overlap if asked: the part of an effect
 * estimate that needs only the fitted propensities, so on large data one share of it runs in a
 * worker thread (weighting-worker.ts) while this thread does the other.
 */
export function weighting({ y, t, e, design: sent, methods, overlap }: WeightingRequest): WeightingResult {
  const design = Standardized.from(sent);
  const result: WeightingResult = { estimates: {} };
  if (methods.length > 0) {
    // The propensity model's information is shared by every estimator's standard error.
    const input: IpwInput = { y, t, e, design, information: propensityInformation(design, e) };
    for (const method of methods) result.estimates[method] = estimators[method](input);
  }
  if (overlap) result.overlap = propensityOverlap(t, e);
  return result;
}
