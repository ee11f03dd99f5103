import { adminClientConfig } from './aws';
import { CliError } from './errors';
import type { Target } from './target';

/** One person in the user pool, as `cascade admin list-users` shows them. */
export interface PoolUser {
  email: string;
  status: string;
  enabled: boolean;
  tenantId?: string;
  created?: string;
}

export interface CognitoAdmin {
  /** With a password: confirmed, that password permanent. Without: Cognito emails a temporary one. */
  addUser(email: string, options: { tenantId?: string; password?: string }): Promise<PoolUser>;
  setEnabled(email: string, enabled: boolean): Promise<void>;
  /** Every user, following ListUsers' PaginationToken to the end. */
  listUsers(): Promise<PoolUser[]>;
}

type Operation = 'add' | 'enable' | 'disable' | 'list';

/** A refused admin call as one sentence a person can act on. */
export function describeAdminError(error: unknown, operation: Operation, email?: string): CliError {
  const name = (error as { name?: string }).name ?? '';
  const message = (error as { message?: string }).message ?? '';
  switch (name) {
    case 'UserNotFoundException':
      return new CliError(`There is no user ${email ?? ''} in this user pool.`.replace('  ', ' '));
    case 'UsernameExistsException':
    case 'AliasExistsException':
      return new CliError(`A user with the email ${email} already exists.`);
    case 'InvalidPasswordException':
      return new CliError(
        `That password is too weak: ${message.replace(/^Password did not conform with policy: ?/i, '') || 'choose a longer one with numbers, symbols and upper- and lower-case letters.'}`,
      );
    case 'NotAuthorizedException':
    case 'AccessDeniedException':
    case 'AccessDenied':
    case 'UnrecognizedClientException':
    case 'InvalidSignatureException':
    case 'ExpiredTokenException':
      return new CliError(
        `Your AWS credentials may not administer this user pool (${name}): use a profile allowed cognito-idp:Admin* and ListUsers.`,
      );
    case 'CredentialsProviderError':
      return new CliError(
        'No AWS credentials found: set AWS_PROFILE (or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY) to an administrator of this user pool.',
      );
    case 'ResourceNotFoundException':
      return new CliError('The user pool in the endpoints file does not exist: check --endpoints.');
    case 'TooManyRequestsException':
    case 'LimitExceededException':
      return new CliError('Too many requests to Cognito: wait a minute and try again.');
    case 'InvalidParameterException':
      return new CliError(`Cognito refused the request: ${message || 'check what you entered.'}`);
    default:
      if ((error as { code?: string }).code === 'ECONNREFUSED' || name === 'TimeoutError')
        return new CliError(
          'Could not reach Cognito: check your connection, or start the local cloud with `npm start`.',
        );
      return new CliError(
        `Cognito refused the ${operation} request${name ? ` (${name})` : ''}: ${message || 'no details'}.`,
      );
  }
}

type Attributes = { Name?: string; Value?: string }[] | undefined;
const attribute = (attributes: Attributes, name: string) => attributes?.find((a) => a.Name === name)?.Value;

/**
 * Cognito's admin API with the shell's AWS credentials (the SDK's default chain). Locally the edge
 * answers and takes any SigV4-shaped credentials, so fixed ones stand in when the shell has none.
 */
export async function cognitoAdminFor(target: Target, env: NodeJS.ProcessEnv): Promise<CognitoAdmin> {
  const config = adminClientConfig(target, env);
  const sdk = await import('@aws-sdk/client-cognito-identity-provider');
  const client = new sdk.CognitoIdentityProviderClient(config);
  const UserPoolId = target.userPoolId;
  async function send<T>(operation: Operation, email: string | undefined, work: () => Promise<T>) {
    try {
      return await work();
    } catch (error) {
      throw describeAdminError(error, operation, email);
    }
  }
  const userFrom = (user: {
    Username?: string;
    UserStatus?: string;
    Enabled?: boolean;
    UserCreateDate?: Date;
    Attributes?: Attributes;
  }): PoolUser => {
    const tenantId = attribute(user.Attributes, 'custom:tenantId');
    return {
      email: attribute(user.Attributes, 'email') ?? user.Username ?? '',
      status: user.UserStatus ?? 'UNKNOWN',
      enabled: user.Enabled !== false,
      ...(tenantId && { tenantId }),
      ...(user.UserCreateDate && { created: new Date(user.UserCreateDate).toISOString() }),
    };
  };

  return {
    async addUser(email, { tenantId, password }) {
      const created = await send('add', email, () =>
        client.send(
          new sdk.AdminCreateUserCommand({
            UserPoolId,
            Username: email,
            UserAttributes: [
              { Name: 'email', Value: email },
              { Name: 'email_verified', Value: 'true' },
              ...(tenantId ? [{ Name: 'custom:tenantId', Value: tenantId }] : []),
            ],
            ...(password !== undefined && { MessageAction: 'SUPPRESS' as const }),
            DesiredDeliveryMediums: ['EMAIL'],
          }),
        ),
      );
      if (password === undefined) return userFrom(created.User ?? {});
      await send('add', email, () =>
        client.send(
          new sdk.AdminSetUserPasswordCommand({
            UserPoolId,
            Username: email,
            Password: password,
            Permanent: true,
          }),
        ),
      ).catch(async (error: unknown) => {
        // A weak password must not leave a half-made account behind.
        await client
          .send(new sdk.AdminDeleteUserCommand({ UserPoolId, Username: email }))
          .catch(() => undefined);
        throw error;
      });
      return { ...userFrom(created.User ?? {}), status: 'CONFIRMED' };
    },
    async setEnabled(email, enabled) {
      await send(enabled ? 'enable' : 'disable', email, () =>
        client.send(
          enabled
            ? new sdk.AdminEnableUserCommand({ UserPoolId, Username: email })
            : new sdk.AdminDisableUserCommand({ UserPoolId, Username: email }),
        ),
      );
    },
    async listUsers() {
      const users: PoolUser[] = [];
      let PaginationToken: string | undefined;
      do {
        const page = await send('list', undefined, () =>
          client.send(new sdk.ListUsersCommand({ UserPoolId, PaginationToken })),
        );
        users.push(...(page.Users ?? []).map(userFrom));
        PaginationToken = page.PaginationToken;
      } while (PaginationToken);
      return users;
    },
  };
}
