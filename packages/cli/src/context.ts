import type { Options } from './args';
import { type CognitoApi, cognitoAt } from './cognito';
import { Connection } from './connection';
import { CredentialStore, credentialsPath, needsRefresh, type Tokens } from './credentials';
import { CliError, UsageError } from './errors';
import { type Io, readStdin } from './io';
import { endpointsFileFrom, loadTarget, type Target } from './target';

/** What a command works with: where it writes, the target, the token store, Cognito and the API. */
export interface Context {
  io: Io;
  env: NodeJS.ProcessEnv;
  /** `--json`: one JSON document on stdout and nothing else there. */
  json: boolean;
  options: Options;
  target(): Promise<Target>;
  store: CredentialStore;
  cognito(target: Target): CognitoApi;
  now(): number;
  /** The API key read from stdin, once (see apiKeyOf). */
  apiKey?: Promise<string>;
}

export function createContext(io: Io, env: NodeJS.ProcessEnv, cwd: string, options: Options): Context {
  let target: Promise<Target> | undefined;
  return {
    io,
    env,
    json: options.flag('json'),
    options,
    target: () => {
      target ??= loadTarget(endpointsFileFrom(options.value('endpoints'), env), cwd);
      return target;
    },
    store: new CredentialStore(credentialsPath(env)),
    cognito: (where) => cognitoAt(where.cognitoUrl, where.userPoolClientId),
    now: Date.now,
  };
}

/** The stored tokens for the target, refreshed first when the ID token has expired or is about to. */
export async function currentTokens(context: Context): Promise<{ target: Target; tokens: Tokens }> {
  const target = await context.target();
  const stored = await context.store.get(target.key);
  if (!stored) throw new CliError(`You are not logged in to ${target.file}: run \`cascade login EMAIL\`.`);
  if (!needsRefresh(stored, context.now())) return { target, tokens: stored };
  const tokens = await context.cognito(target).refresh(stored);
  await context.store.put(target.key, tokens);
  return { target, tokens };
}

/**
 * The personal API key to use instead of a login: `--api-key-stdin` (read once), else
 * $CASCADE_API_KEY; undefined when neither is given.
 */
export async function apiKeyOf(context: Context): Promise<string | undefined> {
  if (context.options.flag('api-key-stdin')) {
    context.apiKey ??= readStdin(context.io).then((text) => {
      const key = text.trim();
      if (!key)
        throw new UsageError(
          'No API key on stdin: pipe it in, e.g. `cascade ask "…" --api-key-stdin < key`.',
        );
      return key;
    });
    return context.apiKey;
  }
  const key = context.env.CASCADE_API_KEY?.trim();
  return key ? key : undefined;
}

/** Opens the WebSocket as the logged-in person, or with the API key given; the caller closes it. */
export async function connect(context: Context): Promise<Connection> {
  const apiKey = await apiKeyOf(context);
  if (apiKey !== undefined) return Connection.open((await context.target()).websocketUrl, { apiKey });
  const { target, tokens } = await currentTokens(context);
  return Connection.open(target.websocketUrl, { idToken: tokens.idToken });
}

/** Runs `work` on a fresh connection and closes it whatever happens. */
export async function withConnection<T>(
  context: Context,
  work: (connection: Connection) => Promise<T>,
): Promise<T> {
  const connection = await connect(context);
  try {
    return await work(connection);
  } finally {
    connection.close();
  }
}

/** Writes the `--json` document, or the text for people. */
export function print(context: Context, json: unknown, text: () => string): void {
  if (context.json) context.io.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
  else context.io.stdout.write(`${text()}\n`);
}
