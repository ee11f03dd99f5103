import type { ParquetReader } from '@cascade/core';
import type { AgentDeps } from '@cascade/core/agent/steps/deps';
import type { ItemState } from '@cascade/core/agent/steps/state';
import { agentDeps, newNotifier } from '../deps';
import { type HandlerOptions, lambdaHandler } from '../observability';

type Step = (deps: ReturnType<typeof agentDeps>, state: ItemState) => Promise<ItemState>;

/**
 * A state machine step as a Lambda: Step Functions passes the item's state as the payload and
 * takes the returned state as the next one. Errors propagate, so the state's Retry and Catch
 * decide what happens (retry a transient fault, record the item as failed otherwise).
 * A step that shows or reads Parquet datasets names its reader, which its module imports (from
 * @cascade/core/parquet-footer or @cascade/core/parquet): the other steps never load one.
 */
export function itemStep(
  step: Step,
  options: { parquet?: ParquetReader } & Pick<HandlerOptions<ItemState, ItemState>, 'count'> = {},
) {
  // The shared deps, with a notifier of this function's own (see newNotifier) and its own way of
  // reading Parquet, so the local cloud, where all functions share a process, reads as Lambda does.
  const { parquet, count } = options;
  let deps: AgentDeps | undefined;
  const depsOfThisFunction = () => {
    deps ??= Object.create(agentDeps(), {
      notifier: { value: newNotifier(), enumerable: true },
      ...(parquet && { datasets: { value: agentDeps().datasets.withParquet(parquet), enumerable: true } }),
    }) as AgentDeps;
    return deps;
  };
  return lambdaHandler((state: ItemState) => step(depsOfThisFunction(), state), {
    correlate: ({ executionId, itemId }) => ({ executionId, itemId }),
    ...(count && { count }),
  });
}
