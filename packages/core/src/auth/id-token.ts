import { createRemoteJWKSet, type JWTPayload, errors as joseErrors, jwtVerify } from 'jose';
import { UnauthorizedError } from '../errors';

export interface IdTokenVerifierOptions {
  /** The user pool's issuer: `https://cognito-idp.<region>.amazonaws.com/<poolId>` on AWS, the emulator's URL locally. */
  issuer: string;
  /** The app client id, which Cognito puts in the ID token's `aud`. */
  clientId: string;
  /** Defaults to `<issuer>/.well-known/jwks.json`, where both Cognito and cognito-local serve it. */
  jwksUrl?: string;
}

export interface Identity {
  userId: string;
  email: string;
  tenantId: string;
  /** When the token was issued (`iat`, epoch seconds); a revocation refuses tokens issued before it. */
  issuedAt?: number;
}

export interface IdTokenVerifier {
  verify(token: string): Promise<Identity>;
}

/** How far a token's issue time may be ahead of this clock. */
const clockSkewSeconds = 300;

/** Why a token was refused, for the logs. Never contains the token. */
function reasonOf(error: unknown): string {
  if (error instanceof joseErrors.JWTExpired) return 'expired';
  if (error instanceof joseErrors.JWTClaimValidationFailed)
    return `claim ${error.claim} failed (${error.reason})`;
  if (error instanceof joseErrors.JOSEAlgNotAllowed) return 'algorithm not allowed';
  if (error instanceof joseErrors.JWKSNoMatchingKey) return 'no matching key';
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) return 'bad signature';
  if (error instanceof joseErrors.JOSEError) return error.code;
  return 'unreadable token';
}

/**
 * Verifies a Cognito ID token: RS256 only, signed by a key of the pool's JWKS (fetched once and
 * cached by jose), `iss`, `aud` = the app client, `token_use` = id, `exp` and `nbf`. The same code
 * runs against Cognito and the local emulator; only the issuer differs.
 */
export function createIdTokenVerifier(options: IdTokenVerifierOptions): IdTokenVerifier {
  const issuer = options.issuer.replace(/\/+$/, '');
  const jwks = createRemoteJWKSet(new URL(options.jwksUrl ?? `${issuer}/.well-known/jwks.json`));
  return {
    async verify(token) {
      let payload: JWTPayload;
      try {
        ({ payload } = await jwtVerify(token, jwks, {
          algorithms: ['RS256'],
          issuer,
          audience: options.clientId,
          requiredClaims: ['sub', 'exp'],
        }));
      } catch (error) {
        throw new UnauthorizedError('The sign-in token is not valid; sign in again.', {
          reason: reasonOf(error),
        });
      }
      if (payload.token_use !== 'id') {
        throw new UnauthorizedError('An ID token is required; sign in again.', {
          reason: 'token_use is not id',
        });
      }
      // A user id is what every record is keyed by: an empty one (or not a string) is no identity.
      if (typeof payload.sub !== 'string' || payload.sub.trim() === '') {
        throw new UnauthorizedError('The sign-in token is not valid; sign in again.', {
          reason: 'sub is empty',
        });
      }
      // Issued in the future (beyond a few minutes of clock skew): forged, or from a broken clock.
      const now = Math.floor(Date.now() / 1000);
      if (typeof payload.iat === 'number' && payload.iat > now + clockSkewSeconds) {
        throw new UnauthorizedError('The sign-in token is not valid; sign in again.', {
          reason: 'issued in the future',
        });
      }
      const userId = payload.sub;
      const email = typeof payload.email === 'string' ? payload.email : '';
      const tenant = payload['custom:tenantId'];
      return {
        userId,
        email,
        tenantId: typeof tenant === 'string' && tenant ? tenant : userId,
        ...(typeof payload.iat === 'number' && { issuedAt: payload.iat }),
      };
    },
  };
}
