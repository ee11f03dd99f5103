import {
  type Coefficient,
  describeFilters,
  formatCount,
  formatNumber,
  type RegressionResult,
  regressionModelLabels,
  significant,
} from '@cascade/core/contract';
import type { Chart, ItemOutput, Table } from '@cascade/core/protocol';
import { pClause } from './compare';

/** Terms named in the text, most significant first. */
const maxTermsInText = 6;

/** "plan=premium" as a person reads it: "plan = premium (vs basic)". */
function termLabel(result: RegressionResult, term: string): string {
  const reference = result.references.find((r) => term.startsWith(`${r.predictor}=`));
  if (!reference) return term;
  return `${reference.predictor} = ${term.slice(reference.predictor.length + 1)} (vs ${reference.level})`;
}

function termLine(result: RegressionResult, c: Coefficient): string {
  const label = termLabel(result, c.term);
  if (c.oddsRatio !== undefined)
    return `- ${label}: odds ratio ${formatNumber(c.oddsRatio, 3)} (95 % CI ${formatNumber(c.oddsRatioCi![0], 3)} to ${formatNumber(c.oddsRatioCi![1], 3)}), ${pClause(c.pValue)}.`;
  const sign = c.estimate > 0 ? '+' : '';
  return `- ${label}: ${sign}${formatNumber(c.estimate)} (95 % CI ${formatNumber(c.ci[0])} to ${formatNumber(c.ci[1])}), ${pClause(c.pValue)}.`;
}

function regressionText(result: RegressionResult): string {
  const modelled = result.positive === undefined ? result.outcome : `${result.outcome} = ${result.positive}`;
  const where = result.filters?.length ? `, where ${describeFilters(result.filters)}` : '';
  const left = result.dropped > 0 ? `, ${formatCount(result.dropped)} left out for missing values` : '';
  const { fit } = result;
  const fitLine =
    result.model === 'ols'
      ? `R² = ${formatNumber(fit.r2, 3)} (adjusted ${formatNumber(fit.adjustedR2, 3)}), residual standard error ${formatNumber(fit.residualSe)}.`
      : `McFadden's pseudo-R² = ${formatNumber(fit.pseudoR2, 3)}, log-likelihood ${formatNumber(fit.logLikelihood)}, AIC ${formatNumber(fit.aic)}.`;
  const terms = result.coefficients.filter((c) => c.term !== '(intercept)');
  const clear = terms.filter((c) => c.pValue < 0.05).sort((a, b) => a.pValue - b.pValue);
  const per = result.model === 'ols' ? 'change in the outcome per unit' : 'odds ratios per unit';
  const lines = [
    `**${regressionModelLabels[result.model]} of ${modelled}** on ${result.predictors.join(', ')} (${result.source}; ${formatCount(result.n)} rows${where}${left}).`,
    '',
    fitLine,
    clear.length > 0
      ? `Clearly associated with ${modelled} (p < 0.05; ${per}, holding the others fixed):`
      : `No predictor is clearly associated with ${modelled} (every p ≥ 0.05).`,
    ...clear.slice(0, maxTermsInText).map((c) => termLine(result, c)),
  ];
  if (clear.length > maxTermsInText) lines.push(`- and ${clear.length - maxTermsInText} more in the table.`);
  if (result.references.length > 0)
    lines.push(
      `Categories are compared with a reference level (the most common, unless one was asked for): ${result.references.map((r) => `${r.predictor} = ${r.level}`).join(', ')}.`,
    );
  lines.push(
    `Standard errors are heteroskedasticity-robust (HC1); intervals and p-values use ${result.model === 'ols' ? `t with ${formatCount(result.df!)} degrees of freedom` : 'the normal distribution'}.`,
  );
  lines.push(...result.warnings.map((w) => `- ⚠ ${w}`));
  return lines.join('\n');
}

function coefficientTable(result: RegressionResult): Table {
  const logistic = result.model === 'logistic';
  return {
    title: 'Coefficients',
    columns: [
      'term',
      'estimate',
      'std. error (HC1)',
      logistic ? 'z' : 't',
      'p-value',
      '95% CI low',
      '95% CI high',
      ...(logistic ? ['odds ratio', 'OR 95% CI low', 'OR 95% CI high'] : []),
    ],
    rows: result.coefficients.map((c) => [
      c.term,
      significant(c.estimate),
      significant(c.se),
      significant(c.statistic, 4),
      significant(c.pValue, 3),
      significant(c.ci[0]),
      significant(c.ci[1]),
      ...(logistic
        ? [significant(c.oddsRatio), significant(c.oddsRatioCi?.[0]), significant(c.oddsRatioCi?.[1])]
        : []),
    ]),
  };
}

function fitTable(result: RegressionResult): Table {
  const { fit } = result;
  const rows: [string, number | undefined][] =
    result.model === 'ols'
      ? [
          ['R²', fit.r2],
          ['adjusted R²', fit.adjustedR2],
          ['residual standard error', fit.residualSe],
          ['residual degrees of freedom', result.df],
        ]
      : [["McFadden's pseudo-R²", fit.pseudoR2]];
  rows.push(['log-likelihood', fit.logLikelihood], ['AIC', fit.aic], ['rows', result.n]);
  return {
    title: 'Fit',
    columns: ['measure', 'value'],
    rows: rows.map(([name, value]) => [name, significant(value)]),
  };
}

function coefficientChart(result: RegressionResult): Chart {
  return {
    kind: 'intervals',
    title: `${result.model === 'ols' ? 'Coefficients' : 'Coefficients (log-odds)'} for ${result.outcome} (95% intervals)`,
    intervals: result.coefficients
      .filter((c) => c.term !== '(intercept)')
      .map((c) => ({
        label: c.term,
        estimate: significant(c.estimate)!,
        lo: significant(c.ci[0])!,
        hi: significant(c.ci[1])!,
      })),
  };
}

/** A regression as chat output: the fit and the clearly associated predictors in words, the tables, and an interval chart. */
export function regressionOutput(result: RegressionResult): ItemOutput {
  return {
    text: regressionText(result),
    tables: [coefficientTable(result), fitTable(result)],
    charts: [coefficientChart(result)],
  };
}
