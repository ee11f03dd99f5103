import {
  AdminGetUserCommand,
  AdminUserGlobalSignOutCommand,
  type CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';
import { NotFoundError } from '../errors';

/** A user of the pool, as the administration needs them. */
export interface DirectoryUser {
  userId: string;
  email: string;
  tenantId: string;
  enabled: boolean;
}

/** The user pool, for what access control needs of it beyond verifying tokens. */
export interface UserDirectory {
  /** Ends every refresh token the user holds, so no new ID token can be had without signing in. */
  signOut(userId: string): Promise<void>;
  /** The user named by email (or sub); NOT_FOUND if there is none. */
  find(username: string): Promise<DirectoryUser>;
}

const isUserNotFound = (error: unknown) => error instanceof Error && error.name === 'UserNotFoundException';

/**
 * Cognito's admin API on one pool. A pool whose usernames are emails takes the `sub` as a
 * username too, so the user id from a token names the user directly.
 */
export function createCognitoDirectory(
  client: CognitoIdentityProviderClient,
  userPoolId: string,
): UserDirectory {
  return {
    async signOut(userId) {
      await client.send(new AdminUserGlobalSignOutCommand({ UserPoolId: userPoolId, Username: userId }));
    },
    async find(username) {
      try {
        const out = await client.send(
          new AdminGetUserCommand({ UserPoolId: userPoolId, Username: username }),
        );
        const attribute = (name: string) => out.UserAttributes?.find((a) => a.Name === name)?.Value;
        const userId = attribute('sub') ?? out.Username ?? username;
        return {
          userId,
          email: attribute('email') ?? '',
          tenantId: attribute('custom:tenantId') || userId,
          enabled: out.Enabled !== false,
        };
      } catch (error) {
        if (isUserNotFound(error)) throw new NotFoundError(`There is no user ${username}.`);
        throw error;
      }
    },
  };
}
