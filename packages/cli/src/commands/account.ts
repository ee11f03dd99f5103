import type { OptionSpec } from '../args';
import { type Context, print, withConnection } from '../context';
import { jwtClaims } from '../credentials';
import { CliError, exitCodes, sentenceFor, UsageError } from '../errors';
import { canPrompt, promptHidden, readStdin } from '../io';
import { formatTime, keyValues } from '../render';
import type { CommandGroup } from './command';

const passwordStdin: OptionSpec = {
  name: 'password-stdin',
  description: 'Read the password from stdin (without it, a terminal asks for it, hidden).',
};

const emailArg = { name: 'EMAIL', description: 'The email address the account uses.' };

/** The password, from stdin or a hidden prompt; never from the command line, where `ps` would show it. */
async function password(context: Context): Promise<string> {
  const { io } = context;
  if (context.options.flag('password-stdin')) {
    const text = await readStdin(io);
    if (!text)
      throw new UsageError(
        'No password on stdin: pipe it in, e.g. `cascade login EMAIL --password-stdin < file`.',
      );
    return text;
  }
  if (canPrompt(io)) return promptHidden(io, 'Password: ');
  throw new UsageError(
    'Give the password on stdin with --password-stdin (or run this in a terminal to be asked for it).',
  );
}

function email(args: Record<string, string | undefined>): string {
  const value = args.EMAIL!.trim();
  if (!/^[^\s@]+@[^\s@]+$/.test(value)) throw new UsageError(`"${value}" is not an email address.`);
  return value;
}

/** Ends every sign-in through the protocol (which also ends Cognito's refresh tokens), then forgets the tokens here. */
async function logoutEverywhere(context: Context): Promise<number> {
  const target = await context.target();
  const tokens = await context.store.get(target.key);
  if (!tokens) throw new CliError(`You are not logged in to ${target.file}: run \`cascade login EMAIL\`.`);
  const answer = await withConnection(context, async (connection) => {
    // The server closes this connection right after its answer: that close is expected.
    connection.onClose(() => undefined);
    return connection.request({ action: 'signout.everywhere' });
  });
  await context.store.remove(target.key);
  const { connections, revokedBefore } = answer.message;
  print(
    context,
    { ...answer.raw, loggedOut: true, email: tokens.email, target: target.file },
    () =>
      `Signed ${tokens.email} out everywhere: ${connections} connection${connections === 1 ? '' : 's'} closed, and sign-ins from before ${formatTime(revokedBefore)} no longer work.`,
  );
  return exitCodes.ok;
}

export const account: CommandGroup = {
  title: 'Account',
  commands: [
    {
      name: 'signup',
      summary: 'Create an account; Cognito emails a confirmation code.',
      args: [emailArg],
      options: [passwordStdin],
      details: ['The local cloud does not send email: it prints the code in the `npm start` terminal.'],
      async run(context, args) {
        const address = email(args);
        const secret = await password(context);
        const target = await context.target();
        const { confirmed } = await context.cognito(target).signUp(address, secret);
        print(context, { email: address, confirmed }, () =>
          confirmed
            ? `Signed up ${address}: log in with \`cascade login ${address}\`.`
            : `Signed up ${address}. Cognito has emailed a confirmation code (the local cloud prints it in its terminal): run \`cascade confirm ${address} CODE\`.`,
        );
        return exitCodes.ok;
      },
    },
    {
      name: 'confirm',
      summary: 'Confirm a new account with the emailed code.',
      args: [emailArg, { name: 'CODE', description: 'The confirmation code from the email.' }],
      options: [],
      async run(context, args) {
        const address = email(args);
        const target = await context.target();
        await context.cognito(target).confirm(address, args.CODE!.trim());
        print(
          context,
          { email: address, confirmed: true },
          () => `Confirmed ${address}: log in with \`cascade login ${address}\`.`,
        );
        return exitCodes.ok;
      },
    },
    {
      name: 'login',
      summary: 'Log in; the tokens are kept for this target in your config directory.',
      args: [emailArg],
      options: [passwordStdin],
      details: [
        'Tokens (never the password) go to $XDG_CONFIG_HOME/cascade/credentials.json (else ~/.config/cascade/),',
        'readable by you alone, one entry per target. An expired ID token is refreshed before each command.',
      ],
      async run(context, args) {
        const address = email(args);
        const secret = await password(context);
        const target = await context.target();
        const tokens = await context.cognito(target).signIn(address, secret);
        await context.store.put(target.key, tokens);
        const expiresAt = new Date(tokens.expiresAt).toISOString();
        print(
          context,
          { email: address, target: target.file, expiresAt },
          () => `Logged in as ${address} to ${target.file}.`,
        );
        return exitCodes.ok;
      },
    },
    {
      name: 'logout',
      summary: 'Revoke the refresh token with Cognito and forget the tokens here.',
      args: [],
      options: [
        {
          name: 'everywhere',
          description:
            'End every sign-in of yours at once, on every device: refresh tokens, ID tokens already issued, open connections.',
        },
      ],
      details: [
        'With --everywhere, the browser tabs and terminals you are signed in on are disconnected and must',
        'log in again; API keys keep working (revoke them with `cascade keys revoke`).',
      ],
      async run(context) {
        if (context.options.flag('everywhere')) return logoutEverywhere(context);
        const target = await context.target();
        const tokens = await context.store.get(target.key);
        if (!tokens) {
          print(
            context,
            { loggedOut: true, target: target.file },
            () => `You were not logged in to ${target.file}.`,
          );
          return exitCodes.ok;
        }
        let problem: string | undefined;
        try {
          await context.cognito(target).revoke(tokens.refreshToken);
        } catch (error) {
          problem = sentenceFor(error);
        }
        // Forgotten here even when Cognito could not be told: the person asked to be logged out.
        await context.store.remove(target.key);
        if (problem) throw new CliError(`Logged out here, but the refresh token may still work: ${problem}`);
        print(
          context,
          { loggedOut: true, email: tokens.email, target: target.file },
          () => `Logged out ${tokens.email} from ${target.file}.`,
        );
        return exitCodes.ok;
      },
    },
    {
      name: 'whoami',
      summary: 'Show who is logged in to this target, and until when.',
      args: [],
      options: [],
      async run(context) {
        const target = await context.target();
        const tokens = await context.store.get(target.key);
        if (!tokens)
          throw new CliError(`You are not logged in to ${target.file}: run \`cascade login EMAIL\`.`);
        const claims = jwtClaims(tokens.idToken);
        const sub = typeof claims.sub === 'string' ? claims.sub : undefined;
        const tenant = typeof claims['custom:tenantId'] === 'string' ? claims['custom:tenantId'] : undefined;
        const expired = tokens.expiresAt <= context.now();
        const expiresAt = new Date(tokens.expiresAt).toISOString();
        print(
          context,
          {
            email: tokens.email,
            sub,
            ...(tenant && { tenantId: tenant }),
            expiresAt,
            expired,
            target: {
              file: target.file,
              websocketUrl: target.websocketUrl,
              userPoolId: target.userPoolId,
              userPoolClientId: target.userPoolClientId,
            },
          },
          () =>
            keyValues([
              ['Email', tokens.email],
              ['User', sub ?? 'unknown'],
              ...(tenant ? [['Tenant', tenant] as const] : []),
              [
                'Token expires',
                `${formatTime(expiresAt)}${expired ? ' (expired: the next command refreshes it)' : ''}`,
              ],
              ['Target', `${target.websocketUrl} (${target.file})`],
            ]),
        );
        return exitCodes.ok;
      },
    },
  ],
};
