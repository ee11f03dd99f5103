import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { UnauthorizedError } from '../errors';
import type { ApiKeyRecord, ApiKeysRepository } from '../repositories/api-keys';
import type { RevocationRecord, RevocationsRepository } from '../repositories/revocations';
import type { Identity, IdTokenVerifier } from './id-token';

/**
 * Who may open a connection, beyond a valid signature: the `$connect` authorizer's rules for ID
 * tokens and personal API keys, against the per-user revocation record and the keys table.
 */

/** `csk_` + 16 hex digits of key id + `_` + 32 random bytes, base64url. */
const keyPattern = /^csk_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;

export interface MintedKey {
  /** The whole key: shown to its owner once, never stored. */
  key: string;
  keyId: string;
  prefix: string;
  hash: string;
}

export const hashApiKey = (key: string) => createHash('sha256').update(key, 'utf8').digest('hex');

export function mintApiKey(): MintedKey {
  const keyId = randomBytes(8).toString('hex');
  const key = `csk_${keyId}_${randomBytes(32).toString('base64url')}`;
  return { key, keyId, prefix: `csk_${keyId}`, hash: hashApiKey(key) };
}

/** How the connection was let in, which the routes see beside the caller. */
export interface Admission {
  identity: Identity;
  via: 'token' | 'apiKey';
  keyId?: string;
}

export interface AccessDeps {
  verifier: IdTokenVerifier;
  revocations: Pick<RevocationsRepository, 'get'>;
  apiKeys: Pick<ApiKeysRepository, 'get' | 'touch'>;
  now?: () => number;
}

const refused = (reason: string, message = 'This sign-in is no longer valid; sign in again.') =>
  new UnauthorizedError(message, { reason });

function refuseDisabled(record: RevocationRecord | undefined): void {
  if (record?.disabled) throw refused('user disabled', 'This account is disabled.');
}

/** A Cognito ID token issued after the user's last revocation, of a user who is not disabled. */
export async function admitIdToken(token: string, deps: AccessDeps): Promise<Admission> {
  const identity = await deps.verifier.verify(token);
  const revocation = await deps.revocations.get(identity.userId);
  refuseDisabled(revocation);
  if (revocation?.revokedBefore !== undefined && (identity.issuedAt ?? 0) < revocation.revokedBefore)
    throw refused('token revoked');
  return { identity, via: 'token' };
}

/** Equal hashes, compared in constant time (both are 64 hex digits). */
function sameHash(stored: string, presented: string): boolean {
  const a = Buffer.from(stored, 'hex');
  const b = Buffer.from(presented, 'hex');
  return a.length === b.length && a.length > 0 && timingSafeEqual(a, b);
}

/**
 * A personal API key: well formed, known, its hash equal, not revoked or expired, its user not
 * disabled. Its last use is recorded at most once a minute. Every refusal reads the same to the
 * caller; the reason goes to the logs.
 */
export async function admitApiKey(key: string, deps: AccessDeps): Promise<Admission> {
  const message = 'This API key is not valid; create a new one with `cascade keys create`.';
  const match = keyPattern.exec(key);
  if (!match) throw refused('malformed key', message);
  const keyId = match[1]!;
  const record = await deps.apiKeys.get(keyId);
  if (!record || !sameHash(record.hash, hashApiKey(key))) throw refused('unknown key', message);
  if (record.revokedAt) throw refused('key revoked', message);
  const now = (deps.now ?? Date.now)();
  if (record.expiresAt && Date.parse(record.expiresAt) <= now) throw refused('key expired', message);
  // Signing out everywhere ends sign-ins, not keys (each is revoked on its own); disabling ends both.
  refuseDisabled(await deps.revocations.get(record.userId));
  await deps.apiKeys.touch(keyId);
  return { identity: identityOf(record), via: 'apiKey', keyId };
}

const identityOf = (record: ApiKeyRecord): Identity => ({
  userId: record.userId,
  email: record.email,
  tenantId: record.tenantId,
});
