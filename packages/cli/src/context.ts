import type { Options } from './args';
import { type CognitoApi, cognitoAt } from './cognito';
import { Connection } from './connection';
import { CredentialStore, credentialsPath, needsRefresh, type Tokens } from './credentials';
import { CliError } from './errors';
import type { Io } from './io';
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

/** Opens the WebSocket as the logged-in person; the caller closes it. */
export async function connect(context: Context): Promise<Connection> {
  const { target, tokens } = await currentTokens(context);
  return Connection.open(target.websocketUrl, tokens.idToken);
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
