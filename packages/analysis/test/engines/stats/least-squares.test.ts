import { describe, expect, it } from 'vitest';
import { BlockedQr, CollinearityError, leastSquares } from '../../../src/engines/stats/least-squares';
import { certified, column, digits, longley } from '../../support/longley';

describe('least squares by QR', () => {
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
