import { describe, expect, it } from 'vitest';
import { measureName, measureSql, plannedCalls } from '../../../src/agent/planner/calls';
import type { Frame } from '../../../src/agent/planner/frame';
import { sampleSchema } from './fixtures';

/** The tool calls and SQL each kind of frame becomes: what a person sees under the answer. */

const churn = sampleSchema('churn.csv')!;
const sqlOf = (frame: Frame) => plannedCalls(frame, churn).map((call) => String(call.input.sql));

describe('the SQL of aggregates', () => {
  it('names each measure after what it computes', () => {
    expect(
      [
        { fn: 'count' as const },
        { fn: 'count' as const, column: 'satisfaction' },
        { fn: 'mean' as const, column: 'monthly_fee' },
        { fn: 'median' as const, column: 'tenure_months', percentile: 0.9 },
        { fn: 'sum' as const, column: 'support_calls' },
        { fn: 'rate' as const, column: 'churned' },
        { fn: 'rate' as const, column: 'plan', value: 'premium' },
        { fn: 'rate' as const, condition: { column: 'last_feedback', op: 'is missing' as const } },
        { fn: 'rate' as const, condition: { column: 'region', op: '=' as const, value: 'north' } },
      ].map(measureName),
    ).toEqual([
      'rows',
      'count_satisfaction',
      'mean_monthly_fee',
      'p90_tenure_months',
      'total_support_calls',
      'share_churned',
      'share_plan_premium',
      'share_last_feedback_missing',
      'share_region_north',
    ]);
  });

  it('writes each aggregate as DuckDB does it, shares over the rows where the column is known', () => {
    expect(
      [
        { fn: 'std' as const, column: 'monthly_fee' },
        { fn: 'variance' as const, column: 'monthly_fee' },
        { fn: 'min' as const, column: 'signup_date' },
        { fn: 'max' as const, column: 'tenure_months' },
        { fn: 'median' as const, column: 'tenure_months' },
        { fn: 'rate' as const, column: 'churned' },
        { fn: 'rate' as const, column: 'retention_offer' },
        { fn: 'rate' as const, condition: { column: 'device', op: '=' as const, value: 'mobile' } },
      ].map((m) => measureSql(m, churn)),
    ).toEqual([
      'stddev_samp("monthly_fee")',
      'var_samp("monthly_fee")',
      'min("signup_date")',
      'max("tenure_months")',
      'quantile_cont("tenure_months", 0.5)',
      'avg(CASE WHEN "churned" = true THEN 1.0 WHEN "churned" IS NOT NULL THEN 0.0 END)',
      'avg(CASE WHEN "retention_offer" = 1 THEN 1.0 WHEN "retention_offer" IS NOT NULL THEN 0.0 END)',
      `avg(CASE WHEN "device" = 'mobile' THEN 1.0 ELSE 0.0 END)`,
    ]);
  });

  it('groups, filters, ranks and charts', () => {
    const frame: Frame = {
      kind: 'aggregate',
      datasetId: 'churn.csv',
      measures: [{ fn: 'rate', column: 'churned' }],
      by: ['plan', 'region'],
      filters: [
        { column: 'tenure_months', op: 'between', value: [6, 24] },
        { column: 'region', op: 'in', value: ['north', "o'brien"] },
      ],
      rank: { descending: false, limit: 2 },
    };
    const [call] = plannedCalls(frame, churn);
    expect(call).toEqual({
      tool: 'query_data',
      input: {
        datasetId: 'churn.csv',
        sql: [
          'SELECT "plan", "region", avg(CASE WHEN "churned" = true THEN 1.0 WHEN "churned" IS NOT NULL THEN 0.0 END) AS "share_churned", count(*) AS rows',
          'FROM data',
          `WHERE "tenure_months" BETWEEN 6 AND 24 AND "region" IN ('north', 'o''brien')`,
          'GROUP BY "plan", "region"',
          'ORDER BY "share_churned" ASC NULLS LAST, "plan", "region"',
        ].join('\n'),
        chart: { kind: 'bar', x: 'plan', y: 'share_churned', series: 'region' },
      },
    });
    expect(
      sqlOf({ kind: 'aggregate', datasetId: 'churn.csv', measures: [{ fn: 'count' }], by: [], filters: [] }),
    ).toEqual(['SELECT count(*) AS "rows"\nFROM data']);
  });
});

describe('the calls of every other kind of question', () => {
  it('lists, describes, sizes and profiles', () => {
    expect(plannedCalls({ kind: 'datasets' }, undefined)).toEqual([{ tool: 'list_datasets', input: {} }]);
    expect(plannedCalls({ kind: 'columns', datasetId: 'churn.csv' }, churn)).toEqual([
      { tool: 'describe_dataset', input: { datasetId: 'churn.csv' } },
    ]);
    expect(sqlOf({ kind: 'shape', datasetId: 'churn.csv' })).toEqual(['SELECT count(*) AS rows\nFROM data']);
    expect(plannedCalls({ kind: 'profile', datasetId: 'churn.csv' }, churn)).toEqual([
      { tool: 'profile', input: { datasetId: 'churn.csv' } },
    ]);
  });

  it('counts missing values per column, of every column when none is named', () => {
    const [named] = sqlOf({ kind: 'missing', datasetId: 'churn.csv', columns: ['satisfaction'] });
    expect(named).toBe(
      'SELECT count(*) AS rows,\n  count(*) - count("satisfaction") AS "satisfaction"\nFROM data',
    );
    const [all] = sqlOf({ kind: 'missing', datasetId: 'churn.csv', columns: [] });
    expect(all?.match(/count\(\*\) - count/g)).toHaveLength(12);
  });

  it('counts the values of a column, most common first, with a bar chart', () => {
    expect(
      plannedCalls(
        { kind: 'top', datasetId: 'churn.csv', column: 'plan', n: 1, least: false, filters: [] },
        churn,
      ),
    ).toEqual([
      {
        tool: 'query_data',
        input: {
          datasetId: 'churn.csv',
          sql: 'SELECT "plan", count(*) AS rows\nFROM data\nGROUP BY "plan"\nORDER BY rows DESC, "plan"',
          chart: { kind: 'bar', x: 'plan', y: 'rows' },
        },
      },
    ]);
  });

  it('takes the rows with the highest values, the missing ones left out', () => {
    expect(
      sqlOf({
        kind: 'rows',
        datasetId: 'churn.csv',
        column: 'monthly_fee',
        descending: true,
        n: 5,
        filters: [{ column: 'plan', op: '=', value: 'basic' }],
      }),
    ).toEqual([
      `SELECT *\nFROM data\nWHERE "plan" = 'basic' AND "monthly_fee" IS NOT NULL\nORDER BY "monthly_fee" DESC\nLIMIT 5`,
    ]);
  });

  it('correlates a pair, one column with every numeric or yes/no column, or every pair of several', () => {
    const [pair] = sqlOf({
      kind: 'correlation',
      datasetId: 'churn.csv',
      columns: ['tenure_months', 'monthly_fee'],
      filters: [],
    });
    expect(pair).toBe(
      `SELECT 'tenure_months' AS "column", 'monthly_fee' AS "with", corr(CAST("tenure_months" AS DOUBLE), CAST("monthly_fee" AS DOUBLE)) AS r, count(*) FILTER (WHERE "tenure_months" IS NOT NULL AND "monthly_fee" IS NOT NULL) AS n FROM data`,
    );
    const [ranked] = sqlOf({
      kind: 'correlation',
      datasetId: 'churn.csv',
      columns: ['churned'],
      filters: [{ column: 'plan', op: '=', value: 'basic' }],
    });
    // monthly_fee, tenure_months, support_calls, autopay, satisfaction, retention_offer
    expect(ranked?.match(/UNION ALL/g)).toHaveLength(5);
    expect(ranked).toContain(`FROM data WHERE "plan" = 'basic'`);
    expect(ranked?.endsWith('ORDER BY abs(r) DESC NULLS LAST')).toBe(true);
    const [matrix] = sqlOf({
      kind: 'correlation',
      datasetId: 'churn.csv',
      columns: ['monthly_fee', 'tenure_months', 'satisfaction'],
      filters: [],
    });
    expect(matrix?.match(/SELECT '/g)).toHaveLength(3);
  });

  it('describes a distribution with one query and draws it with another', () => {
    const calls = plannedCalls(
      { kind: 'distribution', datasetId: 'churn.csv', column: 'satisfaction', filters: [] },
      churn,
    );
    expect(calls.map((c) => c.input.chart)).toEqual([
      undefined,
      { kind: 'histogram', x: 'satisfaction', title: 'Distribution of satisfaction' },
    ]);
  });

  it('passes comparisons, regressions and effects to their tools with only what the frame says', () => {
    expect(
      plannedCalls(
        { kind: 'compare', datasetId: 'churn.csv', outcome: 'churned', group: 'plan', filters: [] },
        churn,
      ),
    ).toEqual([
      { tool: 'compare_groups', input: { datasetId: 'churn.csv', outcome: 'churned', group: 'plan' } },
    ]);
    expect(
      plannedCalls(
        {
          kind: 'regression',
          datasetId: 'churn.csv',
          outcome: 'churned',
          predictors: ['tenure_months'],
          model: 'logistic',
          filters: [{ column: 'plan', op: '!=', value: 'basic' }],
        },
        churn,
      ),
    ).toEqual([
      {
        tool: 'fit_regression',
        input: {
          datasetId: 'churn.csv',
          outcome: 'churned',
          predictors: ['tenure_months'],
          model: 'logistic',
          filters: [{ column: 'plan', op: '!=', value: 'basic' }],
        },
      },
    ]);
    expect(
      plannedCalls(
        {
          kind: 'effect',
          datasetId: 'churn.csv',
          treatment: 'retention_offer',
          outcome: 'churned',
          covariates: ['tenure_months'],
          method: 'matching',
          filters: [],
        },
        churn,
      ),
    ).toEqual([
      {
        tool: 'estimate_effect',
        input: {
          datasetId: 'churn.csv',
          treatment: 'retention_offer',
          outcome: 'churned',
          covariates: ['tenure_months'],
          method: 'matching',
        },
      },
    ]);
  });
});
