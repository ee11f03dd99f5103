import type { AdminRequest, AdminResult, ProtocolErrorBody } from '@cascade/core';
import { adminClientConfig, credentialsProblem } from './aws';
import { CliError } from './errors';
import type { Target } from './target';

/** The admin function's answer (packages/functions/src/admin). */
type AdminAnswer = { ok: true; result: AdminResult } | { ok: false; error: ProtocolErrorBody };

/** A refused invocation as one sentence a person can act on. */
export function describeInvokeError(error: unknown, functionName: string): CliError {
  const credentials = credentialsProblem(
    error,
    `invoke ${functionName}: use a profile allowed lambda:InvokeFunction on it`,
  );
  if (credentials) return credentials;
  const name = (error as { name?: string }).name ?? '';
  if (name === 'ResourceNotFoundException')
    return new CliError(`The admin function ${functionName} does not exist: deploy the stage again.`);
  return new CliError(
    `The admin function failed${name ? ` (${name})` : ''}: ${(error as Error).message || 'no details'}.`,
  );
}

/**
 * Invokes the stage's admin function with the shell's AWS credentials (the SDK's default chain):
 * the access a user pool alone cannot cut, such as ID tokens already issued. Locally the edge
 * answers Lambda's API and takes any SigV4-shaped credentials.
 */
export async function invokeAdmin(
  target: Target,
  env: NodeJS.ProcessEnv,
  request: AdminRequest,
): Promise<AdminResult> {
  const functionName = target.adminFunction;
  if (!functionName)
    throw new CliError(
      `The endpoints file ${target.file} names no admin function: deploy the stage again (npm run deploy -- STAGE) to write it.`,
    );
  const config = adminClientConfig(target, env);
  const sdk = await import('@aws-sdk/client-lambda');
  const client = new sdk.LambdaClient(config);
  let out: { FunctionError?: string; Payload?: Uint8Array };
  try {
    out = await client.send(
      new sdk.InvokeCommand({
        FunctionName: functionName,
        Payload: new TextEncoder().encode(JSON.stringify(request)),
      }),
    );
  } catch (error) {
    throw describeInvokeError(error, functionName);
  } finally {
    client.destroy();
  }
  const text = out.Payload ? new TextDecoder().decode(out.Payload) : 'null';
  if (out.FunctionError) {
    const message = (JSON.parse(text) as { errorMessage?: string }).errorMessage;
    throw new CliError(`The admin function failed: ${message ?? 'no details'}.`);
  }
  const answer = JSON.parse(text) as AdminAnswer;
  if (!answer.ok) throw new CliError(answer.error.message);
  return answer.result;
}
