import { concludeExecution } from '../../chat/conclude';
import type { ResponseStatus } from '../../protocol/codes';
import { readableError } from '../run/readable-error';
import { summarizeRun } from '../run/summary';
import type { AgentDeps } from './deps';
import { settleUnfinished } from './item';
import type { RunInput } from './state';

/**
 * Finish: settle items the run left unfinished, choose the final status from the items, and
 * end the execution once (response, assistant message, session lock) through concludeExecution.
 */
export async function finishRun(deps: AgentDeps, input: RunInput): Promise<{ status: ResponseStatus }> {
  const reason = input.failure
    ? `The run failed before this item finished: ${readableError({ error: input.failure })}`
    : 'The run ended before this item finished.';
  const settled = await settleUnfinished(deps, input, reason);
  const succeeded = settled.filter((i) => i.status === 'SUCCEEDED').length;
  const status: ResponseStatus =
    succeeded === settled.length && settled.length > 0 ? 'SUCCEEDED' : succeeded === 0 ? 'FAILED' : 'PARTIAL';
  await concludeExecution(deps, input.executionId, status, summarizeRun(settled, status));
  return { status };
}
