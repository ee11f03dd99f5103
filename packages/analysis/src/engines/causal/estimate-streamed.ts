import { planStream, streamBatches } from '../../data/csv-stream';
import type { Database } from '../../data/database';
import { SpillDirectory } from '../../data/spill';
import { BadDataError } from '../../errors';
import { groupSizeWarnings } from './diagnostics';
import { assertFinite } from './finite';
import { normalInterval, normalTwoSidedP, tInterval, tTwoSidedP } from './inference';
import { CollinearityError } from './least-squares';
import {
  streamedBalance,
  streamedCollinearity,
  streamedDifferenceInMeans,
  streamedLogistic,
  streamedMatching,
  streamedRegression,
  streamedSeparatingColumn,
  streamedWeighting,
} from './stream-estimate';
import { StudyFile } from './study-file';
import { type EffectResult, type EffectSpec, type Estimate, type Method, methods } from './types';
import { weightingMethods } from './weighting';

/**
 * An effect estimated from a plain CSV file too large for memory, in bounded memory: its complete
 * rows are written to a study file on disk as the file streams by (checked as loadStudy checks
 * them), and every estimator reads that file a block at a time (stream-estimate.ts). Undefined
 * when the file is not plain, a column is not numeric, or a check fails: the table way then
 * answers, in words where the data cannot.
 */
export async function estimateStreamed(
  db: Database,
  path: string,
  spec: EffectSpec,
  dataBytes: number,
): Promise<EffectResult | undefined> {
  const covariates = spec.covariates ?? [];
  const used = [spec.outcome, spec.treatment, ...covariates];
  if (new Set(used).size !== used.length) return undefined;
  const plan = await planStream(db, path, used);
  if (!plan) return undefined;
  const at = used.map((name) => plan.columns.findIndex((c) => c.name === name));
  if (at.some((c) => c < 0 || plan.columns[c]!.kind !== 'number')) return undefined;
  const spill = new SpillDirectory();
  try {
    // Blocks of up to 65,536 rows, fewer under a small budget: a sixteenth of it for a block.
    const blockRows = Math.min(
      1 << 16,
      Math.max(1024, Math.floor(dataBytes / 16 / (8 * (covariates.length + 2)))),
    );
    const file = new StudyFile(spill, covariates.length, blockRows);
    // Whether each used column varies (and the treatment is 0/1), checked as the rows go by.
    const firsts = new Float64Array(used.length).fill(Number.NaN);
    const varies = new Uint8Array(used.length);
    let binary = true;
    const row = new Float64Array(covariates.length);
    const batchRows = Math.max(2048, Math.floor(dataBytes / 16 / (8 * plan.columns.length)));
    const streamed = streamBatches(plan, batchRows, (batch) => {
      const columns = at.map((c) => batch.numbers[c]!);
      for (let i = 0; i < batch.rows; i++) {
        let complete = true;
        for (const column of columns) if (Number.isNaN(column[i]!)) complete = false;
        if (!complete) continue;
        columns.forEach((column, j) => {
          if (Number.isNaN(firsts[j]!)) firsts[j] = column[i]!;
          else if (column[i] !== firsts[j]) varies[j] = 1;
        });
        const t = columns[1]![i]!;
        if (t !== 0 && t !== 1) binary = false;
        for (let j = 0; j < covariates.length; j++) row[j] = columns[j + 2]![i]!;
        file.push(columns[0]![i]!, t, row);
      }
    });
    file.close();
    if (!streamed || !binary || file.n === 0 || !varies[0] || !varies[1] || !varies.every((v) => v === 1))
      return undefined;
    const result = estimateFromStudyFile(file, spec, covariates, streamed.rows - file.n, spill, dataBytes);
    return { ...result, source: streamed.source, reading: streamed.reading };
  } finally {
    spill.remove();
  }
}

/** estimateFromStudy's estimates, warnings and diagnostics, over a study file. */
function estimateFromStudyFile(
  file: StudyFile,
  spec: EffectSpec,
  covariates: readonly string[],
  dropped: number,
  spill: SpillDirectory,
  dataBytes: number,
): EffectResult {
  const n = file.n;
  const treated = file.treated;
  const control = n - treated;
  if (treated < 2 || control < 2)
    throw new BadDataError(
      `An effect needs at least two treated and two untreated rows with complete data; there are ${treated} treated and ${control} untreated.`,
    );
  const wanted = new Set<Method>(spec.methods ?? methods);
  const estimates: Estimate[] = [];
  const warnings: string[] = [];
  if (dropped > 0)
    warnings.push(`${dropped} rows were left out because one of the requested columns is missing there.`);
  warnings.push(...groupSizeWarnings(treated, control));
  const collinear = (error: unknown, names: readonly string[]) => {
    if (!(error instanceof CollinearityError)) return error;
    const name = names[error.column];
    return new BadDataError(
      name === undefined
        ? 'The covariates are perfectly collinear with the intercept.'
        : `"${name.replace(/=.*/, '')}" is a linear combination of the columns before it (the treatment or other covariates), so its effect cannot be told apart; leave it out.`,
    );
  };

  if (wanted.has('difference_in_means')) {
    const d = streamedDifferenceInMeans(file);
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
    let regression: ReturnType<typeof streamedRegression>;
    try {
      regression = streamedRegression(file);
    } catch (error) {
      throw collinear(error, designNames);
    }
    const { estimate, se, seHc1, df } = regression;
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

  let balance = undefined as EffectResult['balance'] | undefined;
  let overlap: EffectResult['overlap'];
  const usesPropensity = [...weightingMethods, 'matching_nn1_att' as const].some((m) => wanted.has(m));
  if (covariates.length === 0)
    warnings.push(
      'No covariates were given, so nothing is adjusted for: the estimate is the raw difference between the groups. Name the columns that affect both treatment and outcome to adjust for them.',
    );
  else if (usesPropensity) {
    const propensity = streamedLogistic(file);
    if (propensity.singular)
      try {
        streamedCollinearity(file);
      } catch (error) {
        throw collinear(error, ['(intercept)', ...covariates]);
      }
    if (propensity.separated) {
      const culprit = streamedSeparatingColumn(file, covariates);
      warnings.push(
        `The covariates predict treatment perfectly${culprit ? ` ("${culprit.replace(/=.*/, '')}" alone separates the groups)` : ''}, so treated and untreated rows have nothing in common to compare: weighting and matching were skipped. Leave out the separating covariate or restrict the data to rows where both groups occur.`,
      );
    } else {
      const weighting = streamedWeighting(
        file,
        propensity,
        weightingMethods.filter((m) => wanted.has(m)),
        covariates,
        spill,
        wanted.has('matching_nn1_att'),
        Math.max(1 << 16, Math.floor(dataBytes / 4 / 8)),
      );
      overlap = weighting.overlap;
      balance = weighting.balance;
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
      for (const method of weightingMethods)
        if (weighting.estimates[method])
          add(method, method === 'ipw_att' ? 'ATT' : 'ATE', weighting.estimates[method]);
      warnings.push(...weighting.warnings);
      if (weighting.matching) {
        const { matching, warnings: matchingWarnings } = streamedMatching(weighting.matching, treated);
        add('matching_nn1_att', 'ATT', matching);
        warnings.push(...matchingWarnings);
      }
    }
  }
  balance ??= streamedBalance(file, covariates);
  const headline =
    estimates.find((e) => e.method === spec.headline)?.method ??
    estimates.find((e) => e.method === 'regression_adjustment')?.method ??
    estimates[0]?.method ??
    'difference_in_means';
  const result: EffectResult = {
    tool: 'estimate_effect',
    source: '',
    treatment: spec.treatment,
    outcome: spec.outcome,
    covariates: [...covariates],
    n,
    treated,
    control,
    dropped,
    headline,
    estimates,
    balance,
    reading: [],
    warnings,
  };
  if (overlap) result.overlap = overlap;
  assertFinite(result);
  return result;
}
