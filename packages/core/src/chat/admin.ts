import * as z from 'zod';
import { ValidationError } from '../errors';
import { logger } from '../logger';
import { KeyId } from '../protocol/client';
import type { ApiKeySummary } from '../protocol/server';
import { apiKeySummary, closeAll, revokeKey } from './account';
import type { ChatDeps } from './deps';

/**
 * What an administrator does to someone else's access, beyond Cognito's own admin API: the
 * admin function runs these for `cascade admin` (invoked with the administrator's AWS
 * credentials, so IAM decides who is an administrator).
 */

const Email = z.string().min(3).max(254);

export const AdminRequest = z.discriminatedUnion('action', [
  /** Cut the user off now: tokens and keys refused, refresh tokens ended, connections closed. */
  z.object({ action: z.literal('disableUser'), email: Email }),
  /** Lift the cut; sign-ins from before it stay ended. */
  z.object({ action: z.literal('enableUser'), email: Email }),
  z.object({ action: z.literal('listKeys'), email: Email }),
  z.object({ action: z.literal('revokeKey'), keyId: KeyId }),
]);
export type AdminRequest = z.infer<typeof AdminRequest>;

export type AdminResult =
  | { action: 'disableUser'; userId: string; email: string; revokedBefore: string; closedConnections: number }
  | { action: 'enableUser'; userId: string; email: string }
  | { action: 'listKeys'; userId: string; email: string; keys: ApiKeySummary[] }
  | { action: 'revokeKey'; userId: string; key: ApiKeySummary };

export type AdminDeps = Pick<ChatDeps, 'directory' | 'revocations' | 'connections' | 'notifier' | 'apiKeys'>;

export function parseAdminRequest(event: unknown): AdminRequest {
  const parsed = AdminRequest.safeParse(event);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new ValidationError(
    `The admin request is not valid: ${issue?.path.join('.') || 'action'} ${issue?.message}.`,
  );
}

export async function administer(deps: AdminDeps, request: AdminRequest): Promise<AdminResult> {
  switch (request.action) {
    case 'disableUser': {
      const user = await deps.directory.find(request.email);
      // The record first: from this write on, `$connect` refuses the user whatever else happens.
      const revocation = await deps.revocations.disable(user.userId);
      await deps.directory.signOut(user.userId);
      const closed = await closeAll(deps, await deps.connections.listByUser(user.userId));
      logger.info('user disabled', { userId: user.userId, closedConnections: closed });
      return {
        action: 'disableUser',
        userId: user.userId,
        email: user.email,
        revokedBefore: new Date((revocation.revokedBefore ?? 0) * 1000).toISOString(),
        closedConnections: closed,
      };
    }
    case 'enableUser': {
      const user = await deps.directory.find(request.email);
      await deps.revocations.restore(user.userId);
      logger.info('user enabled', { userId: user.userId });
      return { action: 'enableUser', userId: user.userId, email: user.email };
    }
    case 'listKeys': {
      const user = await deps.directory.find(request.email);
      const keys = await deps.apiKeys.listByUser(user.userId);
      return { action: 'listKeys', userId: user.userId, email: user.email, keys: keys.map(apiKeySummary) };
    }
    case 'revokeKey': {
      const record = await revokeKey(deps, request.keyId);
      return { action: 'revokeKey', userId: record.userId, key: apiKeySummary(record) };
    }
  }
}
