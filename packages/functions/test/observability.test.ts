import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { lambdaContext, loadedWith } from './harness';

/** What Lambda sets in a function with Active tracing: the runtime, and the invocation's trace. */
const root = '1-5759e988-bd862e3fe1be46a994272793';
const lambda = {
  AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
  LAMBDA_TASK_ROOT: '/var/task',
  _X_AMZN_TRACE_ID: `Root=${root};Parent=53995c3f42cd8ad8;Sampled=1`,
};

/** The observability module as a process with this environment loads it. */
async function observabilityIn(env: Record<string, string | undefined>) {
  for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
  vi.resetModules();
  return import('../src/observability');
}

/** An S3 client that answers every request itself (200, empty) and keeps what it was sent. */
function answeringClient() {
  const sent: { headers: Record<string, string> }[] = [];
  const client = new S3Client({
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    requestHandler: {
      handle: async (request: { headers: Record<string, string> }) => {
        sent.push(request);
        return { response: { statusCode: 200, headers: {}, body: new Uint8Array() } };
      },
    },
  });
  return { client, sent, middleware: () => client.middlewareStack.identify() };
}

const headObject = new HeadObjectCommand({ Bucket: 'datasets', Key: 'samples/a.csv' });

// The X-Ray SDK decides once, when it is first loaded, whether it runs in Lambda (and then hangs
// every call on the invocation's trace): load it as Lambda loads it.
beforeAll(async () => {
  vi.stubEnv('LAMBDA_TASK_ROOT', lambda.LAMBDA_TASK_ROOT);
  await import('@aws-lambda-powertools/tracer');
  vi.unstubAllEnvs();
});

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('traced', { timeout: 30_000 }, () => {
  it('outside Lambda (the local cloud, tests, sst dev’s local side) loads no tracer, returns the client untouched and prints nothing', async () => {
    // Prepare
    const { tracer, traced } = await observabilityIn({
      AWS_EXECUTION_ENV: undefined,
      LAMBDA_TASK_ROOT: undefined,
      _X_AMZN_TRACE_ID: undefined,
    });
    const { client, sent, middleware } = answeringClient();
    const before = middleware();
    const errors = vi.spyOn(console, 'error');
    const stderr = vi.spyOn(process.stderr, 'write');

    // Act
    const same = traced(client);
    await same.send(headObject);

    // Assess
    expect(tracer).toBeUndefined();
    expect(same).toBe(client);
    expect(middleware()).toEqual(before);
    expect(sent[0]!.headers).not.toHaveProperty('X-Amzn-Trace-Id');
    expect(errors).not.toHaveBeenCalled();
    expect(stderr).not.toHaveBeenCalled();
  });

  it('in an emulated Lambda told POWERTOOLS_TRACE_ENABLED=false (LocalStack) leaves the client untouched', async () => {
    const { tracer, traced } = await observabilityIn({ ...lambda, POWERTOOLS_TRACE_ENABLED: 'false' });
    const { client, middleware } = answeringClient();
    const before = middleware();

    expect(traced(client)).toBe(client);
    expect(tracer!.isTracingEnabled()).toBe(false);
    expect(middleware()).toEqual(before);
  });

  it("in Lambda records each call as a subsegment of the invocation's trace and passes the trace on", async () => {
    // Prepare: a stand-in for the X-Ray daemon, where Lambda's would listen.
    const daemon = createSocket('udp4');
    daemon.bind(0, '127.0.0.1');
    await once(daemon, 'listening');
    const { tracer, traced } = await observabilityIn(lambda);
    tracer!.provider.setDaemonAddress(`127.0.0.1:${(daemon.address() as AddressInfo).port}`);
    const { client, sent, middleware } = answeringClient();
    const received = once(daemon, 'message');

    try {
      // Act
      const same = traced(client);
      await same.send(headObject);

      // Assess
      expect(tracer!.isTracingEnabled()).toBe(true);
      expect(same).toBe(client);
      expect(middleware()).toContain('XRaySDKInstrumentation - build');
      const header = sent[0]!.headers['X-Amzn-Trace-Id'];
      expect(header).toMatch(new RegExp(`^Root=${root};Parent=[0-9a-f]{16};Sampled=1`));
      const [message] = (await received) as [Buffer];
      const subsegment = JSON.parse(message.toString().split('\n')[1]!);
      expect(subsegment).toMatchObject({
        type: 'subsegment',
        name: 'S3',
        namespace: 'aws',
        trace_id: root,
        parent_id: '53995c3f42cd8ad8',
        id: header!.split(';')[1]!.slice('Parent='.length),
        aws: { operation: 'HeadObject' },
        http: { response: { status: 200 } },
      });
    } finally {
      daemon.close();
    }
  });
});

/** The observability module and the logger it uses, as a process with this environment loads them. */
const handlersIn = (env: Record<string, string | undefined>) =>
  loadedWith({ POWERTOOLS_LOG_LEVEL: 'INFO', ...env }, async () => ({
    ...(await import('../src/observability')),
    logger: (await import('@cascade/core')).logger,
  }));

const outside = { AWS_EXECUTION_ENV: undefined, LAMBDA_TASK_ROOT: undefined, _X_AMZN_TRACE_ID: undefined };

describe('lambdaHandler', { timeout: 30_000 }, () => {
  it('resets the correlation keys after a failed invocation too, and logs none left undefined', async () => {
    // Prepare
    const { modules, lines } = await handlersIn(outside);
    const { lambdaHandler, logger } = modules;
    const handler = lambdaHandler(
      async (event: { executionId?: string; fail?: boolean }) => {
        logger.info('working');
        if (event.fail) throw new Error('boom');
        return 'done';
      },
      { correlate: ({ executionId }) => ({ executionId, itemId: undefined }) },
    );

    // Act
    await expect(
      handler({ executionId: 'e-1', fail: true }, lambdaContext('finish', 'req-1')),
    ).rejects.toThrow('boom');
    const answer = await handler({}, lambdaContext('finish', 'req-2'));

    // Assess
    expect(answer).toBe('done');
    const [failed, next] = lines();
    expect(failed).toMatchObject({ message: 'working', executionId: 'e-1', function_request_id: 'req-1' });
    expect(failed).not.toHaveProperty('itemId');
    expect(next).toMatchObject({ message: 'working', function_request_id: 'req-2' });
    expect(next).not.toHaveProperty('executionId');
  });

  it('keeps the level a host set for every invocation, where Powertools would restore the level the logger was built with', async () => {
    // Prepare: the logger is built at INFO, as a process without POWERTOOLS_LOG_LEVEL builds it
    const { modules, lines } = await handlersIn(outside);
    const { lambdaHandler, logger } = modules;
    const { setHostLogLevel } = await import('@cascade/core');
    const handler = lambdaHandler(async () => {
      logger.info('routine');
      logger.warn('worth seeing');
    });

    // Act: the local cloud keeps handlers at WARN; the second call is a warm one
    setHostLogLevel('WARN');
    await handler({}, lambdaContext('finish', 'req-1'));
    await handler({}, lambdaContext('finish', 'req-2'));

    // Assess
    expect(lines().map((line) => [line.message, line.function_request_id])).toEqual([
      ['worth seeing', 'req-1'],
      ['worth seeing', 'req-2'],
    ]);
  });

  it("leaves a slow invocation to Lambda's own timeout (middy's early one throws a TimeoutError, which the item steps retry)", async () => {
    const { lambdaHandler } = (await handlersIn(outside)).modules;
    const slow = lambdaHandler(() => new Promise<string>((resolve) => setTimeout(() => resolve('done'), 50)));
    const context = { ...lambdaContext('dispatch'), getRemainingTimeInMillis: () => 10 };

    expect(await slow({}, context)).toBe('done');
  });

  it('outside Lambda takes the counts but publishes no metrics and prints nothing', async () => {
    const { modules, written } = await handlersIn({ ...outside, POWERTOOLS_LOG_LEVEL: 'WARN' });
    const count = vi.fn(() => ({ ItemsFailed: 1 }));
    const handler = modules.lambdaHandler(async () => 'done', { count });

    expect(await handler({}, lambdaContext('record-failure'))).toBe('done');
    expect(modules.metrics).toBeUndefined();
    expect(count).toHaveBeenCalledWith('done');
    expect(written).toEqual([]);
  });

  it("in Lambda publishes an invocation's counts as one EMF line in the Cascade namespace, and nothing for a handler that counts nothing", async () => {
    // Prepare: a Lambda that records no traces, so only the metrics speak.
    const { modules, lines } = await handlersIn({ ...lambda, POWERTOOLS_TRACE_ENABLED: 'false' });
    const { lambdaHandler } = modules;
    const counted = lambdaHandler(async (route: string) => ({ route }), {
      count: ({ route }) => ({
        ToolRunsInline: Number(route === 'inline'),
        ToolRunsTask: Number(route === 'task'),
      }),
    });
    const uncounted = lambdaHandler(async () => 'done');

    // Act
    await counted('task', lambdaContext('dispatch'));
    await uncounted({}, lambdaContext('finish'));

    // Assess
    const [emf, ...rest] = lines();
    expect(emf).toMatchObject({
      _aws: { CloudWatchMetrics: [{ Namespace: 'Cascade', Dimensions: [['service']] }] },
      service: 'cascade',
      ToolRunsInline: 0,
      ToolRunsTask: 1,
    });
    expect(rest).toEqual([]);
  });
});
