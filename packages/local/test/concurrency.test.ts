import { afterEach, describe, expect, it, vi } from 'vitest';
import { ConcurrencyLimit, TaskTokens } from '../src/engine';
import { StepFunctionsService } from '../src/stepfunctions/service';

const arn = 'arn:aws:states:us-east-1:000000000000:stateMachine:demo';
/** One Lambda task per item, every item at once: more steps than the bound lets run. */
const definition = {
  StartAt: 'Items',
  States: {
    Items: {
      Type: 'Map',
      ItemsPath: '$.items',
      ItemProcessor: {
        StartAt: 'Step',
        States: {
          Step: {
            Type: 'Task',
            Resource: 'arn:aws:states:::lambda:invoke',
            Parameters: { FunctionName: 'step', 'Payload.$': '$' },
            OutputPath: '$.Payload',
            End: true,
          },
        },
      },
      End: true,
    },
  },
};

/** A step that runs until the test lets it finish. */
function heldSteps() {
  const started: unknown[] = [];
  const releases: (() => void)[] = [];
  const step = async (event: unknown) => {
    started.push(event);
    await new Promise<void>((resolve) => releases.push(resolve));
    return event;
  };
  const releaseAll = () => {
    for (const release of releases.splice(0)) release();
  };
  return { step, started, releaseAll };
}

let service: StepFunctionsService | undefined;
afterEach(async () => {
  await service?.stopAll();
  service = undefined;
});

function startService(
  step: (event: unknown) => Promise<unknown>,
  stepConcurrency: number,
  timeoutSeconds?: number,
) {
  const timed = structuredClone(definition) as typeof definition & {
    States: { Items: { ItemProcessor: { States: { Step: { TimeoutSeconds?: number } } } } };
  };
  if (timeoutSeconds) timed.States.Items.ItemProcessor.States.Step.TimeoutSeconds = timeoutSeconds;
  service = new StepFunctionsService({
    stateMachineArn: arn,
    roleArn: 'arn:aws:iam::000000000000:role/demo',
    definition: timed,
    lambdas: { step },
    ecs: async () => ({ stop: () => undefined }),
    tokens: new TaskTokens(),
    stepConcurrency,
  });
  return service;
}

const startExecution = (s: StepFunctionsService, name: string, items: number) =>
  s.handle('StartExecution', {
    stateMachineArn: arn,
    name,
    input: JSON.stringify({ items: Array.from({ length: items }, (_, i) => ({ i })) }),
  }) as Promise<{ executionArn: string }>;

describe('a bound on concurrent calls', () => {
  it('runs at most its limit at once, the rest in the order they came, and frees a slot however a call ends', async () => {
    const limit = new ConcurrencyLimit(2);
    const order: number[] = [];
    const releases: (() => void)[] = [];
    const calls = [0, 1, 2, 3].map((n) =>
      limit.run(async () => {
        order.push(n);
        await new Promise<void>((resolve) => releases.push(resolve));
        if (n === 0) throw new Error('the first call fails');
        return n;
      }),
    );
    await vi.waitFor(() => expect(order).toEqual([0, 1]));
    expect({ active: limit.active, queued: limit.queued }).toEqual({ active: 2, queued: 2 });

    releases[0]!(); // the failing call gives its slot to the next in line
    await expect(calls[0]).rejects.toThrow('the first call fails');
    await vi.waitFor(() => expect(order).toEqual([0, 1, 2]));
    expect(limit.active).toBe(2);

    releases[1]!();
    releases[2]!();
    await vi.waitFor(() => expect(order).toEqual([0, 1, 2, 3]));
    releases[3]!();
    await expect(Promise.all(calls.slice(1))).resolves.toEqual([1, 2, 3]);
    expect({ active: limit.active, queued: limit.queued }).toEqual({ active: 0, queued: 0 });
  });

  it('refuses a limit that is not a whole number of at least one', () => {
    expect(() => new ConcurrencyLimit(0)).toThrow();
    expect(() => new ConcurrencyLimit(1.5)).toThrow();
  });
});

describe('step invocations of the local Step Functions engine', () => {
  it('run at most stepConcurrency at once across executions, while the API still answers at once, and every execution finishes', async () => {
    const { step, started, releaseAll } = heldSteps();
    const s = startService(step, 2);
    const first = await startExecution(s, 'first', 3);
    const second = await startExecution(s, 'second', 3);
    await vi.waitFor(() => expect(started).toHaveLength(2));
    expect(s.stepLimit.queued).toBe(4);

    // The steps hold every slot; starting and describing executions (what a route does) does not wait for one.
    const third = await startExecution(s, 'third', 1);
    const described = (await s.handle('DescribeExecution', first)) as { status: string };
    expect(described.status).toBe('RUNNING');
    expect(started).toHaveLength(2);

    // Let every step finish as it starts, until all seven have run.
    while (started.length < 7 || s.stepLimit.active > 0) {
      releaseAll();
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await s.settled();
    for (const execution of [first, second, third])
      expect(await s.handle('DescribeExecution', execution)).toMatchObject({ status: 'SUCCEEDED' });
    expect(started).toHaveLength(7);
  });

  it('never start a step that was still waiting for a slot when its execution was stopped', async () => {
    const { step, started, releaseAll } = heldSteps();
    const s = startService(step, 1);
    const running = await startExecution(s, 'running', 1);
    const stopped = await startExecution(s, 'stopped', 3);
    await vi.waitFor(() => expect(started).toHaveLength(1));
    expect(s.stepLimit.queued).toBe(3);

    await s.handle('StopExecution', stopped);
    releaseAll();
    await s.settled();
    expect(started).toHaveLength(1);
    expect(await s.handle('DescribeExecution', running)).toMatchObject({ status: 'SUCCEEDED' });
    expect(await s.handle('DescribeExecution', stopped)).toMatchObject({ status: 'ABORTED' });
  });

  it("count a state's TimeoutSeconds from the moment its step starts, not while it waits for a slot", async () => {
    const { step, started, releaseAll } = heldSteps();
    const s = startService(step, 1, 1);
    const slow = await startExecution(s, 'slow', 1);
    const waiting = await startExecution(s, 'waiting', 1);
    await vi.waitFor(() => expect(started).toHaveLength(1));

    // The running step outlives its one second: its state times out, as on AWS.
    await vi.waitFor(
      () =>
        expect(s.handle('DescribeExecution', slow)).resolves.toMatchObject({
          status: 'FAILED',
          error: 'States.Timeout',
        }),
      { timeout: 5_000 },
    );
    expect(started).toHaveLength(1); // the timed-out call still holds its slot, as a Lambda still running would

    releaseAll();
    await vi.waitFor(() => expect(started).toHaveLength(2));
    releaseAll();
    await s.settled();
    // It waited longer than its limit for the slot, and still succeeded.
    expect(await s.handle('DescribeExecution', waiting)).toMatchObject({ status: 'SUCCEEDED' });
  });
});
