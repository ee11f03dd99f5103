import * as z from 'zod';
import { DatasetId } from '../protocol/client';

/**
 * The analysis tools' inputs, declared once: the agent's tool registry offers them to the model
 * and validates calls with them, and the analysis engines parse their jobs with them.
 */

const Column = z.string().min(1).max(256);

export const filterOperators = [
  '=',
  '!=',
  '<',
  '<=',
  '>',
  '>=',
  'between',
  'in',
  'not in',
  'is missing',
  'is not missing',
] as const;
export type FilterOperator = (typeof filterOperators)[number];

const Scalar = z.union([z.string().max(1000), z.number(), z.boolean()]);

/**
 * One condition on a column. `between` takes [low, high] (both included), `in`/`not in` a list,
 * the missing tests nothing, the comparisons one value.
 */
export const Filter = z
  .object({
    column: Column,
    op: z.enum(filterOperators),
    value: z.union([Scalar, z.array(Scalar).min(1).max(200)]).optional(),
  })
  .superRefine((filter, context) => {
    const { op, value } = filter;
    const problem =
      op === 'is missing' || op === 'is not missing'
        ? value !== undefined && `"${op}" takes no value`
        : op === 'between'
          ? !(Array.isArray(value) && value.length === 2) && '"between" takes [low, high]'
          : op === 'in' || op === 'not in'
            ? !Array.isArray(value) && `"${op}" takes a list of values`
            : (value === undefined || Array.isArray(value)) && `"${op}" takes one value`;
    if (problem) context.addIssue({ code: 'custom', message: problem, path: ['value'] });
  });
export type Filter = z.infer<typeof Filter>;

const Filters = z
  .array(Filter)
  .max(20)
  .optional()
  .describe('Conditions a row must meet to be included (all of them).');

export const chartKinds = ['bar', 'line', 'scatter', 'histogram'] as const;

/** A chart drawn from a query's result columns. */
export const ChartSpec = z.object({
  kind: z.enum(chartKinds),
  x: Column.describe(
    'Result column for the x axis: categories for bar, numbers or dates for line and scatter, the values themselves for histogram.',
  ),
  y: Column.optional().describe('Result column for the y axis (bar, line, scatter).'),
  series: Column.optional().describe('Result column that splits bars or lines into series.'),
  title: z.string().min(1).max(200).optional(),
});
export type ChartSpec = z.infer<typeof ChartSpec>;

export const QueryDataInput = z.object({
  datasetId: DatasetId.describe('The dataset id, e.g. "churn.csv".'),
  sql: z
    .string()
    .min(1)
    .max(10_000)
    .describe(
      'One read-only SELECT (or WITH … SELECT) statement in DuckDB SQL over the table named data. No other tables, files or settings are reachable.',
    ),
  chart: ChartSpec.optional().describe('A chart of the result, when one helps.'),
});
export type QueryDataInput = z.infer<typeof QueryDataInput>;

export const CompareGroupsInput = z.object({
  datasetId: DatasetId.describe('The dataset id.'),
  outcome: Column.describe(
    'The column compared between groups: numeric, binary (0/1, true/false) or categorical.',
  ),
  group: Column.describe('The column whose values define the groups.'),
  groups: z
    .array(z.string().min(1).max(1000))
    .min(2)
    .max(50)
    .optional()
    .describe('The values of group to compare, in the order to report them; every value by default.'),
  filters: Filters,
});
export type CompareGroupsInput = z.infer<typeof CompareGroupsInput>;

export const regressionModels = ['auto', 'ols', 'logistic'] as const;
export type RegressionModelChoice = (typeof regressionModels)[number];

export const FitRegressionInput = z.object({
  datasetId: DatasetId.describe('The dataset id.'),
  outcome: Column.describe('The column to explain: numeric for OLS, binary (0/1, true/false) for logistic.'),
  predictors: z
    .array(Column)
    .min(1)
    .max(30)
    .describe('Explanatory columns; categorical ones are dummy-coded against a named reference level.'),
  references: z
    .record(Column, z.string().min(1).max(200))
    .optional()
    .describe(
      'The level each categorical predictor is compared with, e.g. {"plan": "basic"}; by default its most common level.',
    ),
  model: z
    .enum(regressionModels)
    .optional()
    .describe('ols, logistic, or auto (logistic for a binary outcome, else OLS). Default auto.'),
  filters: Filters,
});
export type FitRegressionInput = z.infer<typeof FitRegressionInput>;

export const ProfileInput = z.object({
  datasetId: DatasetId.describe('The dataset id, e.g. "churn.csv".'),
});
export type ProfileInput = z.infer<typeof ProfileInput>;

/** What a person can ask for as the headline of an effect estimate; every method is still reported. */
export const effectMethodChoices = [
  'regression_adjustment',
  'ipw',
  'matching',
  'difference_in_means',
] as const;
export type EffectMethodChoice = (typeof effectMethodChoices)[number];

export const EstimateEffectInput = z.object({
  datasetId: DatasetId.describe('The dataset id.'),
  treatment: Column.describe('Name of the binary (0/1 or true/false) treatment column.'),
  outcome: Column.describe('Name of the numeric (or 0/1) outcome column.'),
  covariates: z.array(Column).max(50).optional().describe('Columns to adjust for.'),
  method: z
    .enum(effectMethodChoices)
    .optional()
    .describe('The method to lead with; regression adjustment unless the user asked for another.'),
  filters: Filters,
});
export type EstimateEffectInput = z.infer<typeof EstimateEffectInput>;

/** The engine tools' inputs by tool name. */
export const analysisInputs = {
  query_data: QueryDataInput,
  compare_groups: CompareGroupsInput,
  fit_regression: FitRegressionInput,
  profile: ProfileInput,
  estimate_effect: EstimateEffectInput,
} as const;
export type AnalysisTool = keyof typeof analysisInputs;
export const analysisTools = Object.keys(analysisInputs) as AnalysisTool[];

/** A tool's arguments as the engine takes them: its input without the dataset, which becomes a file. */
export type AnalysisArgs<T extends AnalysisTool> = Omit<z.infer<(typeof analysisInputs)[T]>, 'datasetId'>;
