import { formatCount } from '@cascade/core/contract';
import type { AnsweredBy, Usage } from '@cascade/core/protocol';

/** The offline planner answers by rules: no model, no tokens. */
const offlinePlanner = 'rules';

const plural = (count: number, one: string, many: string) =>
  `${formatCount(count)} ${count === 1 ? one : many}`;

/** "4,400 tokens in (1,500 of them cached), 90 out · 2 model calls". */
export function usageText(usage: Usage): string {
  const cached = usage.cacheReadTokens ? ` (${formatCount(usage.cacheReadTokens)} of them cached)` : '';
  return `${plural(usage.inputTokens, 'token', 'tokens')} in${cached}, ${formatCount(usage.outputTokens)} out · ${plural(usage.modelCalls, 'model call', 'model calls')}`;
}

/** Who answered a run and what it cost, as the line under its answer reads. */
export function answeredByText(answeredBy: AnsweredBy, usage?: Usage): string {
  if (answeredBy.provider === offlinePlanner) return 'Answered by the offline planner';
  const parts = [answeredBy.provider, answeredBy.model, usage && usageText(usage)].filter(Boolean);
  return `Answered by ${parts.join(' · ')}`;
}

/** A run's tokens in and out together, or nothing when it made no model calls. */
export function tokensTotal(usage: Usage | undefined): string | undefined {
  const total = usage ? usage.inputTokens + usage.outputTokens : 0;
  return total > 0 ? plural(total, 'token', 'tokens') : undefined;
}

/** Which data an answer was computed from: "From churn.csv", "From a.csv and b.csv". */
export function sourceText(datasets: readonly string[] | undefined): string | undefined {
  if (!datasets || datasets.length === 0) return undefined;
  const names =
    datasets.length === 1 ? datasets[0] : `${datasets.slice(0, -1).join(', ')} and ${datasets.at(-1)}`;
  return `From ${names}`;
}
