import { readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DescribeExecutionCommand,
  DescribeStateMachineCommand,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  SendTaskFailureCommand,
  SendTaskHeartbeatCommand,
  SendTaskSuccessCommand,
  SFNClient,
  StartExecutionCommand,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import { executionArn } from '@cascade/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createEdge } from '../src/edge/router';
import { type EcsRunRequest, TaskTokens } from '../src/engine';
import { type ExecutionRecord, StepFunctionsService } from '../src/stepfunctions/service';

const arn = 'arn:aws:states:us-east-1:000000000000:stateMachine:demo';
const definition = {
  StartAt: 'Double',
  States: {
    Double: {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke',
      Parameters: { FunctionName: 'double', 'Payload.$': '$' },
      OutputPath: '$.Payload',
      Next: 'Wait',
    },
    Wait: {
      Type: 'Task',
      Resource: 'arn:aws:states:::ecs:runTask.waitForTaskToken',
      Parameters: {
        Overrides: {
          ContainerOverrides: [
            { Name: 'c', Environment: [{ Name: 'TASK_TOKEN', 'Value.$': '$$.Task.Token' }] },
          ],
        },
      },
      HeartbeatSeconds: 30,
      ResultPath: '$.task',
      End: true,
    },
  },
};

let server: Server | undefined;
let service: StepFunctionsService | undefined;
afterEach(async () => {
  await service?.stopAll();
  await new Promise((resolve) => server?.close(resolve));
  server = undefined;
  service = undefined;
});

async function start(
  options: { dataFile?: string; onExecutionEnded?: (e: ExecutionRecord) => Promise<void> } = {},
) {
  const started: EcsRunRequest[] = [];
  const stopped: string[] = [];
  const tokens = new TaskTokens();
  service = new StepFunctionsService({
    stateMachineArn: arn,
    roleArn: 'arn:aws:iam::000000000000:role/demo',
    definition,
    lambdas: { double: async (event) => ({ n: (event as { n: number }).n * 2 }) },
    ecs: async (request) => {
      started.push(request);
      return { stop: () => stopped.push(request.environment.TASK_TOKEN!) };
    },
    tokens,
    ...options,
  });
  server = createServer(createEdge({ backend: { stepFunctions: service } } as never));
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  const sfn = new SFNClient({
    region: 'us-east-1',
    endpoint: `http://127.0.0.1:${(server!.address() as AddressInfo).port}`,
    credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
  });
  const waitForTask = () =>
    vi
      .waitFor(() => expect(started.length).toBeGreaterThan(0))
      .then(() => started.at(-1)!.environment.TASK_TOKEN!);
  return { sfn, started, stopped, tokens, waitForTask };
}

describe('the local Step Functions endpoint (AWS JSON protocol, through the SDK)', () => {
  it('runs an execution through a Lambda task and a task-token task to success', async () => {
    const { sfn, waitForTask } = await start();
    const { executionArn, startDate } = await sfn.send(
      new StartExecutionCommand({ stateMachineArn: arn, name: 'run-1', input: '{"n":21}' }),
    );
    expect(executionArn).toBe('arn:aws:states:us-east-1:000000000000:execution:demo:run-1');
    expect(startDate).toBeInstanceOf(Date);
    const token = await waitForTask();
    await sfn.send(new SendTaskHeartbeatCommand({ taskToken: token }));
    await sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: '{"resultUri":"s3://b/k"}' }));
    await service!.settled();
    const described = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    expect(described).toMatchObject({ status: 'SUCCEEDED', name: 'run-1', input: '{"n":21}' });
    expect(JSON.parse(described.output!)).toEqual({ n: 42, task: { resultUri: 's3://b/k' } });
    const { events } = await sfn.send(new GetExecutionHistoryCommand({ executionArn }));
    expect(events?.map((e) => e.type)).toEqual([
      'ExecutionStarted',
      'TaskStateEntered',
      'TaskStateExited',
      'TaskStateEntered',
      'TaskStateExited',
      'ExecutionSucceeded',
    ]);
    expect(events?.[0]?.timestamp).toBeInstanceOf(Date);
  });

  it('answers a repeated StartExecution with the same name and input with the same execution, and anything else with ExecutionAlreadyExists', async () => {
    const { sfn } = await start();
    const first = await sfn.send(
      new StartExecutionCommand({ stateMachineArn: arn, name: 'same', input: '{"n":1}' }),
    );
    const again = await sfn.send(
      new StartExecutionCommand({ stateMachineArn: arn, name: 'same', input: '{"n":1}' }),
    );
    expect(again).toMatchObject({ executionArn: first.executionArn, startDate: first.startDate });
    await expect(
      sfn.send(new StartExecutionCommand({ stateMachineArn: arn, name: 'same', input: '{"n":2}' })),
    ).rejects.toMatchObject({
      name: 'ExecutionAlreadyExists',
    });
  });

  it('validates names, input and ARNs the way AWS does', async () => {
    const { sfn } = await start();
    await expect(
      sfn.send(new StartExecutionCommand({ stateMachineArn: arn, name: 'bad name!' })),
    ).rejects.toMatchObject({ name: 'InvalidName' });
    await expect(
      sfn.send(new StartExecutionCommand({ stateMachineArn: arn, input: '{nope' })),
    ).rejects.toMatchObject({ name: 'InvalidExecutionInput' });
    await expect(
      sfn.send(new StartExecutionCommand({ stateMachineArn: `${arn}-other` })),
    ).rejects.toMatchObject({ name: 'StateMachineDoesNotExist' });
    await expect(
      sfn.send(new DescribeExecutionCommand({ executionArn: `${arn}:nope` })),
    ).rejects.toMatchObject({ name: 'ExecutionDoesNotExist' });
    await expect(
      sfn.send(new SendTaskSuccessCommand({ taskToken: 'never-issued', output: '{}' })),
    ).rejects.toMatchObject({ name: 'InvalidToken' });
    expect((await sfn.send(new DescribeStateMachineCommand({ stateMachineArn: arn }))).type).toBe('STANDARD');
  });

  it('stops an execution: ABORTED, the task stopped, its token answering TaskTimedOut, the end reported', async () => {
    const ended: ExecutionRecord[] = [];
    const { sfn, stopped, waitForTask } = await start({ onExecutionEnded: async (e) => void ended.push(e) });
    const { executionArn } = await sfn.send(
      new StartExecutionCommand({ stateMachineArn: arn, name: 'to-stop', input: '{"n":1}' }),
    );
    const token = await waitForTask();
    await sfn.send(new StopExecutionCommand({ executionArn, cause: 'Cancelled by the user' }));
    expect(await sfn.send(new DescribeExecutionCommand({ executionArn }))).toMatchObject({
      status: 'ABORTED',
      cause: 'Cancelled by the user',
    });
    expect(stopped).toEqual([token]);
    await expect(sfn.send(new SendTaskHeartbeatCommand({ taskToken: token }))).rejects.toMatchObject({
      name: 'TaskTimedOut',
    });
    expect(ended.map((e) => [e.name, e.status, e.cause])).toEqual([
      ['to-stop', 'ABORTED', 'Cancelled by the user'],
    ]);
    await sfn.send(new StopExecutionCommand({ executionArn }));
    expect(ended).toHaveLength(1);
  });

  it('fails an execution whose task reports failure, and reports the end', async () => {
    const ended: ExecutionRecord[] = [];
    const { sfn, waitForTask } = await start({ onExecutionEnded: async (e) => void ended.push(e) });
    const { executionArn } = await sfn.send(
      new StartExecutionCommand({ stateMachineArn: arn, input: '{"n":1}' }),
    );
    await sfn.send(
      new SendTaskFailureCommand({
        taskToken: await waitForTask(),
        error: 'BadData',
        cause: 'The file is empty.',
      }),
    );
    await service!.settled();
    expect(await sfn.send(new DescribeExecutionCommand({ executionArn }))).toMatchObject({
      status: 'FAILED',
      error: 'BadData',
      cause: 'The file is empty.',
    });
    expect(ended[0]?.status).toBe('FAILED');
  });

  it('lists executions newest first, filtered and paged', async () => {
    const { sfn } = await start();
    for (const name of ['a', 'b', 'c']) {
      await sfn.send(new StartExecutionCommand({ stateMachineArn: arn, name, input: '{"n":1}' }));
    }
    const page = await sfn.send(new ListExecutionsCommand({ stateMachineArn: arn, maxResults: 2 }));
    expect(page.executions?.map((e) => e.name)).toEqual(['c', 'b']);
    const rest = await sfn.send(
      new ListExecutionsCommand({ stateMachineArn: arn, maxResults: 2, nextToken: page.nextToken }),
    );
    expect(rest.executions?.map((e) => e.name)).toEqual(['a']);
    const none = await sfn.send(
      new ListExecutionsCommand({ stateMachineArn: arn, statusFilter: 'SUCCEEDED' }),
    );
    expect(none.executions).toEqual([]);
  });

  it('keeps executions across restarts and ends the ones a stop interrupted as ABORTED', async () => {
    const dataFile = join(await mkdtemp(join(tmpdir(), 'sfn-')), 'executions.json');
    const first = await start({ dataFile });
    await first.sfn.send(
      new StartExecutionCommand({ stateMachineArn: arn, name: 'interrupted', input: '{"n":1}' }),
    );
    await first.waitForTask();
    await vi.waitFor(() => expect(readFileSync(dataFile, 'utf8')).toContain('"interrupted"'));
    // A crash: the process goes away without stopping anything.
    await new Promise((resolve) => server!.close(resolve));
    service = undefined;
    const ended: ExecutionRecord[] = [];
    const second = await start({ dataFile, onExecutionEnded: async (e) => void ended.push(e) });
    expect((await service!.recover()).map((e) => e.name)).toEqual(['interrupted']);
    const described = await second.sfn.send(
      new DescribeExecutionCommand({
        executionArn: executionArn(arn, 'interrupted'),
      }),
    );
    expect(described).toMatchObject({
      status: 'ABORTED',
      cause: 'The local cloud stopped while this execution was running.',
    });
    expect(ended).toHaveLength(1);
  });
});
