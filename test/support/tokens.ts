import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, type JWK, type JWTPayload, SignJWT } from 'jose';

export interface TestIssuer {
  issuer: string;
  clientId: string;
  /** How many times the JWKS was fetched. */
  jwksFetches(): number;
  /** A signed ID token for `sub`, valid for an hour; `claims` override any default claim. */
  idToken(sub: string, claims?: JWTPayload, options?: { kid?: string }): Promise<string>;
  /** A token signed with a key that is not in the JWKS. */
  foreignToken(sub: string): Promise<string>;
  publicJwk: JWK;
  close(): Promise<void>;
}

/** A Cognito-like issuer on 127.0.0.1: RS256 keys, a JWKS at `<issuer>/.well-known/jwks.json`. */
export async function startIssuer(clientId = 'test-client'): Promise<TestIssuer> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  const foreign = await generateKeyPair('RS256');
  const publicJwk = { ...(await exportJWK(publicKey)), kid: 'test-key', alg: 'RS256', use: 'sig' };
  let fetches = 0;
  const server: Server = createServer((request, response) => {
    if (request.url === '/pool_1/.well-known/jwks.json') {
      fetches++;
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ keys: [publicJwk] }));
      return;
    }
    response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}/pool_1`;

  // Explicit claims win over the defaults, so a test can forge any single field.
  const sign = async (key: Parameters<SignJWT['sign']>[0], kid: string, sub: string, claims: JWTPayload) => {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({
      token_use: 'id',
      email: `${sub}@example.com`,
      sub,
      iss: issuer,
      aud: clientId,
      iat: now,
      exp: now + 3600,
      ...claims,
    })
      .setProtectedHeader({ alg: 'RS256', kid })
      .sign(key);
  };

  return {
    issuer,
    clientId,
    publicJwk,
    jwksFetches: () => fetches,
    idToken: (sub, claims = {}, options = {}) => sign(privateKey, options.kid ?? 'test-key', sub, claims),
    foreignToken: (sub) => sign(foreign.privateKey, 'test-key', sub, {}),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
