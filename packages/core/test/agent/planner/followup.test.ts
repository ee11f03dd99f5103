import { describe, expect, it } from 'vitest';
import { describeFrame, describeMeasure } from '../../../src/agent/planner/describe';
import { applyFollowUp, columnsOf } from '../../../src/agent/planner/followup';
import type { Frame } from '../../../src/agent/planner/frame';
import { emptySlots, type Slots } from '../../../src/agent/planner/grammar';
import type { Keyword } from '../../../src/agent/planner/lexicon';
import { sampleSchema } from './fixtures';

/**
 * Follow-ups one slot at a time: what each change does to each kind of previous question, and
 * the changes that do not apply, which are refused rather than dropped.
 */

const churn = sampleSchema('churn.csv')!;
const lalonde = sampleSchema('lalonde.csv')!;
const checkout = sampleSchema('checkout_ab.csv')!;

const slots = (partial: Partial<Slots> = {}): Slots => ({ ...emptySlots(), ...partial });

function follow(previous: Frame, partial: Partial<Slots>, markers: Keyword[] = [], schema = churn) {
  return applyFollowUp(previous, slots(partial), new Set(markers), schema);
}
const frameOf = (result: ReturnType<typeof follow>) => {
  if (!('frame' in result)) throw new Error(result.refusal.message);
  return result.frame;
};
const refusalOf = (result: ReturnType<typeof follow>) => {
  if ('frame' in result) throw new Error(`read as ${JSON.stringify(result.frame)}`);
  return result.refusal.message;
};

const feeByPlan: Frame = {
  kind: 'aggregate',
  datasetId: 'churn.csv',
  measures: [{ fn: 'mean', column: 'monthly_fee' }],
  by: ['plan'],
  filters: [],
};
const effect: Frame = {
  kind: 'effect',
  datasetId: 'lalonde.csv',
  treatment: 'treat',
  outcome: 're78',
  covariates: ['age', 'educ'],
  filters: [],
};
const regression: Frame = {
  kind: 'regression',
  datasetId: 'lalonde.csv',
  outcome: 're78',
  predictors: ['age', 'educ'],
  filters: [],
};
const distribution: Frame = {
  kind: 'distribution',
  datasetId: 'churn.csv',
  column: 'tenure_months',
  filters: [],
};
const compare: Frame = {
  kind: 'compare',
  datasetId: 'churn.csv',
  outcome: 'monthly_fee',
  group: 'plan',
  groups: ['basic', 'premium'],
  filters: [],
};
const correlation: Frame = {
  kind: 'correlation',
  datasetId: 'churn.csv',
  columns: ['monthly_fee', 'tenure_months'],
  filters: [],
};
const top: Frame = { kind: 'top', datasetId: 'churn.csv', column: 'region', n: 3, least: false, filters: [] };

describe('what a follow-up cannot change', () => {
  it('refuses when there is nothing to change, or nothing it says applies', () => {
    expect(refusalOf(follow({ kind: 'datasets' }, { by: ['plan'] }))).toMatch(/no earlier analysis/);
    expect(refusalOf(follow(feeByPlan, {}))).toMatch(/couldn't tell what to change/);
    expect(refusalOf(follow({ kind: 'profile', datasetId: 'churn.csv' }, { by: ['plan'] }))).toMatch(
      /can't split the previous answer by plan/,
    );
    expect(
      refusalOf(
        follow(
          { kind: 'shape', datasetId: 'churn.csv' },
          { filters: [{ column: 'plan', op: '=', value: 'basic' }] },
        ),
      ),
    ).toMatch(/covers the whole file; I can't restrict it to rows where plan = 'basic'/);
    expect(refusalOf(follow(feeByPlan, { columns: ['tenure_months', 'support_calls'] }))).toMatch(
      /Which of tenure_months, support_calls should replace/,
    );
    expect(refusalOf(follow({ kind: 'profile', datasetId: 'churn.csv' }, { columns: ['plan'] }))).toMatch(
      /can't apply plan/,
    );
    expect(
      refusalOf(follow({ kind: 'profile', datasetId: 'churn.csv' }, { measures: [{ fn: 'median' }] })),
    ).toMatch(/can't tell what to compute that of/);
  });

  it('refuses a method, an estimand or a kind of correlation for a question of another kind', () => {
    expect(refusalOf(follow(feeByPlan, {}, ['spearman']))).toMatch(/kinds of correlation/);
    expect(refusalOf(follow(feeByPlan, {}, ['att']))).toMatch(/ATT\) is an effect estimate/);
    expect(refusalOf(follow(distribution, { method: 'matching' }))).toMatch(/applies to an effect estimate/);
  });
});

describe('changing the groups, the measure or the column', () => {
  it('regroups every kind that has groups, and turns distributions and counts into tables by group', () => {
    expect(frameOf(follow(feeByPlan, { by: ['region'] }, ['also']))).toMatchObject({
      by: ['plan', 'region'],
    });
    expect(frameOf(follow(compare, { by: ['region'] }))).toEqual({
      kind: 'compare',
      datasetId: 'churn.csv',
      outcome: 'monthly_fee',
      group: 'region',
      filters: [],
    });
    expect(frameOf(follow(distribution, { by: ['plan'] }))).toMatchObject({
      kind: 'aggregate',
      measures: [
        { fn: 'count' },
        { fn: 'mean', column: 'tenure_months' },
        { fn: 'median', column: 'tenure_months' },
        { fn: 'min', column: 'tenure_months' },
        { fn: 'max', column: 'tenure_months' },
        { fn: 'std', column: 'tenure_months' },
      ],
      by: ['plan'],
    });
    expect(frameOf(follow(top, { by: ['plan'] }))).toMatchObject({
      kind: 'aggregate',
      measures: [{ fn: 'count' }],
      by: ['plan', 'region'],
    });
  });

  it('puts a new measure on the column of a distribution, a comparison or a correlation', () => {
    const median = { measures: [{ fn: 'median' as const }] };
    expect(frameOf(follow(distribution, median))).toMatchObject({
      measures: [{ fn: 'median', column: 'tenure_months' }],
      by: [],
    });
    expect(frameOf(follow(compare, median))).toMatchObject({
      measures: [{ fn: 'median', column: 'monthly_fee' }],
      by: ['plan'],
    });
    expect(frameOf(follow(correlation, median))).toMatchObject({
      measures: [{ fn: 'median', column: 'monthly_fee' }],
    });
    expect(frameOf(follow(compare, { measures: [{ fn: 'max', column: 'tenure_months' }] }))).toMatchObject({
      measures: [{ fn: 'max', column: 'tenure_months' }],
    });
    // A measure with its own column starts a new aggregate on any previous question.
    expect(
      frameOf(
        follow(
          { kind: 'profile', datasetId: 'churn.csv' },
          { measures: [{ fn: 'sum', column: 'support_calls' }] },
        ),
      ),
    ).toEqual({
      kind: 'aggregate',
      datasetId: 'churn.csv',
      measures: [{ fn: 'sum', column: 'support_calls' }],
      by: [],
      filters: [],
    });
  });

  it('replaces the column each kind is about', () => {
    expect(frameOf(follow(compare, { columns: ['tenure_months'] }))).toMatchObject({
      outcome: 'tenure_months',
    });
    expect(frameOf(follow(distribution, { columns: ['satisfaction'] }))).toMatchObject({
      column: 'satisfaction',
    });
    expect(frameOf(follow(top, { columns: ['plan'] }))).toMatchObject({ column: 'plan' });
    expect(frameOf(follow(correlation, { columns: ['satisfaction'] }))).toMatchObject({
      columns: ['monthly_fee', 'satisfaction'],
    });
    expect(
      frameOf(follow({ ...correlation, columns: ['monthly_fee'] }, { columns: ['satisfaction'] })),
    ).toMatchObject({
      columns: ['satisfaction'],
    });
    expect(frameOf(follow(effect, { columns: ['re75'] }, [], lalonde))).toMatchObject({ outcome: 're75' });
    expect(frameOf(follow(feeByPlan, { columns: ['tenure_months'] }))).toMatchObject({
      measures: [{ fn: 'mean', column: 'tenure_months' }],
      by: ['plan'],
    });
  });

  it('ranks a table by group from its first row or last rows, and refuses a ranking with no groups', () => {
    expect(frameOf(follow(feeByPlan, {}, ['least']))).toMatchObject({
      rank: { descending: false, limit: 1 },
    });
    expect(frameOf(follow(feeByPlan, { topN: 2 }, ['most']))).toMatchObject({
      rank: { descending: true, limit: 2 },
    });
    expect(refusalOf(follow({ ...feeByPlan, by: [] }, {}, ['least']))).toMatch(/no groups to rank/);
    // A significance question asks an estimate again (its answer carries the p-value), not an average.
    expect(frameOf(follow(regression, {}, ['compare'], lalonde))).toEqual(regression);
    expect(refusalOf(follow(feeByPlan, {}, ['compare']))).toMatch(/couldn't tell what to change/);
  });

  it('changes how many a ranking keeps, and the model of a regression', () => {
    expect(
      frameOf(follow({ ...feeByPlan, rank: { descending: true, limit: 1 } }, { topN: 2 })),
    ).toMatchObject({
      rank: { descending: true, limit: 2 },
    });
    expect(frameOf(follow(regression, { model: 'logistic' }, [], lalonde))).toMatchObject({
      model: 'logistic',
    });
  });
});

describe('changing a model', () => {
  it('adds columns to an effect or a regression, replacing chosen ones', () => {
    expect(frameOf(follow(effect, { columns: ['re74', 'treat'] }, ['add'], lalonde))).toMatchObject({
      covariates: ['age', 'educ', 're74'],
    });
    expect(
      frameOf(follow({ ...effect, chosen: true }, { columns: ['re74'] }, ['add'], lalonde)),
    ).toMatchObject({
      covariates: ['re74'],
      chosen: false,
    });
    expect(
      frameOf(follow({ ...regression, chosen: true }, { columns: ['re74'] }, ['add'], lalonde)),
    ).toMatchObject({
      predictors: ['re74'],
    });
    expect(frameOf(follow(regression, { covariates: ['re75'] }, [], lalonde))).toMatchObject({
      predictors: ['age', 'educ', 're75'],
    });
  });

  it('moves to the Spearman correlation and back', () => {
    const spearman = frameOf(follow(correlation, {}, ['spearman']));
    expect(spearman).toMatchObject({ method: 'spearman' });
    expect(frameOf(follow(spearman, {}, ['pearson']))).not.toHaveProperty('method');
  });

  it('takes everything out it is told to drop, and says when that is not there', () => {
    const filtered: Frame = { ...feeByPlan, filters: [{ column: 'region', op: '=', value: 'north' }] };
    expect(frameOf(follow(filtered, {}, ['drop', 'filter']))).toMatchObject({ filters: [] });
    expect(refusalOf(follow(feeByPlan, {}, ['drop', 'filter']))).toMatch(/no filter to drop/);
    expect(refusalOf(follow(filtered, { columns: ['plan'] }, ['drop', 'filter']))).toMatch(
      /no filter on plan; its filters are on region/,
    );
    expect(refusalOf(follow(filtered, {}, ['drop']))).toMatch(/couldn't tell what to drop/);
    expect(frameOf(follow(feeByPlan, { columns: ['plan'] }, ['drop']))).toMatchObject({ by: [] });
    expect(refusalOf(follow(feeByPlan, { columns: ['region'] }, ['drop']))).toMatch(
      /region is not among the previous question's groupings \(plan\)/,
    );
    expect(refusalOf(follow(effect, { columns: ['married', 'black'] }, ['drop'], lalonde))).toMatch(
      /married, black are not among the previous question's covariates \(age, educ\)/,
    );
    expect(refusalOf(follow(regression, { columns: ['age', 'educ'] }, ['drop'], lalonde))).toMatch(
      /no predictor/,
    );
    expect(refusalOf(follow(distribution, { columns: ['tenure_months'] }, ['drop']))).toMatch(
      /can't drop tenure_months/,
    );
  });

  it('turns a comparison between the arms of a yes/no column into an adjusted effect', () => {
    const arms: Frame = {
      kind: 'compare',
      datasetId: 'lalonde.csv',
      outcome: 're78',
      group: 'treat',
      filters: [],
    };
    expect(frameOf(follow(arms, { covariates: ['age'] }, [], lalonde))).toMatchObject({
      kind: 'effect',
      treatment: 'treat',
      outcome: 're78',
      covariates: ['age'],
    });
    const byTreat: Frame = {
      kind: 'aggregate',
      datasetId: 'lalonde.csv',
      measures: [{ fn: 'mean', column: 're78' }],
      by: ['treat'],
      filters: [],
    };
    expect(frameOf(follow(byTreat, { method: 'ipw' }, [], lalonde))).toMatchObject({
      kind: 'effect',
      method: 'ipw',
      chosen: true,
    });
    // A grouping that is not a yes/no column is no treatment.
    expect(refusalOf(follow(feeByPlan, { covariates: ['region'] }))).toMatch(/applies to an effect estimate/);
  });
});

describe('another dataset', () => {
  it("moves a study's treatment and outcome, but not conditions on the outcome", () => {
    const treatedEarnings: Frame = {
      kind: 'aggregate',
      datasetId: 'lalonde.csv',
      measures: [{ fn: 'mean', column: 're78' }],
      by: [],
      filters: [{ column: 'treat', op: '=', value: 0 }],
    };
    const moved = applyFollowUp(treatedEarnings, slots(), new Set(), checkout, lalonde);
    expect(moved).toMatchObject({
      frame: {
        datasetId: 'checkout_ab.csv',
        measures: [{ column: 'basket_value' }],
        filters: [{ column: 'new_checkout', op: '=', value: 0 }],
      },
      mapped: [
        { from: 're78', to: 'basket_value' },
        { from: 'treat', to: 'new_checkout' },
      ],
    });
    const onOutcome: Frame = { ...treatedEarnings, filters: [{ column: 're78', op: '>', value: 0 }] };
    expect(applyFollowUp(onOutcome, slots(), new Set(), checkout, lalonde)).toMatchObject({
      refusal: { message: expect.stringMatching(/checkout_ab.csv has no column re78/) },
    });
    const model: Frame = { ...regression, predictors: ['treat'] };
    expect(applyFollowUp(model, slots(), new Set(), checkout, lalonde)).toMatchObject({
      frame: { outcome: 'basket_value', predictors: ['new_checkout'] },
    });
  });
});

describe('the columns of a frame', () => {
  it('lists every column a question uses', () => {
    expect(columnsOf({ kind: 'datasets' })).toEqual([]);
    expect(columnsOf({ kind: 'columns', datasetId: 'churn.csv' })).toEqual([]);
    expect(columnsOf({ kind: 'missing', datasetId: 'churn.csv', columns: ['plan'] })).toEqual(['plan']);
    expect(columnsOf({ ...top, filters: [{ column: 'plan', op: '=', value: 'basic' }] })).toEqual([
      'region',
      'plan',
    ]);
    expect(
      columnsOf({
        kind: 'rows',
        datasetId: 'churn.csv',
        column: 'monthly_fee',
        descending: true,
        n: 3,
        filters: [],
      }),
    ).toEqual(['monthly_fee']);
    expect(columnsOf(compare)).toEqual(['monthly_fee', 'plan']);
    expect(columnsOf(regression)).toEqual(['re78', 'age', 'educ']);
  });
});

describe('frames in words', () => {
  it('says every kind of question as a phrase', () => {
    expect(
      [
        { kind: 'datasets' },
        { kind: 'columns', datasetId: 'd.csv', columns: ['a', 'b'] },
        { kind: 'shape', datasetId: 'd.csv' },
        { kind: 'profile', datasetId: 'd.csv' },
        { kind: 'missing', datasetId: 'd.csv', columns: [] },
        { kind: 'missing', datasetId: 'd.csv', columns: ['a'] },
        { kind: 'values', datasetId: 'd.csv', column: 'a', filters: [] },
        { kind: 'top', datasetId: 'd.csv', column: 'a', n: 1, least: true, filters: [] },
        { kind: 'rows', datasetId: 'd.csv', column: 'a', descending: false, n: 1, filters: [] },
        { kind: 'correlation', datasetId: 'd.csv', columns: ['a'], method: 'spearman', filters: [] },
        { kind: 'correlation', datasetId: 'd.csv', columns: ['a', 'b', 'c'], filters: [] },
        { kind: 'compare', datasetId: 'd.csv', outcome: 'y', group: 'g', filters: [] },
        {
          kind: 'regression',
          datasetId: 'd.csv',
          outcome: 'y',
          predictors: ['x'],
          model: 'ols',
          references: { g: 'a' },
          filters: [],
        },
        {
          kind: 'effect',
          datasetId: 'd.csv',
          treatment: 't',
          outcome: 'y',
          covariates: [],
          estimand: 'ATT',
          method: 'matching',
          filters: [],
        },
      ].map((frame) => describeFrame(frame as Frame)),
    ).toEqual([
      'the datasets you can analyse',
      'the type of a and b in d.csv',
      'the size of d.csv',
      'a profile of d.csv',
      'missing values per column of d.csv',
      'missing values in a of d.csv',
      'the distinct values of a in d.csv',
      'the least common value of a in d.csv',
      'the 1 row of d.csv with the lowest a',
      'the Spearman rank correlation of a with every other numeric or true/false column in d.csv',
      'the correlations between every pair of a, b and c in d.csv',
      'whether y differs between the groups of g in d.csv',
      'a linear regression of y on x (compared with g = a) in d.csv',
      'the effect of t on y for those with t (ATT) in d.csv, by 1:1 propensity matching',
    ]);
  });

  it('says every kind of measure, percentiles with their ordinals', () => {
    expect(
      [
        { fn: 'count' as const, column: 'a' },
        { fn: 'median' as const, column: 'a', percentile: 0.01 },
        { fn: 'median' as const, column: 'a', percentile: 0.02 },
        { fn: 'median' as const, column: 'a', percentile: 0.03 },
        { fn: 'median' as const, column: 'a', percentile: 0.11 },
        { fn: 'median' as const, column: 'a', percentile: 0.5 },
        { fn: 'rate' as const, column: 'a', value: 'x' },
        { fn: 'rate' as const, column: 'a', value: 0 },
        { fn: 'rate' as const, condition: { column: 'a', op: 'is missing' as const } },
      ].map(describeMeasure),
    ).toEqual([
      'the number of known a values',
      'the 1st percentile of a',
      'the 2nd percentile of a',
      'the 3rd percentile of a',
      'the 11th percentile of a',
      'the median of a',
      'the share of rows with a = x',
      'the share of a = 0',
      'the share of rows where a IS NULL',
    ]);
  });
});
