import type { MockConfig } from '@cascade/local/engine';
import { mockedTaskHandlers } from '@cascade/local/engine';
import { describe, expect, it } from 'vitest';
import { useStateMachineHarness } from './harness';
import mockFile from './mocks/agent.mock.json';

/** Cases written in AWS Step Functions Local's mock configuration format, run unchanged. */
const config = mockFile as MockConfig;
const h = useStateMachineHarness();

const mocked = (testCase: string) => ({ mock: { config, testCase } });

describe('test cases from a Step Functions Local mock file', () => {
  it('ParseThrottledThenRetried: a throttled Lambda is retried and the run succeeds', async () => {
    const { executionId, calls } = await h.run(
      { content: 'profile lalonde.csv' },
      mocked('ParseThrottledThenRetried'),
    );
    expect((await h.executions.get(executionId))?.status).toBe('SUCCEEDED');
    // LambdaThrottledTwice: invocations 0 and 1 throw, the third runs the real handler.
    expect(calls.Parse).toBe(3);
  });

  it('ModelServiceDown: a step that keeps failing fails its item after the retries, and Finish still answers', async () => {
    const { executionId } = await h.run({ content: 'profile lalonde.csv' }, mocked('ModelServiceDown'));
    expect(await h.executions.get(executionId)).toMatchObject({ status: 'FAILED', failedItems: 1 });
    expect((await h.items.list(executionId))[0]?.error).toBe(
      'An internal step failed (ServiceException); please try again.',
    );
    expect(h.events().filter((e) => e.action === 'response' && e.executionId === executionId)).toHaveLength(
      1,
    );
  });

  it('AnalysisCapacityThenRetried: RunTask without capacity is retried', async () => {
    const { executionId, calls } = await h.run(
      { content: 'profile lalonde.csv' },
      mocked('AnalysisCapacityThenRetried'),
    );
    expect((await h.executions.get(executionId))?.status).toBe('SUCCEEDED');
    // EcsCapacityOnce: invocation 0 throws, the second runs the task.
    expect(calls.RunAnalysis).toBe(2);
  });

  it('FinishRetried: a throttled Finish is retried and answers once', async () => {
    const { executionId, calls } = await h.run(
      { content: 'what columns does churn.csv have' },
      mocked('FinishRetried'),
    );
    expect((await h.executions.get(executionId))?.status).toBe('SUCCEEDED');
    // LambdaThrottledTwice: invocations 0 and 1 throw, the third runs the real handler.
    expect(calls.Finish).toBe(3);
    expect(h.events().filter((e) => e.action === 'response' && e.executionId === executionId)).toHaveLength(
      1,
    );
  });

  it('FinishMocked: a mocked Return replaces the real step', async () => {
    const { executionId, output } = await h.run(
      { content: 'what columns does churn.csv have' },
      mocked('FinishMocked'),
    );
    expect(output).toEqual({ status: 'SUCCEEDED' });
    expect((await h.executions.get(executionId))?.status).toBe('RUNNING');
  });

  it('refuses a mock file that names something it does not have', () => {
    const real = { Parse: async () => ({}) };
    expect(() => mockedTaskHandlers(config, 'other', 'x', real)).toThrow('no state machine "other"');
    expect(() => mockedTaskHandlers(config, 'agent', 'Nope', real)).toThrow('no test case "Nope"');
    expect(() => mockedTaskHandlers(config, 'agent', 'ModelServiceDown', real)).toThrow(
      '"InvokeModel", which is not a Task state',
    );
    const broken = { ...config, MockedResponses: {} };
    expect(() => mockedTaskHandlers(broken, 'agent', 'FinishMocked', real)).toThrow('MockedResponses lacks');
  });
});
