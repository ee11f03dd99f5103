import { type AgentDeps, type ItemState, withCorrelation } from '@cascade/core';
import { agentDeps, newNotifier } from '../deps';

type Step = (deps: ReturnType<typeof agentDeps>, state: ItemState) => Promise<ItemState>;

/**
 * A state machine step as a Lambda: Step Functions passes the item's state as the payload and
 * takes the returned state as the next one. Errors propagate, so the state's Retry and Catch
 * decide what happens (retry a transient fault, record the item as failed otherwise).
 */
export function itemStep(step: Step) {
  // The shared deps, with a notifier of this function's own (see newNotifier); built on first use.
  let deps: AgentDeps | undefined;
  const depsOfThisFunction = () => {
    deps ??= Object.create(agentDeps(), {
      notifier: { value: newNotifier(), enumerable: true },
    }) as AgentDeps;
    return deps;
  };
  return (state: ItemState): Promise<ItemState> =>
    withCorrelation({ executionId: state.executionId, itemId: state.itemId }, () =>
      step(depsOfThisFunction(), state),
    );
}
