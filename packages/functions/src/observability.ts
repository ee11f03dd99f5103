import type { Tracer } from '@aws-lambda-powertools/tracer';
import { serviceName } from '@cascade/core';

/**
 * The functions' observability, set up once beside the clients it watches (deps.ts builds every
 * AWS client through `traced`). Deployed, each function runs with Active X-Ray tracing
 * (stacks/lambda.ts) and every AWS call becomes a subsegment of its invocation's trace.
 *
 * Only a process Lambda started loads the tracer at all (AWS_EXECUTION_ENV, the variable
 * Powertools itself reads): the X-Ray SDK under it installs an async hook when loaded, which made
 * every await about four times slower in a promise-bound loop here, a cost the local cloud, its
 * benches and the tests would pay for nothing. `sst dev`'s bridge drops that variable from the
 * environment it hands the local side. Where it is set, Powertools still decides: an emulated
 * Lambda that records no traces (LocalStack) sets POWERTOOLS_TRACE_ENABLED=false, and an off
 * tracer leaves the clients untouched and keeps the X-Ray SDK quiet about missing trace context.
 */
export const tracer: Tracer | undefined = process.env.AWS_EXECUTION_ENV
  ? new (await import('@aws-lambda-powertools/tracer')).Tracer({ serviceName })
  : undefined;

/** The same client, its calls recorded as X-Ray subsegments where tracing is on. */
export function traced<Client>(client: Client): Client {
  return tracer ? tracer.captureAWSv3Client(client) : client;
}
