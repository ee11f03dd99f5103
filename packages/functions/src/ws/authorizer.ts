import { type Admission, admitApiKey, admitIdToken, logger, UnauthorizedError } from '@cascade/core';
import type { APIGatewayAuthorizerResult, APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { accessDeps } from '../deps';
import { lambdaHandler } from '../observability';

function policy(principalId: string, effect: 'Allow' | 'Deny', resource: string): APIGatewayAuthorizerResult {
  return {
    principalId,
    policyDocument: {
      Version: '2012-10-17',
      Statement: [{ Action: 'execute-api:Invoke', Effect: effect, Resource: resource }],
    },
  };
}

/**
 * REQUEST authorizer for `$connect`. The caller shows a Cognito ID token in `?token=` (browsers
 * cannot set headers on a WebSocket) or a personal API key in `?apiKey=`. Neither: "Unauthorized"
 * (API Gateway answers 401). One that is refused — a bad or expired token, one issued before the
 * user signed out everywhere, a revoked or expired key, a disabled user — or both at once: an
 * explicit Deny (403). Neither credential is ever logged. No identity source is configured, so
 * API Gateway calls this on every connect and caches nothing: a revocation counts at once.
 */
async function authorize(event: APIGatewayRequestAuthorizerEvent): Promise<APIGatewayAuthorizerResult> {
  const { token, apiKey } = event.queryStringParameters ?? {};
  const requestId = event.requestContext?.requestId;
  if (!token && !apiKey) {
    logger.info('connection refused: no credentials', { requestId });
    throw new Error('Unauthorized');
  }
  let admission: Admission;
  try {
    if (token && apiKey)
      throw new UnauthorizedError('Give a token or an API key, not both.', { reason: 'both credentials' });
    admission = token ? await admitIdToken(token, accessDeps()) : await admitApiKey(apiKey!, accessDeps());
  } catch (error) {
    const reason = (error as { details?: { reason?: string } }).details?.reason;
    if (reason) logger.info('connection refused', { reason, requestId });
    // Refused for want of an answer (DynamoDB, the JWKS): closed, and worth a look.
    else logger.error('connection refused: could not check the credentials', { error, requestId });
    return policy('anonymous', 'Deny', event.methodArn);
  }
  const { identity, via, keyId } = admission;
  return {
    ...policy(identity.userId, 'Allow', event.methodArn),
    context: {
      userId: identity.userId,
      email: identity.email,
      tenantId: identity.tenantId,
      via,
      ...(keyId && { keyId }),
    },
  };
}

export const handler = lambdaHandler(authorize);
