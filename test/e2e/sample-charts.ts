import type { Chart } from '@cascade/core';

/** A correlation heatmap with long column names, as a profile draws one. */
export const correlationHeatmap: Chart = {
  kind: 'heatmap',
  title: 'Correlation of numeric columns',
  columns: ['age', 'education_years', 'earnings_1974', 'earnings_1978_adjusted'],
  matrix: [
    [1, -0.1, 0.27, 0.09],
    [-0.1, 1, 0.2, 0.13],
    [0.27, 0.2, 1, 0.42],
    [0.09, 0.13, 0.42, 1],
  ],
};

/** An effect's estimates with their 95 % intervals, one of them on the other side of zero. */
export const effectIntervals = {
  kind: 'intervals',
  title: 'Effect of treat on re78 (95% intervals)',
  intervals: [
    { label: 'Difference in means (ATE)', estimate: 1794, lo: 551, hi: 3038 },
    { label: 'OLS adjusted for age, educ, re74 (ATE)', estimate: 1676, lo: 384, hi: 2969 },
    { label: 'IPW (Horvitz–Thompson) (ATE)', estimate: 1620, lo: 290, hi: 2950 },
    { label: 'Doubly robust (AIPW) (ATE)', estimate: -420, lo: -1900, hi: 1060 },
  ],
} satisfies Chart;
