import type { IncomingMessage } from 'node:http';

export type Service = 'dynamodb' | 'cognito-idp' | 's3' | 'states' | 'execute-api' | 'lambda';

const targetPrefixes: [string, Service][] = [
  ['DynamoDB_', 'dynamodb'],
  ['AWSCognitoIdentityProviderService.', 'cognito-idp'],
  ['AWSStepFunctions.', 'states'],
];

const scopeService = /Credential=[^/]+\/\d{8}\/[^/]+\/([a-z0-9-]+)\/aws4_request/;
const queryScope =
  /[?&]X-Amz-Credential=[^/&]+(?:%2F|\/)\d{8}(?:%2F|\/)[^/&%]+(?:%2F|\/)([a-z0-9-]+)(?:%2F|\/)aws4_request/i;

/**
 * Which service a request is for, as LocalStack decides it: the SigV4 credential scope first
 * (header or presigned query), then X-Amz-Target, then well-known paths for unsigned calls
 * (a browser talking to Cognito, a JWKS fetch). Any access key is accepted.
 */
export function serviceOf(request: Pick<IncomingMessage, 'headers' | 'url'>): Service | undefined {
  const url = request.url ?? '/';
  const signed = scopeService.exec(String(request.headers.authorization ?? '')) ?? queryScope.exec(url);
  const scoped = signed?.[1];
  if (
    scoped === 'dynamodb' ||
    scoped === 'cognito-idp' ||
    scoped === 's3' ||
    scoped === 'states' ||
    scoped === 'execute-api' ||
    scoped === 'lambda'
  ) {
    return scoped;
  }
  const target = String(request.headers['x-amz-target'] ?? '');
  for (const [prefix, service] of targetPrefixes) if (target.startsWith(prefix)) return service;
  const path = url.split('?')[0]!;
  if (/^\/[^/]+\/\.well-known\/(jwks\.json|openid-configuration)$/.test(path)) return 'cognito-idp';
  if (/^(\/[^/]+)?\/@connections\//.test(path)) return 'execute-api';
  return undefined;
}
