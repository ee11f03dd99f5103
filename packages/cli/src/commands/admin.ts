import type { OptionSpec } from '../args';
import { type CognitoAdmin, cognitoAdminFor, type PoolUser } from '../cognito-admin';
import { type Context, print } from '../context';
import { exitCodes, UsageError } from '../errors';
import { readStdin } from '../io';
import { formatTime, table } from '../render';
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

function setEnabled(enabled: boolean) {
  const verb = enabled ? 'Enabled' : 'Disabled';
  return async (context: Context, args: Record<string, string | undefined>) => {
    const address = email(args);
    await (await admin(context)).setEnabled(address, enabled);
    print(context, { email: address, enabled }, () => `${verb} ${address}.`);
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
      summary: 'Refuse a person their next login and token refresh.',
      args: [emailArg],
      options: [],
      details: [
        'An ID token already issued keeps working until it expires (at most an hour on AWS).',
        credentialsNote,
      ],
      run: setEnabled(false),
    },
    {
      name: 'admin enable-user',
      summary: 'Let a disabled person log in again.',
      args: [emailArg],
      options: [],
      details: [credentialsNote],
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
  ],
};
