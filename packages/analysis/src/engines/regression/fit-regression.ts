import { type AnalysisArgs, formatCount, type RegressionResult, stringLiteral } from '@cascade/core/contract';
import { readDoubleColumns } from '../../data/columns';
import { type Database, type DatabaseOptions, shareMemory, withDatabase } from '../../data/database';
import { loadData } from '../../data/load';
import { ident } from '../../data/sql';
import { BadDataError, BadRequestError } from '../../errors';
import { separatingColumn } from '../causal/logistic';
import { columnRows } from '../causal/study-rows';
import { checkDesignValues, type DesignMessages, type DesignPlan, planDesign } from '../rows/design';
import {
  distinctText,
  maxLevels,
  missingWarning,
  type OutcomeShape,
  outcomeShape,
  type Rows,
  selectRows,
  show,
} from '../rows/rows';
import { allFinite, assertFinite } from '../stats/finite';
import { CollinearityError, leastSquares } from '../stats/least-squares';
import { fitLinear, type ModelFit } from './linear';
import { fitLogit } from './logit';

type Args = AnalysisArgs<'fit_regression'>;

const predictorMessages: DesignMessages = {
  dates: (name) => `Predictor "${name}" holds dates; use a number derived from it (such as a year) instead.`,
  tooManyLevels: (name) =>
    `Predictor "${name}" has more than ${maxLevels} distinct values; it looks like an identifier or free text, not a category to use as a predictor.`,
  constant: (name) =>
    `Predictor "${name}" has the same value in every row used; it cannot explain anything, so leave it out.`,
};

/** Logistic regression wants about this many rows of the rarer outcome per coefficient. */
const eventsPerCoefficient = 10;

function checkRequest(args: Args): void {
  const repeated = args.predictors.find((name, i) => args.predictors.indexOf(name) !== i);
  if (repeated) throw new BadRequestError(`Predictor "${repeated}" is listed twice.`);
  if (args.predictors.includes(args.outcome))
    throw new BadRequestError(`"${args.outcome}" cannot be both the outcome and a predictor.`);
  const stray = Object.keys(args.references ?? {}).find((name) => !args.predictors.includes(name));
  if (stray)
    throw new BadRequestError(`A reference level is given for "${stray}", which is not a predictor.`);
}

/** OLS or logistic, from the request and the outcome's values; an outcome neither fits is a BadDataError. */
function chooseModel(args: Args, shape: OutcomeShape, rows: Rows): 'ols' | 'logistic' {
  const outcome = `Outcome "${args.outcome}"`;
  switch (shape.kind) {
    case 'dates':
      throw new BadDataError(
        `${outcome} holds dates; explain a number derived from it (such as a year) instead.`,
      );
    case 'constant':
      throw new BadDataError(
        `${outcome} is ${show([shape.value])} in every row used; there is no variation to explain.`,
      );
    case 'binary':
      if (args.model === 'ols' && rows.kindOf(args.outcome) === 'string')
        throw new BadDataError(
          `${outcome} holds text (${show([shape.negative, shape.positive])}), which OLS cannot fit; use the logistic model for a two-valued outcome.`,
        );
      return args.model === 'ols' ? 'ols' : 'logistic';
    case 'numeric':
      if (args.model === 'logistic')
        throw notTwoValued(args.outcome, 'is a number with many values; use OLS for it');
      return 'ols';
    default: {
      const values =
        shape.kind === 'categorical'
          ? `${shape.levels.length} values (${show(shape.levels)})`
          : `more than ${maxLevels} values`;
      if (args.model === 'logistic')
        throw notTwoValued(args.outcome, `has ${values}; compare it between groups instead`);
      throw new BadDataError(
        `${outcome} holds text with ${values}; regression needs a number or a two-valued outcome. To see how it differs between groups, compare groups instead.`,
      );
    }
  }
}

const notTwoValued = (outcome: string, detail: string) =>
  new BadDataError(
    `Logistic regression needs an outcome with exactly two values (such as 0/1 or yes/no), but "${outcome}" ${detail}.`,
  );

/** Turns a collinear design column back into the predictor a person named. */
function collinearity(error: CollinearityError, sources: readonly string[]): BadDataError {
  return new BadDataError(
    `Predictor "${sources[error.column]}" is a linear combination of the predictors before it (and the intercept), so its coefficient cannot be told apart from theirs; leave it out.`,
  );
}

/**
 * Fits the chosen model on the intercept and the design columns. Collinear predictors, separation
 * and an exact fit become BadDataErrors that name what to change.
 */
async function fitModel(
  model: 'ols' | 'logistic',
  outcome: string,
  plan: DesignPlan,
  y: Float64Array,
  predictors: Float64Array[],
): Promise<ModelFit> {
  const n = y.length;
  const names = ['(intercept)', ...plan.names];
  const columns = [new Float64Array(n).fill(1), ...predictors];
  try {
    if (model === 'ols') {
      const fitted = fitLinear(names, columns, y);
      // Below this share of the variance left, what remains is rounding, not data.
      if (1 - fitted.fit.r2! < 1e-13)
        throw new BadDataError(
          `The predictors explain "${outcome}" exactly (every residual is zero), so no uncertainty is left to estimate; check that no predictor is a copy of the outcome.`,
        );
      return fitted;
    }
    // Logistic fitting cannot tell collinearity from separation; a QR of the design can.
    leastSquares(columns, new Float64Array(n));
    const fitted = await fitLogit(names, columns, predictors, y);
    if (!('separated' in fitted)) return fitted;
    const culprit = separatingColumn(columnRows({ y, t: y, covariates: predictors }), plan.sources);
    throw new BadDataError(
      `Logistic regression has no finite estimates: ${culprit ? `"${culprit}" alone predicts` : 'the predictors predict'} "${outcome}" perfectly for some rows (separation). Leave out ${culprit ? 'that predictor' : 'the predictor that does it'}, merge rare categories, or keep only rows where both outcomes occur.`,
    );
  } catch (error) {
    if (error instanceof CollinearityError) throw collinearity(error, ['(intercept)', ...plan.sources]);
    throw error;
  }
}

/** Rows complete in every used column, after checking that each column has values. */
async function completeRows(db: Database, rows: Rows, used: readonly string[], scope: string) {
  const complete = used.map((name) => `${ident(name)} IS NOT NULL`).join(' AND ');
  const counts = (await db.values(
    `SELECT count(*) FILTER (WHERE ${complete}), ${used.map((name) => `count(${ident(name)})`).join(', ')} FROM ${rows.from}`,
  )) as number[];
  used.forEach((name, i) => {
    if (counts[i + 1] === 0)
      throw new BadDataError(`Column "${name}" has no values${scope}: every row is missing.`);
  });
  if (counts[0] === 0)
    throw new BadDataError(
      `No row${scope} has values for all of ${used.map((name) => `"${name}"`).join(', ')}; leave out a column with many missing values.`,
    );
  return { complete, n: counts[0]! };
}

/**
 * Fits an outcome on predictors: OLS for a numeric outcome, logistic regression for a binary one
 * (or as asked), over the rows complete in every column used, with HC1 standard errors.
 */
export async function fitRegression(
  path: string,
  args: Args,
  options: DatabaseOptions = {},
): Promise<RegressionResult> {
  checkRequest(args);
  return withDatabase(shareMemory(options).database, async (db) => {
    const loaded = await loadData(db, path);
    const used = [args.outcome, ...args.predictors];
    const rows = await selectRows(db, loaded, used, args.filters);
    const scope = args.filters?.length ? ' among the rows that meet the filters' : '';
    const { complete, n } = await completeRows(db, rows, used, scope);

    const shape = outcomeShape(
      rows.kindOf(args.outcome),
      await distinctText(db, rows, args.outcome, complete),
    );
    const model = chooseModel(args, shape, rows);
    const positive = model === 'logistic' && shape.kind === 'binary' ? shape.positive : undefined;
    const plan = await planDesign(
      db,
      rows.from,
      complete,
      args.predictors.map((name) => ({
        name,
        kind: rows.kindOf(name),
        ...(args.references?.[name] !== undefined && { reference: args.references[name] }),
      })),
      predictorMessages,
    );
    const k = plan.names.length + 1;
    if (n <= k)
      throw new BadDataError(
        `The model has ${k} coefficients (the intercept, numeric predictors and a dummy per category but the reference), so it needs more than ${k} complete rows; there are ${n}. Use fewer predictors or more rows.`,
      );
    const outcomeSelect =
      positive === undefined
        ? `CAST(${ident(args.outcome)} AS DOUBLE)`
        : `CAST(${rows.textOf(args.outcome)} = ${stringLiteral(positive)} AS DOUBLE)`;
    const [y, ...predictors] = await readDoubleColumns(
      db,
      `SELECT ${[outcomeSelect, ...plan.selects].join(', ')} FROM ${rows.from} WHERE ${complete}`,
      n,
    );
    if (!allFinite(y!))
      throw new BadDataError(`Column "${args.outcome}" has infinite values; remove or cap them.`);
    checkDesignValues(plan, predictors, predictorMessages);

    const fitted = await fitModel(model, args.outcome, plan, y!, predictors);

    const warnings: string[] = [];
    if (rows.count > n) warnings.push(missingWarning(`"${args.outcome}" or a predictor`, rows.count - n));
    if (positive !== undefined) {
      let events = 0;
      for (const v of y!) events += v;
      const rarer = Math.min(events, n - events);
      if (rarer < eventsPerCoefficient * (k - 1))
        warnings.push(
          `Only ${formatCount(rarer)} rows have the rarer value of "${args.outcome}" for ${k - 1} coefficients besides the intercept; below about ${eventsPerCoefficient} per coefficient logistic estimates and their intervals are unreliable. Use fewer predictors or more rows.`,
        );
    }
    const result: RegressionResult = {
      tool: 'fit_regression',
      source: loaded.source,
      outcome: args.outcome,
      model,
      ...(positive !== undefined && { positive }),
      predictors: [...args.predictors],
      references: plan.references,
      n,
      dropped: rows.count - n,
      coefficients: fitted.coefficients,
      covariance: 'HC1',
      ...(fitted.df !== undefined && { df: fitted.df }),
      fit: fitted.fit,
      ...(args.filters?.length ? { filters: args.filters } : {}),
      reading: loaded.reading,
      warnings,
    };
    assertFinite(result);
    return result;
  });
}
