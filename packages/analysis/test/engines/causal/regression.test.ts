import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../../src/datasets/random';
import { runner } from '../../../src/engines/causal/passes';
import { regressionAdjustment } from '../../../src/engines/causal/regression';
import { columnRows } from '../../../src/engines/causal/study-rows';
import { hc1StandardError, ols } from '../../../src/engines/stats/ols';
import { certified, column, digits, longley } from '../../support/longley';

describe('regression adjustment', () => {
  it("adjusts on ill-conditioned Longley by QR, to NIST's certified digits", async () => {
    const series = [1, 2, 3, 4, 5, 6].map((j) => column(longley.map((row) => row[j]!)));
    const adjusted = await regressionAdjustment(
      runner(
        columnRows({ y: column(longley.map((row) => row[0]!)), t: series[0]!, covariates: series.slice(1) }),
      ),
    );
    expect(digits(adjusted.estimate, certified.coefficients[1]!)).toBeGreaterThanOrEqual(9);
    expect(digits(adjusted.se, certified.standardErrors[1]!)).toBeGreaterThanOrEqual(9);
  });

  it("adjusts on a well-conditioned design by the normal equations, to QR's numbers", async () => {
    const random = seededRandom(7);
    const n = 5000;
    const x = [0, 1, 2].map(() => Float64Array.from({ length: n }, () => random.normal(3, 2)));
    const t = Float64Array.from(x[0]!, (v) => (random.bernoulli(1 / (1 + Math.exp(-v + 3))) ? 1 : 0));
    const y = Float64Array.from(t, (ti, i) => 1 + 2 * ti + x[1]![i]! - 0.5 * x[2]![i]! + random.normal());
    const adjusted = await regressionAdjustment(runner(columnRows({ y, t, covariates: x })));
    const design = [new Float64Array(n).fill(1), t, ...x];
    const byQr = ols(design, y);
    expect(adjusted.estimate).toBeCloseTo(byQr.coefficients[1]!, 12);
    expect(adjusted.se).toBeCloseTo(byQr.se[1]!, 12);
    expect(adjusted.seHc1).toBeCloseTo(hc1StandardError(design, byQr, 1), 12);
  });

  it("adjusts on a nearly collinear design by refined normal equations, to QR's numbers", async () => {
    const random = seededRandom(8);
    const n = 5000;
    const x1 = Float64Array.from({ length: n }, () => random.normal());
    // x2 follows x1 to within 0.003: the scaled X'X's condition number is about 10^5.
    const x2 = x1.map((v) => v + 0.003 * random.normal());
    const t = Float64Array.from(x1, (v) => (random.bernoulli(1 / (1 + Math.exp(-v))) ? 1 : 0));
    const y = Float64Array.from(t, (ti, i) => 2 * ti + x1[i]! - x2[i]! + random.normal());
    const adjusted = await regressionAdjustment(runner(columnRows({ y, t, covariates: [x1, x2] })));
    const design = [new Float64Array(n).fill(1), t, x1, x2];
    const byQr = ols(design, y);
    expect(adjusted.estimate).toBeCloseTo(byQr.coefficients[1]!, 11);
    expect(adjusted.se).toBeCloseTo(byQr.se[1]!, 11);
    expect(adjusted.seHc1).toBeCloseTo(hc1StandardError(design, byQr, 1), 11);
  });
});
