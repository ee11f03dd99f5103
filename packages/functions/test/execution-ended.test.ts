import { randomUUID } from 'node:crypto';
import { StartExecutionCommand } from '@aws-sdk/client-sfn';
import { ExecutionsRepository, executionIdFor, ItemsRepository } from '@cascade/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { handler as executionEnded } from '../src/sfn/execution-ended';
import { handler as query } from '../src/ws/query';
import { lambdaContext, loadedWith, messageEvent, useHandlerHarness } from './harness';

const h = useHandlerHarness();
let executions: ExecutionsRepository;
let items: ItemsRepository;
beforeAll(async () => {
  executions = new ExecutionsRepository({
    client: h.dynamo.client,
    tableName: h.dynamo.tableNames.executions,
  });
  items = new ItemsRepository({ client: h.dynamo.client, tableName: h.dynamo.tableNames.items });
  await h.connections.put({ connectionId: 'conn-1', userId: 'u1', tenantId: 't' });
});

async function startRun() {
  const messageId = randomUUID();
  await query(
    messageEvent(
      'conn-1',
      {
        action: 'query',
        messageId,
        payload: {
          content: 'profile lalonde.csv',
          items: [
            { id: 'a', input: 'x' },
            { id: 'b', input: 'y' },
          ],
        },
      },
      { userId: 'u1' },
    ),
  );
  return executionIdFor('u1', messageId);
}

const statusChange = (name: string, status: string) => ({
  detail: { name, status, error: 'States.Runtime', cause: 'boom' },
});

describe('the execution-ended handler (EventBridge: Step Functions Execution Status Change)', () => {
  it.each([
    ['FAILED', 'FAILED', 'The run failed after 1 of 2 items succeeded.'],
    ['TIMED_OUT', 'TIMED_OUT', 'The run ran out of time after 1 of 2 items succeeded.'],
    ['ABORTED', 'ABORTED', 'The run was stopped after 1 of 2 items succeeded.'],
  ])(
    'ends a live run the state machine left %s, settling its unfinished items',
    async (status, recorded, summary) => {
      const executionId = await startRun();
      await items.markSucceeded(executionId, 'a', { durationMs: 1, output: { text: 'ok' } });
      await executions.countFinishedItem(executionId, 'succeeded');
      expect(await executionEnded(statusChange(executionId, status))).toBe(true);
      expect(await executions.get(executionId)).toMatchObject({
        status: recorded,
        summary,
        completedItems: 2,
        failedItems: 1,
      });
      expect((await items.get(executionId, 'b'))?.status).toBe('FAILED');
      const response = h.posted().find((p) => p.message.action === 'response')?.message;
      expect(response).toMatchObject({ status: status === 'TIMED_OUT' ? 'FAILED' : status, summary });
    },
  );

  it('leaves alone a run that succeeded or that Finish or a cancel already ended', async () => {
    const executionId = await startRun();
    expect(await executionEnded(statusChange(executionId, 'SUCCEEDED'))).toBe(false);
    expect(await executionEnded(statusChange(executionId, 'ABORTED'))).toBe(true);
    expect(await executionEnded(statusChange(executionId, 'FAILED'))).toBe(false);
    expect((await executions.get(executionId))?.status).toBe('ABORTED');
    expect(await executionEnded({ detail: { name: 'no-such-run', status: 'FAILED' } })).toBe(false);
  });
});

// Last in the file: loading the functions as Lambda does loads the X-Ray SDK, whose async hook
// slows every later await in this process.
describe('Finish in Lambda', () => {
  it('counts the run by its outcome, published as one EMF line', async () => {
    // Prepare: a run whose item a succeeded and b never finished, Finish as Lambda loads it.
    const executionId = await startRun();
    await items.markSucceeded(executionId, 'a', { durationMs: 1, output: { text: 'ok' } });
    await executions.countFinishedItem(executionId, 'succeeded');
    const input = JSON.parse(h.sfn.commandCalls(StartExecutionCommand)[0]!.args[0].input.input!);
    const env = { AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs20.x', POWERTOOLS_TRACE_ENABLED: 'false' };
    const { modules, lines } = await loadedWith(env, () => import('../src/sfn/finish'));

    // Act
    expect(await modules.handler(input, lambdaContext('finish'))).toEqual({ status: 'PARTIAL' });

    // Assess
    expect(lines()).toEqual([
      expect.objectContaining({
        _aws: expect.objectContaining({
          CloudWatchMetrics: [expect.objectContaining({ Namespace: 'Cascade' })],
        }),
        RunsSucceeded: 0,
        RunsPartial: 1,
        RunsFailed: 0,
      }),
    ]);
  });
});
