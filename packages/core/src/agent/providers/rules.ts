import { formatNumber, formatPercent, markdownTable } from '../format';
import type { EffectEstimate } from '../results';
import type { ToolName } from '../tools';
import type { Decision, Turn } from '../transcript';
import type { ModelProvider } from './types';

/**
 * The offline planner: a deterministic, documented set of rules, not a language model. From the
 * parsed request it picks one analysis (list, describe, profile or estimate an effect), runs the
 * tools that need, and writes the answer from their results. It is the local default because the
 * local cloud has no model; every answer says where it came from.
 */
export const rulesFooter = "\n\n_Answered by Cascade's offline rules planner, not a language model._";

interface DescribeObservation {
  datasetId: string;
  rows?: number;
  sizeBytes?: number;
  sampledRows: number;
  columns: { name: string; type: string; examples: string[] }[];
}

type ToolTurn = Extract<Turn, { kind: 'tool' }>;

function toolTurns(turns: Turn[]): ToolTurn[] {
  return turns.filter((t): t is ToolTurn => t.kind === 'tool');
}

function lastOf(turns: Turn[], name: ToolName): ToolTurn | undefined {
  return toolTurns(turns)
    .filter((t) => t.name === name)
    .at(-1);
}

/** A successful tool's observation; tools always report success as JSON. */
function observed<T>(turn: ToolTurn | undefined): T | undefined {
  return turn?.ok ? (JSON.parse(turn.observation) as T) : undefined;
}

/** The arguments of the call a tool turn answered. */
function callInput(turns: Turn[], answered: ToolTurn): Record<string, unknown> {
  for (const turn of turns) {
    if (
      turn.kind === 'model' &&
      turn.decision.kind === 'tool' &&
      turn.decision.toolUseId === answered.toolUseId
    ) {
      return turn.decision.input as Record<string, unknown>;
    }
  }
  return {};
}

const numericTypes = new Set(['integer', 'numeric', 'boolean']);

export function createRulesPlanner(): ModelProvider {
  return {
    name: 'rules',
    async decide(context) {
      const call = (name: ToolName, input: Record<string, unknown>): Decision => ({
        kind: 'tool',
        toolUseId: `rules-${context.turn}`,
        name,
        input,
      });
      const final = (text: string): Decision => ({ kind: 'final', text: `${text}${rulesFooter}` });

      const failed = toolTurns(context.turns).find((t) => !t.ok);
      if (failed) return final(`I could not finish this: ${failed.observation}`);

      const { request } = context;
      const datasetId = request.datasetId;
      if (!datasetId || request.intent === 'list' || request.intent === 'unknown') {
        const listed = lastOf(context.turns, 'list_datasets');
        if (!listed) return call('list_datasets', {});
        return final(answerList(listed, datasetId === undefined && request.intent !== 'list'));
      }

      if (request.intent === 'describe') {
        const described = lastOf(context.turns, 'describe_dataset');
        return described
          ? final(answerDescribe(observed(described)!))
          : call('describe_dataset', { datasetId });
      }

      if (request.intent === 'profile') {
        const profiled = lastOf(context.turns, 'profile');
        return profiled
          ? final(answerProfile(datasetId, observed(profiled)!))
          : call('profile', { datasetId });
      }

      // An effect: needs a treatment and an outcome, and covariates named or chosen from the columns' types.
      const estimated = lastOf(context.turns, 'estimate_effect');
      if (estimated) return final(answerEffect(datasetId, estimated, callInput(context.turns, estimated)));
      const described = observed<DescribeObservation>(lastOf(context.turns, 'describe_dataset'));
      const { treatment, outcome } = request;
      if (!treatment || !outcome || !request.covariates) {
        if (!described) return call('describe_dataset', { datasetId });
        if (!treatment || !outcome)
          return final(answerMissingColumns(datasetId, described, treatment, outcome));
      }
      const covariates =
        request.covariates ??
        described!.columns
          .filter((c) => numericTypes.has(c.type) && c.name !== treatment && c.name !== outcome)
          .map((c) => c.name)
          .slice(0, 20);
      return call('estimate_effect', { datasetId, treatment, outcome, covariates });
    },
  };
}

function answerList(turn: ToolTurn, needsChoice: boolean): string {
  const { datasets } = observed<{
    datasets: { id: string; rows?: number; columns?: number; sample: boolean }[];
  }>(turn)!;
  if (datasets.length === 0) return 'There are no datasets yet. Upload a CSV file to get started.';
  const table = markdownTable(
    ['dataset', 'rows', 'columns', 'kind'],
    datasets.map((d) => [d.id, d.rows ?? '?', d.columns ?? '?', d.sample ? 'sample' : 'yours']),
  );
  const hint = needsChoice
    ? '\n\nName one of them in your question — for example "profile churn.csv", "what columns does lalonde.csv have?" or "what is the effect of treat on re78 in lalonde.csv?".'
    : '';
  return `You can analyse ${datasets.length} ${datasets.length === 1 ? 'dataset' : 'datasets'}:\n\n${table}${hint}`;
}

function answerDescribe(described: DescribeObservation): string {
  const size = described.rows !== undefined ? `${formatNumber(described.rows)} rows and ` : '';
  const table = markdownTable(
    ['column', 'type', 'examples'],
    described.columns.map((c) => [c.name, c.type, c.examples.join(', ')]),
  );
  return `**${described.datasetId}** has ${size}${described.columns.length} columns (types inferred from the first ${described.sampledRows} rows):\n\n${table}`;
}

interface ProfileObservation {
  rows: number;
  columns: { name: string; type: string; missing: number; mean?: number; q50?: number }[];
  strongestCorrelations: { a: string; b: string; r: number }[];
}

function answerProfile(datasetId: string, profile: ProfileObservation): string {
  const lines = [
    `**${datasetId}** has ${formatNumber(profile.rows)} rows and ${profile.columns.length} columns.`,
  ];
  const withMissing = profile.columns.filter((c) => c.missing > 0).sort((a, b) => b.missing - a.missing);
  lines.push(
    withMissing.length === 0
      ? 'No column has missing values.'
      : `Missing values: ${withMissing
          .slice(0, 5)
          .map((c) => `${c.name} (${formatPercent(c.missing, profile.rows)})`)
          .join(', ')}${withMissing.length > 5 ? `, and ${withMissing.length - 5} more columns` : ''}.`,
  );
  const numeric = profile.columns.filter((c) => c.mean !== undefined);
  if (numeric.length > 0) {
    lines.push(
      `Numeric columns (mean, median): ${numeric
        .slice(0, 8)
        .map((c) => `${c.name} ${formatNumber(c.mean!)}, ${formatNumber(c.q50 ?? Number.NaN)}`)
        .join('; ')}.`,
    );
  }
  const strongest = profile.strongestCorrelations[0];
  if (strongest) {
    lines.push(
      `The strongest correlation is between ${strongest.a} and ${strongest.b} (r = ${formatNumber(strongest.r)}).`,
    );
  }
  return lines.join('\n\n');
}

const methodNames: Record<string, string> = {
  difference_in_means: 'Difference in means',
  regression_adjustment: 'Regression adjustment',
  ipw_hajek: 'IPW (Hájek)',
  ipw_horvitz_thompson: 'IPW (Horvitz–Thompson)',
  ipw_att: 'IPW',
  matching_nn1_att: 'Propensity matching (1:1)',
};

function answerEffect(datasetId: string, turn: ToolTurn, call: Record<string, unknown>): string {
  const effect = observed<{
    n: number;
    treated: number;
    control: number;
    estimates: EffectEstimate[];
    warnings: string[];
  }>(turn)!;
  const headline =
    effect.estimates.find((e) => e.method === 'regression_adjustment') ??
    effect.estimates.find((e) => e.method.startsWith('ipw')) ??
    effect.estimates[0];
  const covariates =
    Array.isArray(call.covariates) && call.covariates.length > 0
      ? `, adjusting for ${call.covariates.join(', ')}`
      : '';
  const lines = [
    `On **${datasetId}** (n = ${formatNumber(effect.n)}: ${formatNumber(effect.treated)} treated, ${formatNumber(effect.control)} control${covariates}):`,
  ];
  if (headline) {
    const [lo, hi] = headline.ci;
    const excludesZero = lo > 0 || hi < 0;
    lines.push(
      `${methodNames[headline.method] ?? headline.method} estimates the ${headline.estimand} of **${String(call.treatment)}** on **${String(call.outcome)}** at **${formatNumber(headline.estimate)}** (95 % CI ${formatNumber(lo)} to ${formatNumber(hi)}), ${excludesZero ? 'an interval that excludes zero' : 'an interval that includes zero, so the data are also consistent with no effect'}.`,
    );
  }
  lines.push(
    markdownTable(
      ['method', 'estimand', 'estimate', '95 % CI'],
      effect.estimates.map((e) => [
        methodNames[e.method] ?? e.method,
        e.estimand,
        formatNumber(e.estimate),
        `${formatNumber(e.ci[0])} to ${formatNumber(e.ci[1])}`,
      ]),
    ),
  );
  if (effect.warnings.length > 0)
    lines.push(`Check before relying on this:\n${effect.warnings.map((w) => `- ${w}`).join('\n')}`);
  return lines.join('\n\n');
}

function answerMissingColumns(
  datasetId: string,
  described: DescribeObservation,
  treatment: string | undefined,
  outcome: string | undefined,
): string {
  const missing = [!treatment && 'the treatment', !outcome && 'the outcome'].filter(Boolean).join(' and ');
  return `I could not tell which column is ${missing} in **${datasetId}**. Its columns are: ${described.columns
    .map((c) => `\`${c.name}\``)
    .join(
      ', ',
    )}. Ask again naming them, for example "effect of ${treatment ?? '<treatment>'} on ${outcome ?? '<outcome>'}".`;
}
