import '@cascade/local/polyfill';
import { renderStateMachine } from '@cascade/core';
import type { ItemState } from '@cascade/core/agent/steps/state';
import { StateMachine } from 'aws-local-stepfunctions';
import { describe, expect, it } from 'vitest';
import definition from '../../statemachines/agent.asl.json';
import { placeholderValues } from './harness';

/** What Step Functions lets a state's input or output hold (Quotas: 256 KiB, UTF-8). */
const stateLimitBytes = 256 * 1024;
const batchLimit = 500;

/** An item's state at its longest: every id at its protocol maximum, every optional field set. */
function largestItemState(index: number): ItemState {
  const id = (prefix: string) => `${prefix}${index}`.padEnd(64, 'x');
  return {
    executionId: id('exec-'),
    sessionId: id('sess-'),
    userId: id('user-'),
    tenantId: id('tenant-'),
    itemId: id('item-'),
    turn: 8,
    call: 3,
    // Not 'task': the engine cannot mint RunAnalysis's task token without the local cloud's tokens.
    route: 'inline',
    job: {
      uri: `s3://${'b'.repeat(63)}/jobs/${id('exec-')}/${id('item-')}/turn-8-call-3.json`,
      cpu: '2048',
      memory: '4096',
      memoryLimit: '2457MB',
    },
    taskResult: {
      resultUri: `s3://${'b'.repeat(63)}/results/${id('exec-')}/${id('item-')}/turn-8-call-3.json`,
    },
    done: true,
    error: { Error: 'States.TaskFailed', Cause: 'c'.repeat(512) },
  };
}

/**
 * The distributed Map collects every child execution's output before its ResultPath drops it, and
 * fails with States.DataLimitExceeded when that collection outgrows a state's 256 KiB. Run the
 * real definition's Map over a full batch of items at their largest, with every step answering
 * at once, and weigh what it collected.
 */
async function collectedOutputBytes(): Promise<{ bytes: number; results: unknown[] }> {
  const rendered = renderStateMachine(definition, placeholderValues) as {
    States: { ProcessItems: Record<string, unknown>; Finish: Record<string, unknown> };
  };
  // Keep what the Map collected (the real definition drops it) and end there.
  const { ResultPath: _, Catch: __, Next: ___, ...map } = rendered.States.ProcessItems;
  const probe = { ...rendered, States: { ProcessItems: { ...map, ResultPath: '$.collected', End: true } } };
  const states = new Map(Array.from({ length: batchLimit }, (_, i) => [`item-${i}`.padEnd(64, 'x'), i]));
  // A Lambda task's result is the invocation's answer, the item's state in its Payload.
  const finished = async (input: unknown) => {
    const { itemId } = (input as { Payload: { itemId: string } }).Payload;
    return { Payload: largestItemState(states.get(itemId)!) } as never;
  };
  const machine = new StateMachine(probe as never, { validationOptions: { noValidate: true } });
  const execution = machine.run(
    {
      executionId: 'e',
      sessionId: 's',
      userId: 'u',
      tenantId: 't',
      items: [...states.keys()].map((id) => ({ id })),
      options: { maxConcurrency: 40 },
    },
    {
      overrides: {
        taskResourceLocalHandlers: Object.fromEntries(
          ['Parse', 'InvokeModel', 'Dispatch', 'Append', 'RecordFailure'].map((name) => [name, finished]),
        ),
      },
    },
  );
  const output = (await execution.result) as { collected: unknown[] };
  return { bytes: Buffer.byteLength(JSON.stringify(output.collected)), results: output.collected };
}

describe("the distributed Map's collected output", () => {
  it(`stays far under a state's 256 KiB at ${batchLimit} items: each child returns only its item id`, async () => {
    const { bytes, results } = await collectedOutputBytes();
    expect(results).toHaveLength(batchLimit);
    expect(results[0]).toEqual({ itemId: 'item-0'.padEnd(64, 'x') });
    expect(bytes).toBeLessThan(stateLimitBytes / 4);
    // What the children would return without ItemDone's selection: the whole item state.
    const unbounded = Buffer.byteLength(
      JSON.stringify(Array.from({ length: batchLimit }, (_, i) => largestItemState(i))),
    );
    expect(unbounded).toBeGreaterThan(stateLimitBytes);
  }, 60_000);
});
