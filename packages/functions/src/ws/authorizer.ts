import { logger } from '@cascade/core';
import type { APIGatewayAuthorizerResult, APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { idTokenVerifier } from '../deps';

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
 * REQUEST authorizer for `$connect`. The Cognito ID token comes in `?token=` because browsers
 * cannot set headers on a WebSocket. No token: "Unauthorized" (API Gateway answers 401). A token
 * that fails verification: an explicit Deny (403). The token itself is never logged.
 */
export async function handler(event: APIGatewayRequestAuthorizerEvent): Promise<APIGatewayAuthorizerResult> {
  const token = event.queryStringParameters?.token;
  if (!token) {
    logger.info('connection refused: no token', { requestId: event.requestContext?.requestId });
    throw new Error('Unauthorized');
  }
  try {
    const identity = await idTokenVerifier().verify(token);
    return {
      ...policy(identity.userId, 'Allow', event.methodArn),
      context: { userId: identity.userId, email: identity.email, tenantId: identity.tenantId },
    };
  } catch (error) {
    const reason = (error as { details?: { reason?: string } }).details?.reason ?? 'verification failed';
    logger.info('connection refused: bad token', { reason, requestId: event.requestContext?.requestId });
    return policy('anonymous', 'Deny', event.methodArn);
  }
}
