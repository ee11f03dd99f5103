import { inverse, Matrix } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { hc1StandardError, ols } from '../../../src/engines/stats/ols';
import { certified, column, digits, longley } from '../../support/longley';

describe('ordinary least squares', () => {
  it("reproduces NIST's certified Longley results to at least 9 digits", () => {
    const y = column(longley.map((row) => row[0]!));
    const columns = [
      column(longley.map(() => 1)),
      ...[1, 2, 3, 4, 5, 6].map((j) => column(longley.map((row) => row[j]!))),
    ];
    const fit = ols(columns, y);
    for (const [j, b] of fit.coefficients.entries())
      expect(digits(b, certified.coefficients[j]!)).toBeGreaterThanOrEqual(9);
    for (const [j, se] of fit.se.entries())
      expect(digits(se, certified.standardErrors[j]!)).toBeGreaterThanOrEqual(9);
    expect(digits(fit.residualSd, certified.residualSd)).toBeGreaterThanOrEqual(9);
    expect(digits(fit.rSquared, certified.rSquared)).toBeGreaterThanOrEqual(9);
    expect(fit.df).toBe(9);
  });

  it('computes classical and HC1 errors as the textbook sandwich formulas say', () => {
    // y = 1, 3, 2, 5, 4 on x = 0..4: slope 0.8, intercept 1.4 (hand-computed), residuals −0.4, 0.8, −1, 1.2, −0.6.
    const x = [0, 1, 2, 3, 4];
    const y = column([1, 3, 2, 5, 4]);
    const fit = ols([column([1, 1, 1, 1, 1]), column(x)], y);
    expect(fit.coefficients[0]).toBeCloseTo(1.4, 12);
    expect(fit.coefficients[1]).toBeCloseTo(0.8, 12);
    const residuals = [-0.4, 0.8, -1, 1.2, -0.6];
    // Independent check with explicit matrices: (X'X)⁻¹ σ² and n/(n-k) (X'X)⁻¹ X' diag(e²) X (X'X)⁻¹.
    const X = new Matrix(x.map((v) => [1, v]));
    const bread = inverse(X.transpose().mmul(X));
    const sigma2 = residuals.reduce((s, e) => s + e * e, 0) / 3;
    const meat = X.transpose()
      .mmul(Matrix.diag(residuals.map((e) => e * e)))
      .mmul(X);
    const hc1 = bread
      .mmul(meat)
      .mmul(bread)
      .mul(5 / 3);
    expect(fit.se[1]).toBeCloseTo(Math.sqrt(sigma2 * bread.get(1, 1)), 12);
    const columns = [column([1, 1, 1, 1, 1]), column(x)];
    expect(hc1StandardError(columns, fit, 1)).toBeCloseTo(Math.sqrt(hc1.get(1, 1)), 12);
    expect(hc1StandardError(columns, fit, 0)).toBeCloseTo(Math.sqrt(hc1.get(0, 0)), 12);
  });
});
