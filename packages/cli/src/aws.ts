import { CliError } from './errors';
import type { Target } from './target';

/**
 * What `cascade admin` needs to call AWS APIs with the shell's credentials (the SDK's default
 * chain): the target's region and, locally, the edge, which takes any SigV4-shaped credentials,
 * so fixed ones stand in when the shell has none. Call before loading an SDK client: it also turns
 * off the SDK's Node-version warning, which would add lines to the CLI's one-sentence stderr.
 */
export function adminClientConfig(target: Target, env: NodeJS.ProcessEnv) {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  const local = target.edgeUrl !== undefined;
  const hasShellCredentials = Boolean(env.AWS_ACCESS_KEY_ID || env.AWS_PROFILE);
  return {
    region: target.region,
    ...(local && { endpoint: target.edgeUrl }),
    ...(local && !hasShellCredentials && { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }),
    maxAttempts: local ? 1 : 3,
  };
}

/** A refusal that is about the shell's AWS credentials, as one sentence; undefined for any other. */
export function credentialsProblem(error: unknown, allowedTo: string): CliError | undefined {
  const name = (error as { name?: string }).name ?? '';
  switch (name) {
    case 'AccessDeniedException':
    case 'AccessDenied':
    case 'UnrecognizedClientException':
    case 'InvalidSignatureException':
    case 'ExpiredTokenException':
      return new CliError(`Your AWS credentials may not ${allowedTo} (${name}).`);
    case 'CredentialsProviderError':
      return new CliError(
        'No AWS credentials found: set AWS_PROFILE (or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY) to an administrator.',
      );
    default:
      if ((error as { code?: string }).code === 'ECONNREFUSED' || name === 'TimeoutError')
        return new CliError(
          'Could not reach AWS: check your connection, or start the local cloud with `npm start`.',
        );
      return undefined;
  }
}
