import { describe, expect, it } from 'vitest';
import { seededRandom, logistic as sigmoid } from '../../../src/datasets/random';
import { logistic } from '../../../src/engines/causal/logistic';

describe('logistic regression by Newton–Raphson', () => {
  it('finds the same maximum likelihood estimate as statsmodels on a small example', async () => {
    const x1 = Float64Array.from([0.5, 1.2, -0.3, 2.1, 0.0, -1.5, 0.8, 1.9, -0.7, 0.3, 1.1, -0.2]);
    const x2 = Float64Array.from([1, 0, 1, 1, 0, 0, 1, 0, 0, 1, 1, 0]);
    const t = Float64Array.from([1, 1, 0, 1, 0, 0, 1, 0, 0, 1, 0, 1]);
    const fit = await logistic([x1, x2], t);
    // statsmodels 0.13.5: Logit(t, add_constant([x1, x2])).fit(tol=1e-14).params
    const reference = [-0.8452990393200298, 0.6317296140499942, 1.1029362982411872];
    for (const [j, b] of fit.coefficients.entries()) expect(b).toBeCloseTo(reference[j]!, 9);
    expect(fit.converged).toBe(true);
    expect(fit.separated).toBe(false);
    for (const [i, p] of fit.probabilities.entries())
      expect(p).toBeCloseTo(sigmoid(reference[0]! + reference[1]! * x1[i]! + reference[2]! * x2[i]!), 9);
  });

  it('recovers the coefficients that generated 20,000 seeded draws', async () => {
    const random = seededRandom(3);
    const n = 20_000;
    const x = Float64Array.from({ length: n }, () => random.normal(5, 2));
    const z = Float64Array.from({ length: n }, () => (random.bernoulli(0.3) ? 1 : 0));
    const t = x.map((v, i) => (random.bernoulli(sigmoid(-2 + 0.4 * v - 0.8 * z[i]!)) ? 1 : 0));
    const fit = await logistic([x, z], t);
    expect(fit.coefficients[0]).toBeCloseTo(-2, 0);
    expect(Math.abs(fit.coefficients[1]! - 0.4)).toBeLessThan(0.05);
    expect(Math.abs(fit.coefficients[2]! + 0.8)).toBeLessThan(0.1);
    expect(fit.iterations).toBeLessThan(15);
  });

  it('reports separation when a covariate predicts the outcome perfectly', async () => {
    const x = Float64Array.from([1, 2, 3, 4, 5, 6, 7, 8]);
    const t = Float64Array.from([0, 0, 0, 0, 1, 1, 1, 1]);
    const fit = await logistic([x], t);
    expect(fit.separated).toBe(true);
    for (const p of fit.probabilities) expect(Number.isFinite(p)).toBe(true);
  });

  it('reports a singular fit for collinear covariates', async () => {
    const x = Float64Array.from([1, 2, 3, 4, 5, 6]);
    const t = Float64Array.from([0, 1, 0, 1, 1, 0]);
    expect((await logistic([x, x.map((v) => v * 3)], t)).singular).toBe(true);
  });
});

describe('logistic regression on a large sample', () => {
  it('reaches the full-data maximum after warming up on a subsample', async () => {
    const random = seededRandom(12);
    const n = 30_000;
    const x = Float64Array.from({ length: n }, () => random.normal());
    const t = x.map((v) => (random.bernoulli(sigmoid(0.3 + 0.7 * v)) ? 1 : 0));
    const direct = await logistic([x], t, { warmStartRows: Number.POSITIVE_INFINITY });
    const warmed = await logistic([x], t, { warmStartRows: 5_000 });
    expect(warmed.converged).toBe(true);
    for (const [j, b] of warmed.coefficients.entries()) expect(b).toBeCloseTo(direct.coefficients[j]!, 9);
  });
});
