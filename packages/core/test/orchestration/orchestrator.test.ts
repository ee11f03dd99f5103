import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  SFNClient,
  SFNServiceException,
  StartExecutionCommand,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { throttling } from '../../../../test/support/faults';
import { createStepFunctionsOrchestrator, executionArn } from '../../src';

const client = new SFNClient({ region: 'us-east-1' });
const sfn = mockClient(client);
afterEach(() => sfn.reset());

const arn = 'arn:aws:states:eu-west-1:123456789012:stateMachine:agent';
const orchestrator = createStepFunctionsOrchestrator(client, arn);
const input = {
  executionId: 'e1',
  sessionId: 's',
  userId: 'u',
  tenantId: 't',
  items: [{ id: '1' }],
  options: { maxConcurrency: 3 },
};

describe('Step Functions orchestrator', () => {
  it('derives the execution ARN from the state machine ARN', () => {
    expect(executionArn(arn, 'e1')).toBe('arn:aws:states:eu-west-1:123456789012:execution:agent:e1');
    expect(() => executionArn('arn:aws:lambda:eu-west-1:1:function:f', 'e1')).toThrow(
      'Not a state machine ARN',
    );
  });

  it('starts a run named after the execution with the input as JSON', async () => {
    sfn.on(StartExecutionCommand).resolves({});
    await orchestrator.start(input);
    expect(sfn.commandCalls(StartExecutionCommand)[0]!.args[0].input).toEqual({
      stateMachineArn: arn,
      name: 'e1',
      input: JSON.stringify(input),
    });
  });

  it('treats ExecutionAlreadyExists as already started, and passes other errors on', async () => {
    sfn
      .on(StartExecutionCommand)
      .rejectsOnce(new ExecutionAlreadyExists({ $metadata: {}, message: 'x' }))
      .rejects(throttling(SFNServiceException));
    await expect(orchestrator.start(input)).resolves.toBeUndefined();
    await expect(orchestrator.start(input)).rejects.toThrow('Rate exceeded');
  });

  it('tells whether a run exists', async () => {
    sfn
      .on(DescribeExecutionCommand)
      .resolvesOnce({ status: 'RUNNING' })
      .rejectsOnce(new ExecutionDoesNotExist({ $metadata: {}, message: 'x' }))
      .rejects(throttling(SFNServiceException));
    expect(await orchestrator.exists('e1')).toBe(true);
    expect(await orchestrator.exists('e1')).toBe(false);
    await expect(orchestrator.exists('e1')).rejects.toThrow('Rate exceeded');
  });

  it('stops a run, ignores one that does not exist, and passes other errors on', async () => {
    sfn
      .on(StopExecutionCommand)
      .resolvesOnce({})
      .rejectsOnce(new ExecutionDoesNotExist({ $metadata: {}, message: 'x' }))
      .rejects(throttling(SFNServiceException));
    await orchestrator.stop('e1', 'Cancelled by the user');
    expect(sfn.commandCalls(StopExecutionCommand)[0]!.args[0].input).toEqual({
      executionArn: executionArn(arn, 'e1'),
      cause: 'Cancelled by the user',
    });
    await expect(orchestrator.stop('e1', 'x')).resolves.toBeUndefined();
    await expect(orchestrator.stop('e1', 'x')).rejects.toThrow('Rate exceeded');
  });
});
