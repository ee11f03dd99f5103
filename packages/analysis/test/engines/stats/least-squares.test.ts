import { inverse, Matrix } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../../src/datasets/random';
import { runner } from '../../../src/engines/causal/passes';
import { regressionAdjustment } from '../../../src/engines/causal/regression';
import { columnRows } from '../../../src/engines/causal/study-rows';
import { BlockedQr, CollinearityError, leastSquares } from '../../../src/engines/stats/least-squares';
import { hc1StandardError, ols } from '../../../src/engines/stats/ols';

/** NIST StRD Longley data: employment (y) against six economic series, 1947–1962. */
const longley = `60323 83.0 234289 2356 1590 107608 1947
61122 88.5 259426 2325 1456 108632 1948
60171 88.2 258054 3682 1616 109773 1949
61187 89.5 284599 3351 1650 110929 1950
63221 96.2 328975 2099 3099 112075 1951
63639 98.1 346999 1932 3594 113270 1952
64989 99.0 365385 1870 3547 115094 1953
63761 100.0 363112 3578 3350 116219 1954
66019 101.2 397469 2904 3048 117388 1955
67857 104.6 419180 2822 2857 118734 1956
68169 108.4 442769 2936 2798 120445 1957
66513 110.8 444546 4681 2637 121950 1958
68655 112.6 482704 3813 2552 123366 1959
69564 114.2 502601 3931 2514 125368 1960
69331 115.7 518173 4806 2572 127852 1961
70551 116.9 554894 4007 2827 130081 1962`
  .split('\n')
  .map((line) => line.split(' ').map(Number));

/** NIST's certified values, to 15 significant digits. */
const certified = {
  coefficients: [
    -3482258.63459582, 15.0618722713733, -0.35819179292591e-1, -2.02022980381683, -1.03322686717359,
    -0.511041056535807e-1, 1829.15146461355,
  ],
  standardErrors: [
    890420.383607373, 84.9149257747669, 0.334910077722432e-1, 0.488399681651699, 0.214274163161675,
    0.22607320006937, 455.478499142212,
  ],
  residualSd: 304.854073561965,
  rSquared: 0.995479004577296,
};

/** Log relative error: how many significant digits agree. */
const digits = (actual: number, expected: number) =>
  actual === expected ? 15 : -Math.log10(Math.abs(actual - expected) / Math.abs(expected));

const column = (values: number[]) => Float64Array.from(values);

describe('ordinary least squares', () => {
  it("reproduces NIST's certified Longley coefficients to at least 9 digits a block of rows at a time", () => {
    const y = column(longley.map((row) => row[0]!));
    const columns = [
      column(longley.map(() => 1)),
      ...[1, 2, 3, 4, 5, 6].map((j) => column(longley.map((row) => row[j]!))),
    ];
    // Blocks of 3 rows: R is carried across five stacks, with a short one last.
    const qr = new BlockedQr(columns.length);
    for (let from = 0; from < y.length; from += 3)
      qr.add([...columns, y].map((c) => c.subarray(from, Math.min(y.length, from + 3))));
    const { coefficients, xtxInverse } = qr.solve();
    for (const [j, b] of coefficients.entries())
      expect(digits(b, certified.coefficients[j]!)).toBeGreaterThanOrEqual(9);
    // The classical errors from (X'X)⁻¹ and the residual variance.
    const sigma2 = certified.residualSd ** 2;
    for (let j = 0; j < columns.length; j++)
      expect(
        digits(Math.sqrt(sigma2 * xtxInverse.get(j, j)), certified.standardErrors[j]!),
      ).toBeGreaterThanOrEqual(9);
  });

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

  it('finds a collinear column a block at a time too', () => {
    const x = column([1, 2, 3, 4, 5, 6]);
    const qr = new BlockedQr(3);
    for (let from = 0; from < 6; from += 2)
      qr.add([
        column([1, 1]),
        x.subarray(from, from + 2),
        x.map((v) => 2 * v + 1).subarray(from, from + 2),
        column([1, 2]),
      ]);
    expect(() => qr.solve()).toThrow(CollinearityError);
  });

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

  it('recovers an exact line with zero residuals', () => {
    const x = column([0, 1, 2, 3, 4]);
    const fit = leastSquares(
      [column([1, 1, 1, 1, 1]), x],
      x.map((v) => 3 + 2 * v),
    );
    expect(fit.coefficients[0]).toBeCloseTo(3, 12);
    expect(fit.coefficients[1]).toBeCloseTo(2, 12);
    for (const e of fit.residuals) expect(Math.abs(e)).toBeLessThan(1e-12);
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

  it('names the first column that is a combination of the ones before it', () => {
    const ones = column([1, 1, 1, 1]);
    const x = column([1, 2, 3, 5]);
    const fn = () => leastSquares([ones, x, x.map((v) => 2 * v - 1)], column([1, 2, 2, 4]));
    expect(fn).toThrow(CollinearityError);
    expect(() => fn()).toThrow(expect.objectContaining({ column: 2 }));
    expect(() => leastSquares([ones, column([3, 3, 3, 3])], column([1, 2, 3, 4]))).toThrow(
      expect.objectContaining({ column: 1 }),
    );
  });

  it('refuses fewer rows than coefficients', () => {
    expect(() => leastSquares([column([1, 1]), column([1, 2]), column([0, 5])], column([1, 2]))).toThrow(
      RangeError,
    );
  });
});
