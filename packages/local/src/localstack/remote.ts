import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';

const decoder = new TextDecoder();

/**
 * A gateway route that calls a Lambda function through the Lambda API (LocalStack's, in
 * LocalStack mode) instead of in-process. A function error comes back as an Error named after
 * its errorType, which is what the gateway maps: "Unauthorized" from the authorizer → 401.
 */
export function remoteHandler(
  lambda: LambdaClient,
  functionName: string,
): (event: object) => Promise<unknown> {
  return async (event) => {
    const out = await lambda.send(
      new InvokeCommand({
        FunctionName: functionName,
        Payload: new TextEncoder().encode(JSON.stringify(event)),
      }),
    );
    const payload = out.Payload ? JSON.parse(decoder.decode(out.Payload) || 'null') : null;
    if (out.FunctionError) {
      const failure = (payload ?? {}) as { errorType?: string; errorMessage?: string };
      throw Object.assign(new Error(failure.errorMessage ?? 'The function failed'), {
        name: failure.errorType ?? 'Error',
      });
    }
    return payload;
  };
}
