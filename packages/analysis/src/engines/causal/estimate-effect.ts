import { stat } from 'node:fs/promises';
import type { ReadNote } from '@cascade/core/contract';
import { readColumnar } from '../../data/csv-columns';
import { type DatabaseOptions, shareMemory, withDatabase } from '../../data/database';
import { loadData } from '../../data/load';
import { readsAsParquet } from '../../data/parquet';
import { SpillDirectory } from '../../data/spill';
import { BadDataError } from '../../errors';
import { type PendingWorker, prepareWorker, startWorker } from '../../parallel/worker';
import { selectRows } from '../rows/rows';
import { assertFinite } from '../stats/finite';
import { normalInterval, normalTwoSidedP, tInterval, tTwoSidedP } from '../stats/inference';
import { CollinearityError } from '../stats/least-squares';
import { type Balance, balanceBefore } from './balance';
import {
  balanceWarnings,
  groupSizeWarnings,
  groupWeightWarnings,
  matchingWarnings,
  overlapWarnings,
} from './diagnostics';
import { differenceInMeans } from './difference-in-means';
import { covariateMeans, fitPropensity, separatingColumn, sharedArray } from './logistic';
import { matchNearestNeighbourAtt } from './matching';
import type { Overlap, ScoreTarget } from './overlap';
import { runner } from './passes';
import { checkCovariates, regressionAdjustment } from './regression';
import { loadStudy, type Study, studyFromColumns } from './study';
import { columnRows, type StudyRows } from './study-rows';
import { streamStudy } from './study-stream';
import { type EffectResult, type EffectSpec, type Estimate, type Method, methods } from './types';
import { firstPassParams, weighting, weightingMethods } from './weighting';

export interface EstimateOptions {
  /**
   * Share every pass over the rows with a worker thread (which also scans the second half of
   * a large file); by default for files of 16 MB or more, and studies given in memory from 200,000
   * rows on, where it pays for the thread's start.
   */
  parallel?: boolean;
}

const parallelRows = 200_000;
const parallelBytes = 16 * 1024 * 1024;
const effectHelper = new URL('./effect-helper-worker.ts', import.meta.url);

/** The rows an estimate is made from, and what its result says about them. */
interface StudyContext {
  rows: StudyRows;
  /** The design's names: numeric covariates as named, categorical ones as name=level indicators. */
  covariates: readonly string[];
  dropped: number;
  /** Where each group's propensities (control, treated) wait for the overlap's quantiles: memory, or disk for a study on disk. */
  targets: (control: number, treated: number) => [ScoreTarget, ScoreTarget];
}

/** Turns a collinear design column back into the covariate a person named. */
function collinearityError(error: unknown, names: readonly string[]): unknown {
  if (!(error instanceof CollinearityError)) return error;
  const name = names[error.column];
  if (name === undefined)
    return new BadDataError('The covariates are perfectly collinear with the intercept.');
  return new BadDataError(
    `"${name.replace(/=.*/, '')}" is a linear combination of the columns before it (the treatment or other covariates), so its effect cannot be told apart; leave it out.`,
  );
}

const withInterval = (
  method: Method,
  estimand: 'ATE' | 'ATT',
  { estimate, se, ...details }: { estimate: number; se: number },
): Estimate => ({
  method,
  estimand,
  estimate,
  se,
  ci: normalInterval(estimate, se),
  pValue: normalTwoSidedP(estimate / se),
  ...details,
});

/**
 * Runs the requested estimators over a study's rows, in memory or on disk alike: computation
 * only. Every pass over the rows runs in ranges, which `helper` (if there is one) shares.
 */
async function estimateFromRows(
  { rows, covariates, dropped, targets }: StudyContext,
  spec: EffectSpec,
  helper: PendingWorker<unknown> | undefined,
): Promise<Omit<EffectResult, 'source' | 'reading'>> {
  const { n, treated } = rows;
  const control = n - treated;
  if (treated < 2 || control < 2)
    throw new BadDataError(
      `An effect needs at least two treated and two untreated rows with complete data; there are ${treated} treated and ${control} untreated.`,
    );
  const run = runner(rows, helper);
  const wanted = new Set<Method>(spec.methods ?? methods);
  const estimates: Estimate[] = [];
  const warnings: string[] = [];
  if (dropped > 0)
    warnings.push(`${dropped} rows were left out because one of the requested columns is missing there.`);
  warnings.push(...groupSizeWarnings(treated, control));

  if (wanted.has('difference_in_means')) {
    const d = differenceInMeans(rows);
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

  if (wanted.has('regression_adjustment')) {
    const designNames = ['(intercept)', spec.treatment, ...covariates];
    if (n <= designNames.length)
      throw new BadDataError(
        `Regression adjustment needs more rows than its ${designNames.length} coefficients; there are ${n}. Use fewer covariates.`,
      );
    const { estimate, se, seHc1, df } = await regressionAdjustment(run).catch((error) => {
      throw collinearityError(error, designNames);
    });
    estimates.push({
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
  }

  let balanced: Balance[] | undefined;
  let overlap: Overlap | undefined;
  const usesPropensity = [...weightingMethods, 'matching_nn1_att' as const].some((m) => wanted.has(m));
  if (covariates.length === 0)
    warnings.push(
      'No covariates were given, so nothing is adjusted for: the estimate is the raw difference between the groups. Name the columns that affect both treatment and outcome to adjust for them.',
    );
  else if (usesPropensity) {
    // The weighting's first pass rides along the propensity model's last: each group's propensities
    // go to its target, in row order.
    const scoreTargets = targets(control, treated);
    const kept = wanted.has('matching_nn1_att')
      ? { score: sharedArray(n), y: sharedArray(n), t: sharedArray(n) }
      : undefined;
    const model = await fitPropensity(run, {
      first: (treatedByRange) => firstPassParams(n, treatedByRange, scoreTargets, kept),
    });
    // A singular fit means collinear covariates, unless the covariates separate the groups.
    if (model.singular)
      await checkCovariates(run).catch((error) => {
        throw collinearityError(error, ['(intercept)', ...covariates]);
      });
    if (model.separated) {
      const culprit = separatingColumn(rows, covariates);
      warnings.push(
        `The covariates predict treatment perfectly${culprit ? ` ("${culprit.replace(/=.*/, '')}" alone separates the groups)` : ''}, so treated and untreated rows have nothing in common to compare: weighting and matching were skipped. Leave out the separating covariate or restrict the data to rows where both groups occur.`,
      );
    } else {
      const weighted = await weighting(
        run,
        model,
        model.first!,
        scoreTargets,
        weightingMethods.filter((m) => wanted.has(m)),
        covariates,
      );
      overlap = weighted.overlap;
      warnings.push(...overlapWarnings(overlap, n));
      for (const method of weightingMethods) {
        const estimate = weighted.estimates[method];
        if (estimate) estimates.push(withInterval(method, method === 'ipw_att' ? 'ATT' : 'ATE', estimate));
      }
      if (wanted.has('ipw_hajek') || wanted.has('ipw_horvitz_thompson'))
        warnings.push(
          ...groupWeightWarnings(weighted.ateWeights[1], 'ATE'),
          ...groupWeightWarnings(weighted.ateWeights[0], 'ATE'),
        );
      if (wanted.has('ipw_att')) warnings.push(...groupWeightWarnings(weighted.attWeights, 'ATT'));
      balanced = weighted.balance;
      warnings.push(...balanceWarnings(balanced));
      if (kept) {
        const matching = matchNearestNeighbourAtt(kept);
        estimates.push(withInterval('matching_nn1_att', 'ATT', matching));
        warnings.push(...matchingWarnings(matching, treated));
      }
    }
  }

  const headline =
    estimates.find((e) => e.method === spec.headline)?.method ??
    estimates.find((e) => e.method === 'regression_adjustment')?.method ??
    estimates[0]?.method ??
    'difference_in_means';
  const result: Omit<EffectResult, 'source' | 'reading'> = {
    tool: 'estimate_effect',
    treatment: spec.treatment,
    outcome: spec.outcome,
    covariates: [...covariates],
    n,
    treated,
    control,
    dropped,
    headline,
    estimates,
    balance: balanced ?? (await balanceBefore(run, covariates, await covariateMeans(run))),
    warnings,
  };
  if (overlap) result.overlap = overlap;
  assertFinite(result);
  return result;
}

/** The context of a study held in memory. */
const inMemory = (study: Study): StudyContext => ({
  rows: columnRows({ y: study.y, t: study.t, covariates: study.covariates.map((c) => c.values) }),
  covariates: study.covariates.map((c) => c.name),
  dropped: study.dropped,
  targets: (control, treated) => [{ memory: sharedArray(control) }, { memory: sharedArray(treated) }],
});

/** Runs the requested estimators on a study held in memory: computation only, no I/O. */
export async function estimateFromStudy(
  study: Study,
  spec: EffectSpec,
  source: string,
  options: EstimateOptions = {},
): Promise<EffectResult> {
  const threaded = options.parallel ?? study.y.length >= parallelRows;
  if (threaded) await prepareWorker(effectHelper);
  const helper = threaded ? startWorker<unknown>(effectHelper) : undefined;
  try {
    return { ...(await estimateFromRows(inMemory(study), spec, helper)), source, reading: [] };
  } finally {
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
  const size = (await stat(path).catch(() => undefined))?.size ?? 0;
  // Started before the file is read: it scans the second half of a large one, then estimates.
  const threaded = options.parallel ?? size >= parallelBytes;
  if (threaded) await prepareWorker(effectHelper);
  const helper = threaded ? startWorker<unknown>(effectHelper) : undefined;
  let spill: SpillDirectory | undefined;
  const finish = async (context: StudyContext, source: string, reading: ReadNote[]) => ({
    ...(await estimateFromRows(context, spec, helper)),
    source,
    reading,
  });
  try {
    return await withDatabase(database, async (db) => {
      // A plain file of numbers is read straight into columns; anything else (filters, text or
      // true/false columns, data a check refuses) goes through a DuckDB table, which also words the errors.
      if ((spec.filters ?? []).length === 0 && !(await readsAsParquet(path))) {
        const table = await readColumnar(db, path, {
          only: [spec.treatment, spec.outcome, ...(spec.covariates ?? [])],
          shared: true,
          maxBytes: dataBytes,
          helper,
        });
        const study = typeof table === 'object' ? studyFromColumns(table, spec) : undefined;
        if (typeof table === 'object' && study) return finish(inMemory(study), table.source, table.reading);
        // Too large for memory: the rows stream through a study file on disk.
        if (table === 'too large') {
          spill = new SpillDirectory();
          const streamed = await streamStudy(db, path, spec, dataBytes, spill);
          if (streamed) {
            // The overlap's quantiles from disk too, within a quarter of the memory allowed.
            const budgetValues = Math.max(1 << 16, Math.floor(dataBytes / 4 / 8));
            const files = [spill.column(), spill.column()];
            for (const file of files) file.close();
            const context: StudyContext = {
              ...streamed,
              covariates: spec.covariates ?? [],
              targets: () => [
                { file: files[0]!.path, budgetValues },
                { file: files[1]!.path, budgetValues },
              ],
            };
            return finish(context, streamed.source, streamed.reading);
          }
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
      const result = await finish(inMemory(await loadStudy(db, scoped, spec)), loaded.source, loaded.reading);
      return filters.length > 0 ? { ...result, filters: [...filters] } : result;
    });
  } finally {
    helper?.close();
    spill?.remove();
  }
}
