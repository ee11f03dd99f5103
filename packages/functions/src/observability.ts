import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import type { Tracer } from '@aws-lambda-powertools/tracer';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import { hostLogLevel, logger, serviceName } from '@cascade/core/logger';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';

/**
 * The functions' observability, set up once beside the clients it watches (deps.ts builds every
 * AWS client through `traced`) and applied to every handler by `lambdaHandler`. Deployed, each
 * function runs with Active X-Ray tracing (stacks/lambda.ts): every invocation is a trace, every
 * AWS call a subsegment of it, and the counts handlers keep become CloudWatch metrics.
 *
 * Only a process Lambda started loads the tracer and the metrics at all (AWS_EXECUTION_ENV, the
 * variable Powertools itself reads): the X-Ray SDK under the tracer installs an async hook when
 * loaded, which made every await about four times slower in a promise-bound loop here, and the
 * metrics print an EMF line per invocation that only Lambda's log shipping turns into metrics:
 * costs and noise the local cloud, its benches and the tests would have for nothing. `sst dev`'s
 * bridge drops that variable from the environment it hands the local side. Where it is set,
 * Powertools still decides: an emulated Lambda that records no traces (LocalStack) sets
 * POWERTOOLS_TRACE_ENABLED=false, and an off tracer leaves the clients untouched and keeps the
 * X-Ray SDK quiet about missing trace context; POWERTOOLS_METRICS_DISABLED=true mutes the metrics.
 */
const inLambda = Boolean(process.env.AWS_EXECUTION_ENV);

export const tracer: Tracer | undefined = inLambda
  ? new (await import('@aws-lambda-powertools/tracer')).Tracer({ serviceName })
  : undefined;

export const metrics: Metrics | undefined = inLambda
  ? new (await import('@aws-lambda-powertools/metrics')).Metrics({
      namespace: 'Cascade',
      serviceName,
      logger,
    })
  : undefined;

/** The same client, its calls recorded as X-Ray subsegments where tracing is on. */
export function traced<Client>(client: Client): Client {
  return tracer ? tracer.captureAWSv3Client(client) : client;
}

/** Keys that tie an invocation's log lines to what it works on; those left undefined are not logged. */
export type CorrelationKeys = Partial<
  Record<'connectionId' | 'executionId' | 'messageId' | 'itemId' | 'userId', string>
>;

/** CloudWatch metrics (unit Count) by name. */
export type Counts = Record<string, number>;

export interface HandlerOptions<Event, Result> {
  /** The keys every log line of the invocation carries; the next invocation starts without them. */
  correlate?: (event: Event) => CorrelationKeys;
  /**
   * What an invocation counts, from what it returned: published as one EMF line when it returns.
   * Outside Lambda the counts are taken (the same code runs) and dropped.
   */
  count?: (result: Result) => Counts;
}

/** A handler as Lambda calls it, with its context (the local cloud passes a stand-in for one). */
export type LambdaHandler<Event, Result> = (event: Event, context?: Context) => Promise<Result>;

/**
 * Every Cascade function's handler: Powertools' middlewares put the Lambda request id, cold start
 * and function on every log line, add the handler's correlation keys and reset them after, trace
 * the invocation and publish its counts. A response is not recorded in the trace: it may hold a
 * user's data. Lambda's own timeout ends a slow invocation, as the state machine's Retry and
 * Catch expect; middy's early timeout would throw a TimeoutError, which the item steps retry.
 */
export function lambdaHandler<Event, Result>(
  work: (event: Event) => Promise<Result>,
  { correlate, count }: HandlerOptions<Event, Result> = {},
): LambdaHandler<Event, Result> {
  const handler = middy<Event, Result>(work, { timeoutEarlyInMillis: 0 }).use(
    injectLambdaContext(logger, { resetKeys: true }),
  );
  // After injectLambdaContext, which puts the logger back to the level it was built with.
  handler.before(() => {
    const level = hostLogLevel();
    if (level) logger.setLogLevel(level);
  });
  if (correlate) handler.before(({ event }) => void logger.appendKeys(correlate(event)));
  if (tracer) handler.use(captureLambdaHandler(tracer, { captureResponse: false }));
  if (count) {
    // Registered after logMetrics, so it runs before logMetrics publishes (middy runs `after`s in reverse).
    if (metrics) handler.use(logMetrics(metrics));
    handler.after(({ response }) => {
      for (const [name, value] of Object.entries(count(response as Result)))
        metrics?.addMetric(name, 'Count', value);
    });
  }
  // Lambda always passes its context; a caller without one (a unit test) gets middy's empty stand-in.
  return (event, context) => handler(event, context as Context);
}
