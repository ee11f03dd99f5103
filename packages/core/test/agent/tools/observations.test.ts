import { describe, expect, it } from 'vitest';
import {
  effectObservation,
  observationOf,
  observedProfileColumns,
  profileObservation,
  round,
} from '../../../src/agent/tools/observations';

describe('observations for the model', () => {
  it('keep the numbers a profile answer needs and the strongest correlations, booleans included', () => {
    const observation = profileObservation({
      tool: 'profile',
      source: 'p.csv',
      rows: 3,
      columns: [
        {
          name: 'a',
          type: 'numeric',
          count: 3,
          missing: 0,
          unique: 3,
          mean: 1.23456789,
          std: 0.5,
          min: 0,
          q50: 1,
          max: 2,
          top: [],
        },
        {
          name: 'c',
          type: 'categorical',
          count: 3,
          missing: 1,
          unique: 2,
          top: [
            { value: 'x', count: 2 },
            { value: 'y', count: 1 },
            { value: 'z', count: 1 },
            { value: 'w', count: 1 },
          ],
        },
      ],
      correlation: {
        columns: ['a', 'b', 'flag'],
        matrix: [
          [1, 0.2, -0.9],
          [0.2, 1, null],
          [-0.9, null, 1],
        ],
      },
      reading: [{ kind: 'renamed', from: 'a', to: 'a_1', position: 3 }],
      warnings: ['w'],
    });
    expect(observation).toEqual({
      rows: 3,
      columnCount: 2,
      columns: [
        {
          name: 'a',
          type: 'numeric',
          missing: 0,
          unique: 3,
          mean: 1.23457,
          std: 0.5,
          min: 0,
          q50: 1,
          max: 2,
        },
        {
          name: 'c',
          type: 'categorical',
          missing: 1,
          unique: 2,
          top: [
            { value: 'x', count: 2 },
            { value: 'y', count: 1 },
            { value: 'z', count: 1 },
          ],
        },
      ],
      strongestCorrelations: [
        { a: 'a', b: 'flag', r: -0.9 },
        { a: 'a', b: 'b', r: 0.2 },
      ],
      reading: ['Two columns are headed "a"; column 3 is called a_1.'],
      warnings: ['w'],
    });
  });

  it('keep every estimate, the headline and the worst-balanced covariates', () => {
    const observation = effectObservation({
      tool: 'estimate_effect',
      source: 'l.csv',
      treatment: 't',
      outcome: 'y',
      covariates: ['x', 'y2'],
      n: 10,
      treated: 4,
      control: 6,
      dropped: 0,
      headline: 'ipw_att',
      estimates: [
        {
          method: 'ipw_att',
          estimand: 'ATT',
          estimate: 1.23456789,
          se: 0.1,
          ci: [1.0000001, 1.5],
          pValue: 1e-30,
        },
      ],
      balance: [
        { covariate: 'x', smdBefore: 0.5, smdAfter: 0.01, smdAfterAtt: 0 },
        { covariate: 'y2', smdBefore: 0.4, smdAfter: -0.2, smdAfterAtt: null },
      ],
      reading: [],
      warnings: [],
    });
    expect(observation).toMatchObject({
      headline: 'ipw_att',
      estimates: [{ estimate: 1.23457, ci: [1, 1.5], pValue: 1e-30 }],
      worstBalanceAfterAdjustment: [{ covariate: 'y2' }, { covariate: 'x' }],
      warnings: [],
    });
    expect(observation).not.toHaveProperty('reading');
    expect(round(Number.NaN)).toBeNaN();
  });

  it("keep a query's first hundred rows, rounded, with the SQL and the true row count", () => {
    const rows = Array.from({ length: 150 }, (_, i) => [`g${i}`, i + 0.123456789]);
    const observation = observationOf({
      tool: 'query_data',
      source: 'q.csv',
      sql: 'SELECT g, x FROM data',
      columns: [
        { name: 'g', type: 'VARCHAR' },
        { name: 'x', type: 'DOUBLE' },
      ],
      rows,
      rowCount: 5000,
      truncated: true,
      reading: [],
      warnings: [],
    });
    expect(observation).toMatchObject({ sql: 'SELECT g, x FROM data', rowCount: 5000, rowsShownHere: 100 });
    expect((observation.rows as unknown[][]).length).toBe(100);
    expect((observation.rows as unknown[][])[1]).toEqual(['g1', 1.12346]);
  });

  it('keep the tests and groups of a comparison, and the coefficients of a regression, rounded', () => {
    const compared = observationOf({
      tool: 'compare_groups',
      source: 'c.csv',
      outcome: 'y',
      group: 'g',
      outcomeKind: 'numeric',
      n: 20,
      dropped: 1,
      groups: [
        { level: 'a', n: 10, mean: 1.234567891, std: 1, median: 1 },
        { level: 'b', n: 10, mean: 2, std: null, median: 2 },
      ],
      tests: [
        {
          test: 'welch_t',
          statistic: -2.123456789,
          df: 17.5,
          pValue: 0.0412345678,
          difference: { estimate: -0.765432198, ci: [-1.5, -0.03], label: 'a − b' },
          effectSize: { name: 'cohens_d', value: -0.95432101 },
        },
      ],
      reading: [],
      warnings: [],
    });
    expect(compared).toMatchObject({
      groups: [{ mean: 1.23457 }, { std: null }],
      tests: [
        {
          statistic: -2.12346,
          pValue: 0.0412346,
          difference: { estimate: -0.765432 },
          effectSize: { value: -0.954321 },
        },
      ],
    });
    const fitted = observationOf({
      tool: 'fit_regression',
      source: 'r.csv',
      outcome: 'y',
      model: 'logistic',
      positive: 'true',
      predictors: ['x'],
      references: [],
      n: 50,
      dropped: 0,
      coefficients: [
        {
          term: 'x',
          estimate: 0.123456789,
          se: 0.05,
          statistic: 2.4,
          pValue: 0.0164,
          ci: [0.02, 0.22],
          oddsRatio: 1.131401,
        },
      ],
      covariance: 'HC1',
      fit: { pseudoR2: 0.0512345, logLikelihood: -30.1 },
      reading: [],
      warnings: [],
    });
    expect(fitted).toMatchObject({
      positive: 'true',
      coefficients: [{ estimate: 0.123457, oddsRatio: 1.1314 }],
      fit: { pseudoR2: 0.0512345 },
    });
  });
});

describe('what a model is sent', () => {
  it('summarises a very wide profile and shows fewer rows of a wide query', () => {
    const columns = Array.from({ length: 1_000 }, (_, i) => ({
      name: `c${i}`,
      type: i % 2 ? 'numeric' : 'categorical',
      missing: i === 900 ? 50 : 0,
      unique: 3,
    }));
    const profile = observationOf({
      tool: 'profile',
      rows: 100,
      columns,
      warnings: [],
    } as never) as { columns: unknown[]; columnCount: number; mostMissing: unknown[]; columnTypes: object };
    expect(profile.columns).toHaveLength(observedProfileColumns);
    expect(profile).toMatchObject({
      columnCount: 1_000,
      columnTypes: { numeric: 500, categorical: 500 },
      mostMissing: [{ name: 'c900', missing: 50 }],
    });
    expect(JSON.stringify(profile).length).toBeLessThan(20_000);

    const wide = observationOf({
      tool: 'query_data',
      sql: 'SELECT * FROM data',
      columns: Array.from({ length: 200 }, (_, i) => ({ name: `c${i}`, type: 'DOUBLE' })),
      rows: Array.from({ length: 50 }, () => Array.from({ length: 200 }, () => 1)),
      rowCount: 50,
      warnings: [],
    } as never) as { rows: unknown[]; rowsShownHere: number };
    expect(wide.rows).toHaveLength(20);
    expect(wide.rowsShownHere).toBe(20);
  });
});
