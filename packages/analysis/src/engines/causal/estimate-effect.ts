import { readColumnar } from '../../data/csv-columns';
import { type DatabaseOptions, shareMemory, withDatabase } from '../../data/database';
import { loadData } from '../../data/load';
import { readsAsParquet } from '../../data/parquet';
import { BadDataError } from '../../errors';
import { runWorker, startWorker } from '../../parallel/worker';
import { type Balance, standardizedDifferences } from './balance';
import {
  balanceWarnings,
  groupSizeWarnings,
  matchingWarnings,
  overlapWarnings,
  weightWarnings,
} from './diagnostics';
import { differenceInMeans } from './difference-in-means';
import { estimateStreamed } from './estimate-streamed';
import { assertFinite } from './finite';
import { normalInterval, normalTwoSidedP, tInterval, tTwoSidedP } from './inference';
import { ateWeights, attWeights } from './ipw';
import { CollinearityError, leastSquares } from './least-squares';
import { logistic, separatingColumn } from './logistic';
import { matchNearestNeighbourAtt } from './matching';
import type { Overlap } from './overlap';
import {
  fromMessage,
  type RegressionAdjustment,
  type RegressionMessage,
  regressionAdjustment,
  regressionMessage,
} from './regression';
import { selectRows } from './rows';
import { loadStudy, type Study, studyFromColumns } from './study';
import { type EffectResult, type EffectSpec, type Estimate, type Method, methods } from './types';
import {
  type WeightingMethod,
  type WeightingRequest,
  type WeightingResult,
  weighting,
  weightingMethods,
} from './weighting';

const ones = (n: number) => new Float64Array(n).fill(1);

/** Turns a collinear design column back into the covariate a person named. */
function collinearityError(error: CollinearityError, names: readonly string[]): BadDataError {
  const name = names[error.column];
  if (name === undefined)
    return new BadDataError('The covariates are perfectly collinear with the intercept.');
  return new BadDataError(
    `"${name.replace(/=.*/, '')}" is a linear combination of the columns before it (the treatment or other covariates), so its effect cannot be told apart; leave it out.`,
  );
}

function checkCollinearity(covariates: Study['covariates'], n: number): void {
  try {
    leastSquares([ones(n), ...covariates.map((c) => c.values)], new Float64Array(n));
  } catch (error) {
    if (error instanceof CollinearityError)
      throw collinearityError(error, ['(intercept)', ...covariates.map((c) => c.name)]);
    throw error;
  }
}

export interface EstimateOptions {
  /**
   * Run the regression, and some weighting estimators, in worker threads; by default from 200,000
   * rows on, where it pays for the threads' start.
   */
  parallel?: boolean;
}

const parallelRows = 200_000;

/** The regression adjustment in a worker thread (falling back to this one if a worker cannot start), or here. */
function startRegression(
  t: Float64Array,
  covariates: Float64Array[],
  y: Float64Array,
  parallel: boolean,
): Promise<RegressionAdjustment> {
  if (!parallel) return Promise.resolve().then(() => regressionAdjustment(t, covariates, y));
  return runWorker<RegressionMessage>(new URL('./regression-worker.ts', import.meta.url), {
    t,
    covariates,
    y,
  })
    .catch(() => regressionMessage(t, covariates, y))
    .then(fromMessage);
}

/** Runs the requested estimators on a study held in memory: computation only, no I/O. */
export async function estimateFromStudy(
  study: Study,
  spec: EffectSpec,
  source: string,
  options: EstimateOptions = {},
): Promise<EffectResult> {
  const { y, t, covariates } = study;
  const n = y.length;
  let treated = 0;
  for (let i = 0; i < n; i++) treated += t[i]!;
  const control = n - treated;
  if (treated < 2 || control < 2)
    throw new BadDataError(
      `An effect needs at least two treated and two untreated rows with complete data; there are ${treated} treated and ${control} untreated.`,
    );
  const wanted = new Set<Method>(spec.methods ?? methods);
  const estimates: Estimate[] = [];
  const warnings: string[] = [];
  if (study.dropped > 0)
    warnings.push(
      `${study.dropped} rows were left out because one of the requested columns is missing there.`,
    );
  warnings.push(...groupSizeWarnings(treated, control));

  if (wanted.has('difference_in_means')) {
    const d = differenceInMeans(y, t);
    estimates.push({
      method: 'difference_in_means',
      estimand: 'ATE',
      estimate: d.estimate,
      se: d.se,
      ci: tInterval(d.estimate, d.se, d.df),
      pValue: tTwoSidedP(d.estimate / d.se, d.df),
      df: d.df,
      seWelch: d.seWelch,
      ciWelch: tInterval(d.estimate, d.seWelch, d.dfWelch),
    });
  }

  // On large data, worker threads take the regression (while this thread fits the propensity
  // model) and a share of the weighting estimators (started now, so it is ready when they are).
  const parallel = options.parallel ?? n >= parallelRows;
  const helper =
    parallel && covariates.length > 0 && weightingMethods.some((m) => wanted.has(m))
      ? startWorker<WeightingResult>(new URL('./weighting-worker.ts', import.meta.url))
      : undefined;
  try {
    const designNames = ['(intercept)', spec.treatment, ...covariates.map((c) => c.name)];
    let regression: Promise<RegressionAdjustment> | undefined;
    if (wanted.has('regression_adjustment')) {
      if (n <= designNames.length)
        throw new BadDataError(
          `Regression adjustment needs more rows than its ${designNames.length} coefficients; there are ${n}. Use fewer covariates.`,
        );
      regression = startRegression(
        t,
        covariates.map((c) => c.values),
        y,
        parallel,
      );
      // Handled below when awaited; this keeps an early throw elsewhere from leaving it unobserved.
      regression.catch(() => {});
    }
    const regressionAt = estimates.length;

    let balance: Balance[] | undefined;
    let overlap: Overlap | undefined;
    const usesPropensity = [...weightingMethods, 'matching_nn1_att' as const].some((m) => wanted.has(m));
    if (covariates.length === 0) {
      warnings.push(
        'No covariates were given, so nothing is adjusted for: the estimate is the raw difference between the groups. Name the columns that affect both treatment and outcome to adjust for them.',
      );
    } else if (usesPropensity) {
      const propensity = logistic(
        covariates.map((c) => c.values),
        t,
        { shared: helper !== undefined },
      );
      // A singular fit means collinear covariates, unless the covariates separate the groups.
      if (propensity.singular) checkCollinearity(covariates, n);
      if (propensity.separated) {
        const culprit = separatingColumn(covariates, t);
        warnings.push(
          `The covariates predict treatment perfectly${culprit ? ` ("${culprit.replace(/=.*/, '')}" alone separates the groups)` : ''}, so treated and untreated rows have nothing in common to compare: weighting and matching were skipped. Leave out the separating covariate or restrict the data to rows where both groups occur.`,
        );
      } else {
        const e = propensity.probabilities;
        const request: WeightingRequest = {
          y,
          t,
          e,
          design: propensity.design,
          methods: weightingMethods.filter((m) => wanted.has(m)),
          overlap: true,
        };
        // With a helper, it takes every estimator but Hájek's; this thread Hájek's, the balance and the overlap.
        const remote: WeightingMethod[] = helper ? request.methods.filter((m) => m !== 'ipw_hajek') : [];
        const elsewhere = helper
          ?.run({ ...request, methods: remote, overlap: false })
          .catch(() => weighting({ ...request, methods: remote, overlap: false }));
        const ate = ateWeights(t, e);
        const att = attWeights(t, e);
        balance = standardizedDifferences(covariates, t, ate, att);
        const here = weighting({
          ...request,
          methods: request.methods.filter((m) => !remote.includes(m)),
          overlap: true,
        });
        const there = (await elsewhere) ?? { estimates: {} };
        overlap = (here.overlap ?? there.overlap)!;
        warnings.push(...overlapWarnings(overlap, n));
        const add = (
          method: Method,
          estimand: 'ATE' | 'ATT',
          { estimate, se, ...details }: { estimate: number; se: number },
        ) =>
          estimates.push({
            method,
            estimand,
            estimate,
            se,
            ci: normalInterval(estimate, se),
            pValue: normalTwoSidedP(estimate / se),
            ...details,
          });
        for (const method of request.methods)
          add(
            method,
            method === 'ipw_att' ? 'ATT' : 'ATE',
            (here.estimates[method] ?? there.estimates[method])!,
          );
        if (wanted.has('ipw_hajek') || wanted.has('ipw_horvitz_thompson'))
          warnings.push(...weightWarnings(t, ate, 'ATE'));
        if (wanted.has('ipw_att')) warnings.push(...weightWarnings(t, att, 'ATT'));
        warnings.push(...balanceWarnings(balance));
        if (wanted.has('matching_nn1_att')) {
          const matching = matchNearestNeighbourAtt({ y, t, score: propensity.linearPredictor });
          add('matching_nn1_att', 'ATT', matching);
          warnings.push(...matchingWarnings(matching, treated));
        }
      }
    }

    if (regression) {
      try {
        const { estimate, se, seHc1, df } = await regression;
        estimates.splice(regressionAt, 0, {
          method: 'regression_adjustment',
          estimand: 'ATE',
          estimate,
          se,
          ci: tInterval(estimate, se, df),
          pValue: tTwoSidedP(estimate / se, df),
          df,
          seHc1,
          ciHc1: tInterval(estimate, seHc1, df),
        });
      } catch (error) {
        if (error instanceof CollinearityError) throw collinearityError(error, designNames);
        throw error;
      }
    }

    balance ??= standardizedDifferences(covariates, t);
    const headline =
      estimates.find((e) => e.method === spec.headline)?.method ??
      estimates.find((e) => e.method === 'regression_adjustment')?.method ??
      estimates[0]?.method ??
      'difference_in_means';
    const result: EffectResult = {
      tool: 'estimate_effect',
      source,
      treatment: spec.treatment,
      outcome: spec.outcome,
      covariates: covariates.map((c) => c.name),
      n,
      treated,
      control,
      dropped: study.dropped,
      headline,
      estimates,
      balance,
      reading: [],
      warnings,
    };
    if (overlap) result.overlap = overlap;
    assertFinite(result);
    return result;
  } finally {
    // A helper never given work (the groups were separated, or a check failed) is let go.
    helper?.close();
  }
}

/** Effect of a binary treatment on an outcome in a CSV or Parquet file, by every estimator requested. */
export async function estimateEffect(
  path: string,
  spec: EffectSpec,
  options: DatabaseOptions & EstimateOptions = {},
): Promise<EffectResult> {
  const { database, dataBytes } = shareMemory(options);
  return withDatabase(database, async (db) => {
    // A plain file of numbers is read straight into columns; anything else (filters, text or
    // true/false columns, data a check refuses) goes through a DuckDB table, which also words the errors.
    if ((spec.filters ?? []).length === 0 && !(await readsAsParquet(path))) {
      const table = await readColumnar(db, path, {
        only: [spec.treatment, spec.outcome, ...(spec.covariates ?? [])],
        shared: true,
        maxBytes: dataBytes,
      });
      const study = typeof table === 'object' ? studyFromColumns(table, spec) : undefined;
      if (typeof table === 'object' && study)
        return { ...(await estimateFromStudy(study, spec, table.source, options)), reading: table.reading };
      // Too large for memory: the rows stream through a study file on disk.
      if (table === 'too large') {
        const streamed = await estimateStreamed(db, path, spec, dataBytes);
        if (streamed) return streamed;
      }
    }
    const loaded = await loadData(db, path);
    // "…only for mobile": the study is the rows that meet the filters (a view of the table).
    const filters = spec.filters ?? [];
    const scoped =
      filters.length > 0
        ? {
            ...loaded,
            table: `${loaded.table}_filtered`,
            rows: (
              await selectRows(
                db,
                loaded,
                [spec.treatment, spec.outcome, ...(spec.covariates ?? [])],
                filters,
              )
            ).count,
          }
        : loaded;
    const result = await estimateFromStudy(await loadStudy(db, scoped, spec), spec, loaded.source, options);
    return { ...result, reading: loaded.reading, ...(filters.length > 0 && { filters: [...filters] }) };
  });
}
