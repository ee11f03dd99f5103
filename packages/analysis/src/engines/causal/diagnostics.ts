import { percent } from '../../output/format';
import type { Balance } from './balance';
import type { MatchingEstimate } from './matching';
import type { Overlap } from './overlap';

/** Thresholds behind the warnings, in one place. */
export const limits = {
  /** Fewer units than this in a group makes intervals unreliable. */
  smallGroup: 30,
  /** Share of units with propensity outside [0.05, 0.95] that counts as poor overlap. */
  extremeShare: 0.05,
  /** Share of units outside the common support worth mentioning. */
  outsideShare: 0.01,
  /** A weighted group that counts as fewer than this share of its units leans on a few. */
  effectiveShare: 0.2,
  /** One unit carrying more than this share of its group's weight dominates it. */
  maxWeightShare: 0.05,
  /** |SMD| above this after weighting is imbalance (the usual rule of thumb). */
  imbalance: 0.1,
  /** Share of treated units matched beyond the caliper worth mentioning. */
  beyondCaliperShare: 0.05,
};

export function groupSizeWarnings(treated: number, control: number): string[] {
  const warnings: string[] = [];
  for (const [label, count] of [
    ['treated', treated],
    ['untreated', control],
  ] as const)
    if (count < limits.smallGroup)
      warnings.push(
        `Only ${count} ${label} rows: estimates are imprecise and the intervals of weighting and matching, which rely on large samples, may be too narrow.`,
      );
  return warnings;
}

export function overlapWarnings(overlap: Overlap, n: number): string[] {
  const warnings: string[] = [];
  if (overlap.extreme / n > limits.extremeShare)
    warnings.push(
      `${overlap.extreme} rows (${percent(overlap.extreme / n)}) have propensity scores below 0.05 or above 0.95: the groups overlap poorly there, so weighting estimates lean on few rows. Consider restricting the data to comparable units or relying on the ATT estimates.`,
    );
  if (overlap.outsideSupport / n > limits.outsideShare)
    warnings.push(
      `${overlap.outsideSupport} rows (${percent(overlap.outsideSupport / n)}) have propensity scores outside the range the other group covers (${overlap.commonSupport.map((p) => p.toFixed(3)).join(' to ')}); no comparable units exist for them.`,
    );
  return warnings;
}

/** One group's weights, summed. */
export interface GroupWeights {
  group: number;
  sum: number;
  squares: number;
  largest: number;
  count: number;
}

/** The warning for one group's weights (Kish's effective sample size and the largest single share), if they are extreme. */
export function groupWeightWarnings(
  { group, sum, squares, largest, count }: GroupWeights,
  estimand: 'ATE' | 'ATT',
): string[] {
  const effective = (sum * sum) / squares;
  const label = group === 1 ? 'treated' : 'untreated';
  if (effective < limits.effectiveShare * count || largest / sum > limits.maxWeightShare)
    return [
      `Extreme ${estimand} weights: the ${count} ${label} rows count as only ${Math.round(effective)} after weighting, and the heaviest row carries ${percent(largest / sum)} of the weight. Weighting estimates are fragile here; trim extreme propensities or compare with matching.`,
    ];
  return [];
}

export function balanceWarnings(balance: readonly Balance[]): string[] {
  const imbalanced = balance.filter((b) => b.smdAfter !== null && Math.abs(b.smdAfter) > limits.imbalance);
  if (imbalanced.length === 0) return [];
  const list = imbalanced.map((b) => `${b.covariate} (${b.smdAfter!.toFixed(2)})`).join(', ');
  return [
    `After weighting, covariates still differ between the groups by more than 0.1 standard deviations: ${list}. The propensity model may miss a nonlinearity or interaction; consider adding transformed covariates.`,
  ];
}

export function matchingWarnings(matching: MatchingEstimate, treated: number): string[] {
  if (matching.beyondCaliper / treated <= limits.beyondCaliperShare) return [];
  return [
    `${matching.beyondCaliper} of ${treated} treated rows have no untreated row within ${matching.caliper.toFixed(3)} (0.2 standard deviations) on the logit propensity scale, so their matches are poor.`,
  ];
}
