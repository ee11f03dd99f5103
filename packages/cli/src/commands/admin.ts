import type { AdminResult } from '@cascade/core';
import { KeyId } from '@cascade/core/protocol';
import { invokeAdmin } from '../admin-function';
import type { OptionSpec } from '../args';
import { type CognitoAdmin, cognitoAdminFor, type PoolUser } from '../cognito-admin';
import { type Context, print } from '../context';
import { CliError, exitCodes, UsageError } from '../errors';
import { readStdin } from '../io';
import { formatTime, table } from '../render';
import { renderKeys } from './access';
import type { CommandGroup } from './command';

const emailArg = { name: 'EMAIL', description: "The person's email address (their username)." };

const credentialsNote =
  "Uses your shell's AWS credentials (AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY) and Cognito's admin API on the target's user pool; the local cloud takes any.";

function email(args: Record<string, string | undefined>): string {
  const value = args.EMAIL!.trim();
  if (!/^[^\s@]+@[^\s@]+$/.test(value)) throw new UsageError(`"${value}" is not an email address.`);
  return value;
}

async function admin(context: Context): Promise<CognitoAdmin> {
  return cognitoAdminFor(await context.target(), context.env);
}

const passwordStdin: OptionSpec = {
  name: 'password-stdin',
  description: 'Read a permanent password from stdin: the account is ready at once, and no email is sent.',
};

const tenant: OptionSpec = {
  name: 'tenant',
  value: 'TENANT',
  description: 'The tenant the person belongs to (their custom:tenantId).',
};

const functionNote =
  "Also invokes the stage's admin function (endpoints file: adminFunction) with your shell's AWS credentials: lambda:InvokeFunction on it.";

/**
 * Cognito first (no new sign-in or refresh), then the admin function: disabling cuts what Cognito
 * cannot (ID tokens already issued, API keys, open connections) at once; enabling lifts that cut.
 */
function setEnabled(enabled: boolean) {
  return async (context: Context, args: Record<string, string | undefined>) => {
    const address = email(args);
    const target = await context.target();
    await (await admin(context)).setEnabled(address, enabled);
    let result: AdminResult;
    try {
      result = await invokeAdmin(target, context.env, {
        action: enabled ? 'enableUser' : 'disableUser',
        email: address,
      });
    } catch (error) {
      const problem = error instanceof Error ? error.message : String(error);
      throw new CliError(
        enabled
          ? `Enabled ${address} in Cognito, but their access is still cut: ${problem}`
          : `Disabled ${address} in Cognito (no new sign-in), but tokens already issued and API keys still work: ${problem}`,
      );
    }
    print(context, { email: address, enabled, ...result }, () =>
      result.action === 'disableUser'
        ? `Disabled ${address}: signed out everywhere, ${result.closedConnections} connection${result.closedConnections === 1 ? '' : 's'} closed, API keys refused.`
        : `Enabled ${address}: they can log in again (their API keys work again unless revoked).`,
    );
    return exitCodes.ok;
  };
}

const userRow = (user: PoolUser) => [
  user.email,
  user.status,
  user.enabled ? 'yes' : 'no',
  user.tenantId ?? '',
  user.created ? formatTime(user.created) : '',
];

export const administration: CommandGroup = {
  title: 'Administration',
  commands: [
    {
      name: 'admin add-user',
      summary: 'Add a person to the user pool: with a password, ready at once; else Cognito invites them.',
      args: [emailArg],
      options: [tenant, passwordStdin],
      details: [
        'Without --password-stdin, Cognito emails a temporary password (the local cloud prints it in the',
        '`npm start` terminal); on first login the person chooses a new one in the web client.',
        credentialsNote,
      ],
      async run(context, args) {
        const address = email(args);
        let password: string | undefined;
        if (context.options.flag('password-stdin')) {
          password = await readStdin(context.io);
          if (!password)
            throw new UsageError(
              'No password on stdin: pipe it in, e.g. `cascade admin add-user EMAIL --password-stdin < file`.',
            );
        }
        const tenantId = context.options.value('tenant');
        const user = await (await admin(context)).addUser(address, {
          ...(tenantId !== undefined && { tenantId }),
          ...(password !== undefined && { password }),
        });
        print(context, user, () =>
          password !== undefined
            ? `Added ${address}${tenantId ? ` to tenant ${tenantId}` : ''}: they can log in now.`
            : `Invited ${address}${tenantId ? ` to tenant ${tenantId}` : ''}: Cognito has emailed a temporary password (the local cloud prints it in its terminal).`,
        );
        return exitCodes.ok;
      },
    },
    {
      name: 'admin disable-user',
      summary:
        'Cut a person off at once: no login, no refresh, tokens and API keys refused, connections closed.',
      args: [emailArg],
      options: [],
      details: [credentialsNote, functionNote],
      run: setEnabled(false),
    },
    {
      name: 'admin enable-user',
      summary: 'Let a disabled person log in again.',
      args: [emailArg],
      options: [],
      details: [
        'Sign-ins from before the disable stay ended: the person logs in afresh.',
        credentialsNote,
        functionNote,
      ],
      run: setEnabled(true),
    },
    {
      name: 'admin list-users',
      summary: 'List the people in the user pool: email, status, enabled, tenant, created.',
      args: [],
      options: [],
      details: [credentialsNote],
      async run(context) {
        const users = await (await admin(context)).listUsers();
        print(context, users, () =>
          users.length === 0
            ? 'No users yet: add one with `cascade admin add-user EMAIL`.'
            : table(['Email', 'Status', 'Enabled', 'Tenant', 'Created'], users.map(userRow)),
        );
        return exitCodes.ok;
      },
    },
    {
      name: 'admin keys',
      summary: "List a person's API keys: name, prefix, created, last used, expires, revoked.",
      args: [emailArg],
      options: [],
      details: [functionNote],
      async run(context, args) {
        const address = email(args);
        const result = await invokeAdmin(await context.target(), context.env, {
          action: 'listKeys',
          email: address,
        });
        print(context, result, () =>
          result.action === 'listKeys' && result.keys.length === 0
            ? `${address} has no API keys.`
            : renderKeys(result.action === 'listKeys' ? result.keys : [], context.now()),
        );
        return exitCodes.ok;
      },
    },
    {
      name: 'admin revoke-key',
      summary: "Revoke anyone's API key at once; connections it opened close.",
      args: [{ name: 'KEY_ID', description: 'The key id, as `cascade admin keys EMAIL` shows it.' }],
      options: [],
      details: [functionNote],
      async run(context, args) {
        const keyId = args.KEY_ID!.trim();
        if (!KeyId.safeParse(keyId).success)
          throw new UsageError(`"${keyId}" is not a key id (16 hex digits).`);
        const result = await invokeAdmin(await context.target(), context.env, { action: 'revokeKey', keyId });
        print(context, result, () => `Revoked API key ${keyId}.`);
        return exitCodes.ok;
      },
    },
  ],
};
