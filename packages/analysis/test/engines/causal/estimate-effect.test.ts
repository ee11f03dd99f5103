import { describe, expect, it } from 'vitest';
import { type ColumnarTable, readColumnar } from '../../../src/data/csv-columns';
import { withDatabase } from '../../../src/data/database';
import { loadData } from '../../../src/data/load';
import { confounded } from '../../../src/datasets/confounded';
import { seededRandom } from '../../../src/datasets/random';
import { estimateEffect, estimateFromStudy } from '../../../src/engines/causal/estimate-effect';
import { loadStudy, studyFromColumns } from '../../../src/engines/causal/study';
import type { EffectResult, Method } from '../../../src/engines/causal/types';
import { BadDataError, BadRequestError, ColumnNotFoundError } from '../../../src/errors';
import { itFailsAs, rejectionOf } from '../../support/failures';
import { scratchDirectory } from '../../support/files';
import { expectAllFinite } from '../../support/reference';

const files = scratchDirectory();

const byMethod = (result: EffectResult, method: Method) => result.estimates.find((e) => e.method === method)!;

type Spec = Parameters<typeof estimateEffect>[1];

describe('estimating a known effect', () => {
  it('recovers a true effect of 2 within every adjusted 95% interval, where the raw difference misses it', async () => {
    const path = await files.table(confounded({ rows: 20_000, covariates: 3, effect: 2, seed: 42 }));
    const result = await estimateEffect(path, {
      treatment: 'treat',
      outcome: 'outcome',
      covariates: ['x1', 'x2', 'x3'],
    });
    expect(result.estimates.map((e) => [e.method, e.estimand])).toEqual([
      ['difference_in_means', 'ATE'],
      ['regression_adjustment', 'ATE'],
      ['ipw_hajek', 'ATE'],
      ['ipw_horvitz_thompson', 'ATE'],
      ['ipw_att', 'ATT'],
      ['matching_nn1_att', 'ATT'],
    ]);
    for (const estimate of result.estimates.slice(1)) {
      expect(estimate.ci[0]).toBeLessThan(2);
      expect(estimate.ci[1]).toBeGreaterThan(2);
    }
    const raw = byMethod(result, 'difference_in_means');
    expect(raw.ci[0] > 2 || raw.ci[1] < 2).toBe(true);
    expect(result).toMatchObject({ n: 20_000, dropped: 0 });
    expect(result.treated + result.control).toBe(20_000);
    expectAllFinite(result);
  });

  it('balances the covariates after weighting and reports the propensity overlap', async () => {
    const path = await files.table(confounded({ rows: 5_000, covariates: 3, effect: 2, seed: 5 }));
    const result = await estimateEffect(path, {
      treatment: 'treat',
      outcome: 'outcome',
      covariates: ['x1', 'x2', 'x3'],
    });
    for (const b of result.balance) expect(Math.abs(b.smdAfter!)).toBeLessThan(0.05);
    expect(Math.max(...result.balance.map((b) => Math.abs(b.smdBefore!)))).toBeGreaterThan(0.2);
    const overlap = result.overlap!;
    expect(overlap.treated.min).toBeGreaterThan(0);
    expect(overlap.control.max).toBeLessThan(1);
    expect(overlap.histogram.treated.reduce((a, b) => a + b, 0)).toBe(result.treated);
    expect(overlap.histogram.control.reduce((a, b) => a + b, 0)).toBe(result.control);
    expect(result.warnings).toEqual([]);
  });

  it('gives t intervals for the regression: classical and HC1 around the same estimate', async () => {
    const path = await files.table(confounded({ rows: 2_000, covariates: 2, effect: 1, seed: 9 }));
    const result = await estimateEffect(path, {
      treatment: 'treat',
      outcome: 'outcome',
      covariates: ['x1', 'x2'],
    });
    const regression = byMethod(result, 'regression_adjustment');
    expect(regression.df).toBe(2_000 - 4);
    const half = (regression.ci[1] - regression.ci[0]) / 2;
    // t(0.975, 1996) ≈ 1.96115.
    expect(half / regression.se).toBeCloseTo(1.96115, 4);
    expect((regression.ciHc1![1] - regression.ciHc1![0]) / 2 / regression.seHc1!).toBeCloseTo(1.96115, 4);
    // Every p-value is the one its interval inverts: 0.05 exactly where the interval touches zero.
    for (const e of result.estimates) {
      const z = e.estimate / e.se;
      const atZero = e.df !== undefined ? 1.96115 : 1.959963984540054;
      expect(e.pValue < 0.05).toBe(Math.abs(z) > atZero);
      expect(e.pValue).toBeGreaterThan(0);
      expect(e.pValue).toBeLessThanOrEqual(1);
    }
  });

  it('gives the same estimates when the regression and some weighting estimators run in worker threads', async () => {
    const path = await files.table(confounded({ rows: 3_000, covariates: 3, effect: 2, seed: 17 }));
    const spec = { treatment: 'treat', outcome: 'outcome', covariates: ['x1', 'x2', 'x3'] };
    const inline = await estimateEffect(path, spec, { parallel: false });
    const threaded = await estimateEffect(path, spec, { parallel: true });
    expect(threaded).toEqual(inline);
  });

  it('reports collinearity found in the worker thread like any other', async () => {
    const lines = ['t,y,a,b'];
    for (let i = 0; i < 40; i++) lines.push(`${i % 2},${(i * 7) % 11},${i % 5},${2 * (i % 5) + 1}`);
    const error = await estimateEffect(
      await files.file(lines.join('\n')),
      { treatment: 't', outcome: 'y', covariates: ['a', 'b'], methods: ['regression_adjustment'] },
      { parallel: true },
    ).catch((e: Error) => e);
    expect(error).toBeInstanceOf(BadDataError);
    expect((error as Error).message).toMatch(/^"b" is a linear combination of the columns before it/);
  });

  it('runs only the methods asked for', async () => {
    const path = await files.table(confounded({ rows: 500, covariates: 2, seed: 1 }));
    const result = await estimateEffect(path, {
      treatment: 'treat',
      outcome: 'outcome',
      covariates: ['x1', 'x2'],
      methods: ['regression_adjustment', 'ipw_att'],
    });
    expect(result.estimates.map((e) => e.method)).toEqual(['regression_adjustment', 'ipw_att']);
    // Matching alone still reports the overlap and the balance after weighting, as the weighting estimators would.
    const matched = await estimateEffect(path, {
      treatment: 'treat',
      outcome: 'outcome',
      covariates: ['x1', 'x2'],
      methods: ['matching_nn1_att'],
    });
    expect(matched.estimates.map((e) => e.method)).toEqual(['matching_nn1_att']);
    expect(matched.overlap?.histogram.treated.reduce((a, b) => a + b, 0)).toBe(matched.treated);
    expect(matched.balance.every((b) => b.smdAfter !== null)).toBe(true);
  });
});

describe('reading a plain file straight into columns', () => {
  it('gives the estimates the DuckDB table gives, gaps and all', async () => {
    const table = confounded({ rows: 3000, covariates: 3, effect: 2, seed: 7 });
    const random = seededRandom(8);
    const rows = [...table.rows].map((row) =>
      row.map((cell, j) => (j > 0 && random.bernoulli(0.02) ? null : cell)),
    );
    const path = await files.table({ columns: table.columns, rows });
    const spec = { treatment: 'treat', outcome: 'outcome', covariates: ['x1', 'x2', 'x3'] };
    // The file is plain: it does go the column way.
    const study = await withDatabase({}, async (db) =>
      studyFromColumns((await readColumnar(db, path)) as ColumnarTable, spec),
    );
    expect(study!.y.length).toBe(3000 - study!.dropped);
    const scanned = await estimateEffect(path, spec);
    const loaded = await withDatabase({}, async (db) => {
      const table = await loadData(db, path);
      return estimateFromStudy(await loadStudy(db, table, spec), spec, table.source);
    });
    expect(scanned.dropped).toBeGreaterThan(0);
    expect(scanned.warnings).toEqual(loaded.warnings);
    expect(scanned.estimates.map((e) => e.method)).toEqual(loaded.estimates.map((e) => e.method));
    for (const [i, estimate] of scanned.estimates.entries()) {
      expect(estimate.estimate).toBeCloseTo(loaded.estimates[i]!.estimate, 9);
      expect(estimate.se).toBeCloseTo(loaded.estimates[i]!.se, 9);
    }
  });
});

describe('what the data offers', () => {
  it('reads true/false treatments and outcomes as 1/0 and turns categories into indicators', async () => {
    const random = seededRandom(4);
    const lines = ['promo,bought,segment,age'];
    for (let i = 0; i < 400; i++) {
      const segment = random.pick(['new', 'loyal', 'lapsed']);
      const promo = random.bernoulli(segment === 'loyal' ? 0.6 : 0.3);
      const bought = random.bernoulli(0.2 + (promo ? 0.1 : 0) + (segment === 'loyal' ? 0.3 : 0));
      lines.push(`${promo},${bought},${segment},${random.integer(18, 70)}`);
    }
    const result = await estimateEffect(await files.file(lines.join('\n')), {
      treatment: 'promo',
      outcome: 'bought',
      covariates: ['segment', 'age'],
    });
    // The most common level is the reference; the others become indicators.
    expect(result.covariates).toHaveLength(3);
    expect(result.covariates.filter((c) => c.startsWith('segment='))).toHaveLength(2);
    expect(result.estimates).toHaveLength(6);
    expectAllFinite(result);
  });

  it('leaves out rows with a missing value in a requested column, and says how many', async () => {
    const path = await files.file('t,y,x\n1,5,1\n0,3,\n1,6,2\n0,2,1\n1,,3\n0,1,2\n1,7,2\n0,2,3\n');
    const result = await estimateEffect(path, {
      treatment: 't',
      outcome: 'y',
      covariates: ['x'],
      methods: ['difference_in_means'],
    });
    expect(result).toMatchObject({ n: 6, dropped: 2 });
    expect(result.warnings[0]).toBe(
      '2 rows were left out because one of the requested columns is missing there.',
    );
  });

  it('without covariates, reports the raw difference and says nothing was adjusted for', async () => {
    const path = await files.file('t,y\n1,3\n1,5\n1,7\n0,1\n0,2\n0,3\n0,6\n');
    const result = await estimateEffect(path, { treatment: 't', outcome: 'y' });
    expect(result.estimates.map((e) => e.method)).toEqual(['difference_in_means', 'regression_adjustment']);
    const raw = byMethod(result, 'difference_in_means');
    // Hand-computed: estimate 2, pooled se √(4.4·7/12), t(0.975, 5) = 2.570581835636314.
    const se = Math.sqrt(4.4 * (7 / 12));
    expect(raw.ci[0]).toBeCloseTo(2 - 2.570581835636314 * se, 10);
    expect(raw.ci[1]).toBeCloseTo(2 + 2.570581835636314 * se, 10);
    // SciPy: ttest_ind([3, 5, 7], [1, 2, 3, 6]).pvalue.
    expect(raw.pValue).toBeCloseTo(0.2671621952314207, 12);
    expect(byMethod(result, 'regression_adjustment').estimate).toBeCloseTo(2, 12);
    expect(result.warnings.some((w) => w.startsWith('No covariates were given'))).toBe(true);
    expect(result.warnings.some((w) => w.startsWith('Only 3 treated rows'))).toBe(true);
  });

  it('skips weighting and matching, with a warning naming the culprit, when a covariate separates the groups', async () => {
    const lines = ['t,y,age,x'];
    for (let i = 0; i < 60; i++) lines.push(`${i < 30 ? 0 : 1},${i % 7},${20 + i},${(i * 37) % 11}`);
    const result = await estimateEffect(await files.file(lines.join('\n')), {
      treatment: 't',
      outcome: 'y',
      covariates: ['age', 'x'],
    });
    expect(result.estimates.map((e) => e.method)).toEqual(['difference_in_means', 'regression_adjustment']);
    expect(
      result.warnings.some((w) => w.includes('predict treatment perfectly') && w.includes('"age"')),
    ).toBe(true);
    expect(result.balance.every((b) => b.smdAfter === null)).toBe(true);
    expectAllFinite(result);
  });

  it('warns about poor overlap and extreme weights when propensities crowd 0 and 1', async () => {
    const random = seededRandom(8);
    const lines = ['t,y,x'];
    for (let i = 0; i < 3000; i++) {
      const x = random.normal();
      const t = random.bernoulli(1 / (1 + Math.exp(-4 * x))) ? 1 : 0;
      lines.push(`${t},${(x + t + random.normal()).toFixed(4)},${x.toFixed(4)}`);
    }
    const result = await estimateEffect(await files.file(lines.join('\n')), {
      treatment: 't',
      outcome: 'y',
      covariates: ['x'],
    });
    expect(result.warnings.some((w) => w.includes('propensity scores below 0.05 or above 0.95'))).toBe(true);
    expect(result.warnings.some((w) => w.startsWith('Extreme ATE weights'))).toBe(true);
    expectAllFinite(result);
  });
});

describe('requests the data cannot answer are clear errors', () => {
  const base =
    't,y,x,label,day,blank,same\n1,5,1,a,2024-01-01,,4\n0,3,2,b,2024-01-02,,4\n1,6,2,c,2024-01-03,,4\n0,2,1,a,2024-01-04,,4\n1,7,3,b,2024-01-05,,4\n0,1,2,c,2024-01-06,,4\n';

  const failure = async (spec: Spec, content = base) =>
    rejectionOf(estimateEffect(await files.file(content), spec));

  itFailsAs<Spec>(failure, [
    [
      { treatment: 'T', outcome: 'y' },
      ColumnNotFoundError,
      'Column "T" is not in the data; its columns are: t, y, x, label, day, blank, same.',
    ],
    [
      { treatment: 't', outcome: 'y', covariates: ['z'] },
      ColumnNotFoundError,
      'Column "z" is not in the data; its columns are: t, y, x, label, day, blank, same.',
    ],
    [
      { treatment: 'y', outcome: 'y' },
      BadRequestError,
      'The treatment and the outcome are both "y"; name two different columns.',
    ],
    [
      { treatment: 't', outcome: 'y', covariates: ['t'] },
      BadRequestError,
      '"t" cannot be both a covariate and the treatment.',
    ],
    [
      { treatment: 't', outcome: 'y', covariates: ['x', 'x'] },
      BadRequestError,
      'Covariate "x" is listed twice.',
    ],
    [
      { treatment: 'x', outcome: 'y' },
      BadDataError,
      'Treatment "x" must be binary (0/1 or true/false); it has values 2, 1, 3.',
    ],
    [
      { treatment: 'label', outcome: 'y' },
      BadDataError,
      'Treatment "label" must be binary (0/1 or true/false); it has values "a", "b", "c".',
    ],
    [
      { treatment: 't', outcome: 'label' },
      BadDataError,
      'Outcome "label" must be numeric; it holds text such as "a", "b", "c".',
    ],
    [
      { treatment: 't', outcome: 'same' },
      BadDataError,
      'Outcome "same" has the same value in every row used; there is no variation to explain.',
    ],
    [
      { treatment: 't', outcome: 'y', covariates: ['same'] },
      BadDataError,
      'Covariate "same" has the same value in every row used; it cannot adjust for anything, so leave it out.',
    ],
    [
      { treatment: 't', outcome: 'y', covariates: ['day'] },
      BadDataError,
      'Covariate "day" holds dates; adjust for a number derived from it (such as a year) instead.',
    ],
    [
      { treatment: 't', outcome: 'y', covariates: ['blank'] },
      BadDataError,
      'Column "blank" has no values: every row is missing.',
    ],
  ]);

  it('a treatment that is the same in every row', async () => {
    const error = await failure({ treatment: 't', outcome: 'y' }, 't,y\n1,2\n1,3\n1,4\n');
    expect(error.message).toBe(
      'Treatment "t" is 1 in every row used; an effect needs both treated and untreated rows.',
    );
  });

  it('a group of one', async () => {
    const error = await failure({ treatment: 't', outcome: 'y' }, 't,y\n1,2\n0,3\n0,4\n0,5\n');
    expect(error.message).toBe(
      'An effect needs at least two treated and two untreated rows with complete data; there are 1 treated and 3 untreated.',
    );
  });

  it('a covariate that copies another', async () => {
    const error = await failure(
      { treatment: 't', outcome: 'y', covariates: ['a', 'b'] },
      't,y,a,b\n1,5,1,2\n0,3,2,4\n1,6,2,4\n0,2,1,2\n1,7,3,6\n0,1,2,4\n1,4,5,10\n0,2,4,8\n',
    );
    expect(error).toBeInstanceOf(BadDataError);
    expect(error.message).toBe(
      '"b" is a linear combination of the columns before it (the treatment or other covariates), so its effect cannot be told apart; leave it out.',
    );
  });

  it('collinear covariates even when only weighting is asked for', async () => {
    const error = await failure(
      { treatment: 't', outcome: 'y', covariates: ['a', 'b'], methods: ['ipw_hajek'] },
      't,y,a,b\n1,5,1,2\n0,3,2,4\n1,6,2,4\n0,2,1,2\n1,7,3,6\n0,1,2,4\n1,4,5,10\n0,2,4,8\n',
    );
    expect(error.message).toMatch(/^"b" is a linear combination of the columns before it/);
  });

  it('more coefficients than rows', async () => {
    const error = await failure(
      { treatment: 't', outcome: 'y', covariates: ['a', 'b'], methods: ['regression_adjustment'] },
      't,y,a,b\n1,5,1,2\n0,3,2,7\n1,6,2,4\n0,2,1,9\n',
    );
    expect(error.message).toBe(
      'Regression adjustment needs more rows than its 4 coefficients; there are 4. Use fewer covariates.',
    );
  });

  it('a category with more levels than a confounder plausibly has', async () => {
    const lines = ['t,y,id'];
    for (let i = 0; i < 120; i++) lines.push(`${i % 2},${i % 5},user${i}`);
    const error = await failure({ treatment: 't', outcome: 'y', covariates: ['id'] }, lines.join('\n'));
    expect(error.message).toBe(
      'Covariate "id" has more than 50 distinct values; it looks like an identifier or free text, not a category to adjust for.',
    );
  });

  it('infinite values in a used column', async () => {
    const error = await failure({ treatment: 't', outcome: 'y' }, 't,y\n1,2\n0,inf\n1,4\n0,5\n');
    expect(error.message).toBe('Column "y" has infinite values; remove or cap them.');
  });

  it('no row complete in every requested column', async () => {
    const error = await failure(
      { treatment: 't', outcome: 'y', covariates: ['x'] },
      't,y,x\n1,2,\n0,,1\n1,,2\n0,5,\n',
    );
    expect(error.message).toBe(
      'No row has values for all of "t", "y", "x"; leave out a column with many missing values.',
    );
  });
});

describe('pure estimation from arrays', () => {
  it('needs no file: a study in memory gives the same kind of result', async () => {
    const t = Float64Array.from([1, 1, 1, 0, 0, 0, 0]);
    const y = Float64Array.from([3, 5, 7, 1, 2, 3, 6]);
    const result = await estimateFromStudy(
      { y, t, covariates: [], dropped: 0 },
      { treatment: 't', outcome: 'y', methods: ['difference_in_means'] },
      'memory',
    );
    expect(result.estimates[0]!.estimate).toBe(2);
  });
});

describe('an effect among the rows that meet filters', () => {
  it('is the effect estimated on those rows alone, and says so', async () => {
    const table = confounded({ rows: 3_000, covariates: 2, effect: 2, seed: 11 });
    const path = await files.table(table);
    const keep = table.columns.indexOf('x1');
    const subset = await files.table({
      ...table,
      rows: [...table.rows].filter((row) => Number(row[keep]) > 0),
    });
    const spec = { treatment: 'treat', outcome: 'outcome', covariates: ['x1', 'x2'] };
    const filtered = await estimateEffect(path, { ...spec, filters: [{ column: 'x1', op: '>', value: 0 }] });
    const alone = await estimateEffect(subset, spec);
    expect(filtered.n).toBe(alone.n);
    expect(filtered.n).toBeLessThan(3_000);
    for (const [i, estimate] of filtered.estimates.entries())
      expect(estimate.estimate).toBeCloseTo(alone.estimates[i]!.estimate, 9);
    expect(filtered.filters).toEqual([{ column: 'x1', op: '>', value: 0 }]);
  });

  it('refuses filters that leave no row', async () => {
    const path = await files.table(confounded({ rows: 200, covariates: 1, effect: 2, seed: 3 }));
    await expect(
      estimateEffect(path, {
        treatment: 'treat',
        outcome: 'outcome',
        filters: [{ column: 'x1', op: '>', value: 1e9 }],
      }),
    ).rejects.toThrow('No row meets the filters (x1 > 1000000000); loosen them.');
  });
});
