import type { TestResult } from '@cascade/core/contract';
import { chiSquareUpperP, normalInterval, normalTwoSidedP } from '../stats/inference';

/**
 * Tests of a binary or categorical outcome between groups, on the table of counts (a row per
 * group, a column per outcome value; no row or column is all zeros).
 */

export interface ChiSquare {
  test: TestResult;
  /** Expected counts below 5, where the chi-square approximation gets rough, and the smallest. */
  smallExpected: number;
  smallestExpected: number;
  cells: number;
}

/**
 * Pearson's chi-square test of independence without Yates' correction, as
 * scipy.stats.chi2_contingency(table, correction=False). Effect size Cramér's V,
 * √(χ² / (n · (min(rows, columns) − 1))).
 */
export function chiSquare(table: readonly (readonly number[])[]): ChiSquare {
  const rowTotals = table.map((row) => row.reduce((sum, c) => sum + c, 0));
  const columnTotals = table[0]!.map((_, j) => table.reduce((sum, row) => sum + row[j]!, 0));
  const n = rowTotals.reduce((sum, c) => sum + c, 0);
  let statistic = 0;
  let smallExpected = 0;
  let smallestExpected = Infinity;
  for (const [i, row] of table.entries())
    for (const [j, observed] of row.entries()) {
      const expected = (rowTotals[i]! * columnTotals[j]!) / n;
      statistic += (observed - expected) ** 2 / expected;
      if (expected < 5) smallExpected++;
      smallestExpected = Math.min(smallestExpected, expected);
    }
  const df = (table.length - 1) * (columnTotals.length - 1);
  const shorter = Math.min(table.length, columnTotals.length);
  return {
    test: {
      test: 'chi_square',
      statistic,
      df,
      pValue: chiSquareUpperP(statistic, df),
      effectSize: { name: 'cramers_v', value: Math.sqrt(statistic / (n * (shorter - 1))) },
    },
    smallExpected,
    smallestExpected,
    cells: table.length * columnTotals.length,
  };
}

export interface Proportion {
  positive: number;
  n: number;
}

/**
 * The two-proportion z-test of the first rate minus the second. The statistic uses the pooled
 * standard error, as statsmodels' proportions_ztest; the interval the unpooled (Wald) one, as
 * confint_proportions_2indep(method='wald'). Effect size Cohen's h = 2·asin√p₁ − 2·asin√p₂.
 */
export function twoProportionZ(a: Proportion, b: Proportion, label: string): TestResult {
  const p1 = a.positive / a.n;
  const p2 = b.positive / b.n;
  const pooled = (a.positive + b.positive) / (a.n + b.n);
  const estimate = p1 - p2;
  const statistic = estimate / Math.sqrt(pooled * (1 - pooled) * (1 / a.n + 1 / b.n));
  const se = Math.sqrt((p1 * (1 - p1)) / a.n + (p2 * (1 - p2)) / b.n);
  return {
    test: 'two_proportion_z',
    statistic,
    pValue: normalTwoSidedP(statistic),
    difference: { estimate, ci: normalInterval(estimate, se), label },
    effectSize: { name: 'cohens_h', value: 2 * Math.asin(Math.sqrt(p1)) - 2 * Math.asin(Math.sqrt(p2)) },
  };
}
