import { randomUUID } from 'node:crypto';
import { StopExecutionCommand } from '@aws-sdk/client-sfn';
import { describe, expect, it } from 'vitest';
import {
  cancelExecution,
  concludeExecution,
  NotFoundError,
  responseMessageIdFor,
  sessionLockName,
  startQuery,
} from '../../src';
import { alice, bob, stateMachineArn, useChatHarness } from '../fixtures/chat';

const h = useChatHarness();

async function startRun(items = 3) {
  const request = {
    action: 'query' as const,
    messageId: randomUUID(),
    payload: {
      content: 'batch',
      items: Array.from({ length: items }, (_, i) => ({ id: `i${i}`, input: `in ${i}` })),
    },
  };
  const executionId = await startQuery(h.deps, alice, request, async () => undefined);
  const execution = (await h.deps.executions.get(executionId))!;
  return { executionId, sessionId: execution.sessionId };
}

describe('cancelExecution', () => {
  it('stops the state machine, marks the run ABORTED, frees the session and tells every connection', async () => {
    const { executionId, sessionId } = await startRun();
    await h.deps.items.markSucceeded(executionId, 'i0', { durationMs: 5, output: { text: 'ok' } });

    const answer = await cancelExecution(h.deps, alice, executionId, 'm-cancel');

    expect(h.sfn.commandCalls(StopExecutionCommand)[0]!.args[0].input).toEqual({
      executionArn: `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${executionId}`,
      cause: 'Cancelled by the user',
    });
    expect(answer).toMatchObject({
      action: 'execution',
      messageId: 'm-cancel',
      status: 'ABORTED',
      summary: 'Cancelled after 1 of 3 items finished.',
    });
    expect(answer.completedAt).toBeTypeOf('string');
    expect(await h.deps.locks.get(sessionLockName(sessionId))).toBeUndefined();
    expect((await h.deps.sessions.get(sessionId))?.lastExecutionStatus).toBe('ABORTED');
    expect(h.sent).toMatchObject([
      { to: `user:${alice.userId}`, message: { action: 'response', status: 'ABORTED', executionId } },
    ]);
    const history = await h.deps.messages.pageNewestFirst(sessionId);
    expect(history.items[0]).toMatchObject({
      role: 'assistant',
      messageId: responseMessageIdFor(executionId),
      content: 'Cancelled after 1 of 3 items finished.',
    });
  });

  it('leaves an ended run as it was and stops nothing', async () => {
    const { executionId } = await startRun(1);
    await concludeExecution(h.deps, executionId, 'SUCCEEDED', 'All done.');
    h.sent.length = 0;
    const answer = await cancelExecution(h.deps, alice, executionId);
    expect(answer).toMatchObject({ status: 'SUCCEEDED', summary: 'All done.' });
    expect(h.sfn.commandCalls(StopExecutionCommand)).toHaveLength(0);
    expect(h.sent).toEqual([]);
  });

  it('a second cancel answers ABORTED again without announcing it twice', async () => {
    const { executionId } = await startRun(1);
    await cancelExecution(h.deps, alice, executionId);
    const again = await cancelExecution(h.deps, alice, executionId);
    expect(again.status).toBe('ABORTED');
    expect(h.sent.filter((s) => s.message.action === 'response')).toHaveLength(1);
  });

  it("answers NOT_FOUND for another user's execution and stops nothing", async () => {
    const { executionId } = await startRun(1);
    await expect(cancelExecution(h.deps, bob, executionId)).rejects.toBeInstanceOf(NotFoundError);
    expect(h.sfn.commandCalls(StopExecutionCommand)).toHaveLength(0);
    expect((await h.deps.executions.get(executionId))?.status).toBe('RUNNING');
  });
});

describe('concludeExecution', () => {
  it('the first caller ends the run and announces it; a retry of it completes the bookkeeping silently', async () => {
    const { executionId, sessionId } = await startRun(2);
    const first = await concludeExecution(h.deps, executionId, 'SUCCEEDED', 'Both fine.');
    const retry = await concludeExecution(h.deps, executionId, 'SUCCEEDED', 'Both fine.');
    expect(first.announced).toBe(true);
    expect(retry.announced).toBe(false);
    expect(h.sent.filter((s) => s.message.action === 'response')).toHaveLength(1);
    const assistant = (await h.deps.messages.pageNewestFirst(sessionId)).items.filter(
      (m) => m.role === 'assistant',
    );
    expect(assistant).toHaveLength(1);
  });

  it('a late Finish after a cancel changes nothing and sends nothing', async () => {
    const { executionId, sessionId } = await startRun(1);
    await cancelExecution(h.deps, alice, executionId);
    h.sent.length = 0;
    const late = await concludeExecution(h.deps, executionId, 'SUCCEEDED', 'I finished!');
    expect(late).toMatchObject({ announced: false, execution: { status: 'ABORTED' } });
    expect(h.sent).toEqual([]);
    const contents = (await h.deps.messages.pageNewestFirst(sessionId)).items.map((m) => m.content);
    expect(contents).not.toContain('I finished!');
  });

  it('does not take a lock that a newer run of the session holds', async () => {
    const { executionId, sessionId } = await startRun(1);
    await concludeExecution(h.deps, executionId, 'SUCCEEDED', 'done');
    await h.deps.locks.acquire(sessionLockName(sessionId), 'newer-run', 60);
    await concludeExecution(h.deps, executionId, 'SUCCEEDED', 'done');
    expect((await h.deps.locks.get(sessionLockName(sessionId)))?.owner).toBe('newer-run');
  });

  it('says so when the execution does not exist', async () => {
    await expect(concludeExecution(h.deps, 'no-such-run', 'FAILED', 'x')).rejects.toThrow('disappeared');
  });
});
