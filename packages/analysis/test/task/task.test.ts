import { readFile } from 'node:fs/promises';
import { GetObjectCommand, NoSuchKey, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  InvalidToken,
  SendTaskFailureCommand,
  SendTaskHeartbeatCommand,
  SendTaskSuccessCommand,
  SFNClient,
  TaskTimedOut,
} from '@aws-sdk/client-sfn';
import { ItemOutput } from '@cascade/core/protocol';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runAnalysis } from '../../src/analysis';
import { runTask, type TaskDependencies } from '../../src/task/run-task';
import { dataset } from '../support/files';
import { s3Body } from '../support/s3-body';

const sfnClient = new SFNClient({ region: 'us-east-1' });
const s3Client = new S3Client({ region: 'us-east-1' });
const sfn = mockClient(sfnClient);
const s3 = mockClient(s3Client);
afterEach(() => {
  sfn.reset();
  s3.reset();
});

const lalonde = readFile(dataset('lalonde.csv'), 'utf8');
const env = { TASK_TOKEN: 'token-1', JOB_URI: 's3://jobs/j1.json' };
const effectJob = {
  tool: 'estimate_effect',
  data: 's3://data/samples/lalonde.csv',
  args: {
    treatment: 'treat',
    outcome: 're78',
    covariates: ['age', 'educ', 'black', 'married', 're74', 're75'],
  },
  resultUri: 's3://results/j1.json',
};

function givenObjects(objects: Record<string, string>) {
  s3.on(GetObjectCommand).callsFake(async ({ Bucket, Key }) => {
    const content = objects[`s3://${Bucket}/${Key}`];
    if (content === undefined)
      throw new NoSuchKey({ $metadata: {}, message: 'The specified key does not exist.' });
    return { Body: s3Body(content) };
  });
  s3.on(PutObjectCommand).resolves({});
}

const logger = { info: vi.fn(), warn: vi.fn(), error: vi.fn() };

function deps(overrides: Partial<TaskDependencies> = {}): TaskDependencies {
  return {
    sfn: sfnClient,
    s3: s3Client,
    analyze: (request) => runAnalysis(request, { s3: () => s3Client }),
    heartbeatSeconds: 10,
    logger,
    ...overrides,
  };
}

describe('the analysis task', () => {
  it('loads the job, writes the full result and its chat output to resultUri and reports success with the pointer', async () => {
    givenObjects({
      's3://jobs/j1.json': JSON.stringify(effectJob),
      's3://data/samples/lalonde.csv': await lalonde,
    });
    sfn.on(SendTaskHeartbeatCommand).resolves({});
    sfn.on(SendTaskSuccessCommand).resolves({});

    expect(await runTask(env, deps())).toBe('succeeded');

    const put = s3.commandCalls(PutObjectCommand)[0]!.args[0].input;
    expect([put.Bucket, put.Key]).toEqual(['results', 'j1.json']);
    const stored = JSON.parse(put.Body as string);
    expect(stored).toMatchObject({
      tool: 'estimate_effect',
      source: 'lalonde.csv',
      treatment: 'treat',
      n: 614,
    });
    expect(stored.estimates).toHaveLength(6);
    // The chat output rides along: Append reads it from here, the state keeps only the pointer.
    expect(ItemOutput.parse(stored.output).charts?.length).toBeGreaterThan(0);

    const success = sfn.commandCalls(SendTaskSuccessCommand)[0]!.args[0].input;
    expect(success.taskToken).toBe('token-1');
    const output = JSON.parse(success.output!);
    expect(output.resultUri).toBe('s3://results/j1.json');
    // When the process began and when it reported, for the run's trace (wait versus run).
    expect(output.startedAt).toBeLessThanOrEqual(output.finishedAt);
    expect(output.finishedAt).toBeLessThanOrEqual(Date.now());
    expect(sfn.commandCalls(SendTaskHeartbeatCommand).length).toBeGreaterThanOrEqual(1);
    expect(sfn.commandCalls(SendTaskFailureCommand)).toHaveLength(0);
  });

  it('reports a failure with a short error name and a cause a person can read', async () => {
    givenObjects({
      's3://jobs/j1.json': JSON.stringify({ ...effectJob, args: { treatment: 'training', outcome: 're78' } }),
      's3://data/samples/lalonde.csv': await lalonde,
    });
    sfn.on(SendTaskHeartbeatCommand).resolves({});
    sfn.on(SendTaskFailureCommand).resolves({});

    expect(await runTask(env, deps())).toBe('failed');

    expect(sfn.commandCalls(SendTaskFailureCommand)[0]!.args[0].input).toEqual({
      taskToken: 'token-1',
      error: 'ColumnNotFound',
      cause:
        'Column "training" is not in the data; its columns are: treat, age, educ, black, hispan, married, nodegree, re74, re75, re78.',
    });
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(0);
    expect(sfn.commandCalls(SendTaskSuccessCommand)).toHaveLength(0);
  });

  it('says which dataset is missing', async () => {
    givenObjects({ 's3://jobs/j1.json': JSON.stringify(effectJob) });
    sfn.on(SendTaskHeartbeatCommand).resolves({});
    sfn.on(SendTaskFailureCommand).resolves({});
    expect(await runTask(env, deps())).toBe('failed');
    expect(sfn.commandCalls(SendTaskFailureCommand)[0]!.args[0].input).toMatchObject({
      error: 'DataNotFound',
      cause: 'There is no object at s3://data/samples/lalonde.csv.',
    });
  });

  it('exits quietly, touching nothing, when the first heartbeat says the execution is gone', async () => {
    sfn.on(SendTaskHeartbeatCommand).rejects(new TaskTimedOut({ $metadata: {}, message: 'Task Timed Out' }));
    const analyze = vi.fn();
    expect(await runTask(env, deps({ analyze }))).toBe('stopped');
    expect(s3.calls()).toHaveLength(0);
    expect(analyze).not.toHaveBeenCalled();
    expect(sfn.commandCalls(SendTaskSuccessCommand)).toHaveLength(0);
    expect(sfn.commandCalls(SendTaskFailureCommand)).toHaveLength(0);
  });

  it('stops mid-analysis when a later heartbeat says the execution was stopped', async () => {
    givenObjects({ 's3://jobs/j1.json': JSON.stringify(effectJob) });
    sfn
      .on(SendTaskHeartbeatCommand)
      .resolvesOnce({})
      .rejects(new InvalidToken({ $metadata: {}, message: 'Invalid token' }));
    let started!: () => void;
    const running = new Promise<void>((resolve) => {
      started = resolve;
    });
    const analyze = vi.fn(() => {
      started();
      return new Promise<never>(() => {});
    });
    const outcome = runTask(env, deps({ analyze, heartbeatSeconds: 0.01 }));
    await running;
    expect(await outcome).toBe('stopped');
    expect(sfn.commandCalls(SendTaskSuccessCommand)).toHaveLength(0);
    expect(sfn.commandCalls(SendTaskFailureCommand)).toHaveLength(0);
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(0);
  });

  it('keeps going when a heartbeat fails for another reason', async () => {
    givenObjects({
      's3://jobs/j1.json': JSON.stringify({ ...effectJob, tool: 'profile' }),
      's3://data/samples/lalonde.csv': await lalonde,
    });
    sfn
      .on(SendTaskHeartbeatCommand)
      .rejects(Object.assign(new Error('slow down'), { name: 'ThrottlingException' }));
    sfn.on(SendTaskSuccessCommand).resolves({});
    expect(await runTask(env, deps())).toBe('succeeded');
    expect(logger.warn).toHaveBeenCalledWith('Heartbeat failed; trying again at the next one.', {
      error: 'ThrottlingException',
    });
  });

  it.each([
    [{}, 'JOB_URI is not set; it must point at the job document as s3://bucket/key.'],
    [{ JOB_URI: 'jobs/j1.json' }, 'JOB_URI must look like s3://bucket/key; got "jobs/j1.json".'],
  ])('reports a missing or malformed JOB_URI as a bad request (%j)', async (jobEnv, cause) => {
    sfn.on(SendTaskHeartbeatCommand).resolves({});
    sfn.on(SendTaskFailureCommand).resolves({});
    expect(await runTask({ TASK_TOKEN: 'token-1', ...jobEnv }, deps())).toBe('failed');
    expect(sfn.commandCalls(SendTaskFailureCommand)[0]!.args[0].input).toEqual({
      taskToken: 'token-1',
      error: 'BadRequest',
      cause,
    });
  });

  it('reports a job document that is not a job', async () => {
    givenObjects({ 's3://jobs/j1.json': JSON.stringify({ tool: 'summarize', data: 's3://d/x.csv' }) });
    sfn.on(SendTaskHeartbeatCommand).resolves({});
    sfn.on(SendTaskFailureCommand).resolves({});
    await runTask(env, deps());
    const { error, cause } = sfn.commandCalls(SendTaskFailureCommand)[0]!.args[0].input;
    expect(error).toBe('BadRequest');
    expect(cause).toMatch(/^The job document at s3:\/\/jobs\/j1\.json is invalid: tool: /);
  });

  it('cannot report anything without a task token', async () => {
    expect(await runTask({ JOB_URI: 's3://jobs/j1.json' }, deps())).toBe('unreportable');
    expect(sfn.calls()).toHaveLength(0);
    expect(logger.error).toHaveBeenCalledWith(
      'TASK_TOKEN is not set; task mode runs under Step Functions, which passes the token.',
    );
  });

  it('hides internals of unexpected errors from the cause', async () => {
    givenObjects({ 's3://jobs/j1.json': JSON.stringify(effectJob) });
    sfn.on(SendTaskHeartbeatCommand).resolves({});
    sfn.on(SendTaskFailureCommand).resolves({});
    const analyze = vi
      .fn()
      .mockRejectedValue(new TypeError("Cannot read properties of undefined (reading 'x')"));
    await runTask(env, deps({ analyze }));
    expect(sfn.commandCalls(SendTaskFailureCommand)[0]!.args[0].input).toMatchObject({
      error: 'AnalysisFailed',
      cause: 'The analysis failed unexpectedly; please try again.',
    });
  });
});
