import { type ChildProcess, spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { existsSync, readFileSync, watch } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import {
  CognitoIdentityProviderClient,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  DescribeUserPoolClientCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { passwordPolicy } from '@cascade/core/password-policy';
import { freePort } from '../ports';

export interface PoolIds {
  userPoolId: string;
  userPoolClientId: string;
}

export interface ConfirmationCode {
  username: string;
  destination: string;
  code: string;
}

export interface LocalCognito {
  url: string;
  pool: PoolIds;
  /** Emits `code` (ConfirmationCode) whenever Cognito "sends" a code, and `exit` if the emulator dies. */
  events: EventEmitter;
  /** The latest code sent to an address, waiting for it if none has come yet. */
  codeFor(destination: string, timeoutMs?: number): Promise<string>;
  /** Delivers the pending sign-up code of a user again (ResendConfirmationCode). */
  resendCode(username: string): Promise<'sent' | 'confirmed' | 'unknown'>;
  /** Whether the user named, or holding the refresh token, is disabled (AdminDisableUser). */
  isDisabled(who: { username?: string; refreshToken?: string }): Promise<boolean>;
  close(): Promise<void>;
}

const require = createRequire(import.meta.url);
// biome-ignore lint/suspicious/noControlCharactersInRegex: matches terminal colour codes
const ansi = /\u001b\[[0-9;]*m/g;

/** Reads cognito-local's "Confirmation Code Delivery" boxes out of its log. */
export function parseCodeDeliveries(text: string): ConfirmationCode[] {
  const clean = text.replace(ansi, '');
  const found: ConfirmationCode[] = [];
  for (const block of clean.split('Confirmation Code Delivery').slice(1)) {
    const field = (name: string) => new RegExp(`${name}:\\s+(\\S+)`).exec(block)?.[1];
    const code = field('Code');
    const username = field('Username');
    if (code && username) found.push({ username, destination: field('Destination') ?? username, code });
  }
  return found;
}

/**
 * The codes cognito-local keeps on its users, from its pool file (`.cognito/db/<poolId>.json`),
 * by e-mail address. A file caught mid-write reads as none; the next change reads it whole.
 */
export function codesInPool(text: string): ConfirmationCode[] {
  return usersInPool(text).flatMap((user) =>
    typeof user.code === 'string' && user.email
      ? [{ username: user.username, destination: user.email, code: user.code }]
      : [],
  );
}

interface PoolUser {
  username: string;
  email?: string;
  status?: string;
  code?: string;
  enabled: boolean;
  refreshTokens: string[];
}

function usersInPool(text: string): PoolUser[] {
  let pool: { Users?: Record<string, unknown> } | undefined;
  try {
    pool = JSON.parse(text) as typeof pool;
  } catch {
    return [];
  }
  return Object.values(pool?.Users ?? {}).map((value) => {
    const user = value as {
      Username?: string;
      UserStatus?: string;
      ConfirmationCode?: unknown;
      Enabled?: boolean;
      RefreshTokens?: unknown;
      Attributes?: { Name: string; Value?: string }[];
    };
    const email = user.Attributes?.find((a) => a.Name === 'email')?.Value;
    return {
      username: user.Username ?? email ?? '',
      ...(email && { email }),
      ...(user.UserStatus && { status: user.UserStatus }),
      ...(typeof user.ConfirmationCode === 'string' && { code: user.ConfirmationCode }),
      enabled: user.Enabled !== false,
      refreshTokens: Array.isArray(user.RefreshTokens) ? user.RefreshTokens.map(String) : [],
    };
  });
}

async function waitUntilServing(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(`cognito-local exited with code ${child.exitCode} while starting`);
    const ok = await fetch(`${url}/health`, { signal: AbortSignal.timeout(500) }).then(
      () => true,
      () => false,
    );
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`cognito-local did not start within ${timeoutMs} ms`);
}

/**
 * Cognito: cognito-local in a child process keeping its state under `directory`, with a user
 * pool and an app client that allows USER_PASSWORD_AUTH. Tokens name `issuerDomain` (the edge)
 * as their issuer, so the authorizer verifies them exactly as it verifies Cognito's. Sign-up
 * codes are not emailed: they are read from the emulator's log and from the user records it
 * saves before it answers (its log can arrive seconds late: cognito-local's logger buffers) and
 * handed to `events`.
 */
export async function startCognito(options: {
  directory: string;
  issuerDomain: string;
  port?: number;
}): Promise<LocalCognito> {
  const configDirectory = join(options.directory, '.cognito');
  await mkdir(configDirectory, { recursive: true });
  await writeFile(
    join(configDirectory, 'config.json'),
    JSON.stringify(
      {
        TokenConfig: { IssuerDomain: options.issuerDomain },
        UserPoolDefaults: { UsernameAttributes: ['email'] },
      },
      null,
      2,
    ),
  );
  const port = options.port ?? (await freePort());
  const url = `http://127.0.0.1:${port}`;
  const guard = join(import.meta.dirname, 'parent-guard.cjs');
  const child = spawn(
    process.execPath,
    ['--require', guard, require.resolve('cognito-local/lib/bin/start.js')],
    {
      cwd: options.directory,
      env: { ...process.env, HOST: '127.0.0.1', PORT: String(port), NODE_OPTIONS: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const events = new EventEmitter();
  const codes = new Map<string, string>();
  /** Each code once, whichever source tells of it first. */
  const deliver = (delivery: ConfirmationCode) => {
    const key = delivery.destination.toLowerCase();
    if (codes.get(key) === delivery.code) return;
    codes.set(key, delivery.code);
    events.emit('code', delivery);
  };
  let log = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    log += chunk.toString();
    const end = log.lastIndexOf('╯');
    if (end < 0) return;
    for (const delivery of parseCodeDeliveries(log.slice(0, end + 1))) deliver(delivery);
    log = log.slice(end + 1);
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-2000);
  });
  let closing = false;
  child.on('exit', (code, signal) => {
    if (!closing) events.emit('exit', { code, signal, stderr });
  });

  await waitUntilServing(url, child, 15_000);
  const pool = await ensurePool(url, join(options.directory, 'pool.json'));
  const dbDirectory = join(options.directory, '.cognito', 'db');
  const poolFile = `${pool.userPoolId}.json`;
  const readPool = () =>
    readFile(join(dbDirectory, poolFile), 'utf8').then(
      (text) => codesInPool(text).forEach(deliver),
      () => undefined,
    );
  await mkdir(dbDirectory, { recursive: true });
  const watcher = watch(dbDirectory, (_event, name) => {
    if (name === poolFile) void readPool();
  });
  return {
    url,
    pool,
    events,
    codeFor(destination, timeoutMs = 10_000) {
      const key = destination.toLowerCase();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          events.off('code', onCode);
          reject(new Error(`No confirmation code was sent to ${destination} within ${timeoutMs} ms`));
        }, timeoutMs);
        const onCode = (delivery: ConfirmationCode) => {
          if (delivery.destination.toLowerCase() !== key) return;
          clearTimeout(timer);
          events.off('code', onCode);
          resolve(delivery.code);
        };
        events.on('code', onCode);
        const known = codes.get(key);
        if (known) onCode({ username: key, destination: key, code: known });
        else void readPool();
      });
    },
    async resendCode(username) {
      const text = await readFile(join(dbDirectory, poolFile), 'utf8').catch(() => '{}');
      const wanted = username.toLowerCase();
      const user = usersInPool(text).find(
        (u) => u.username.toLowerCase() === wanted || u.email?.toLowerCase() === wanted,
      );
      if (!user) return 'unknown';
      if (user.status !== 'UNCONFIRMED' || !user.code || !user.email) return 'confirmed';
      // Told again even though it is the same code: the person asked for it.
      codes.set(user.email.toLowerCase(), user.code);
      events.emit('code', { username: user.username, destination: user.email, code: user.code });
      return 'sent';
    },
    async isDisabled({ username, refreshToken }) {
      const text = await readFile(join(dbDirectory, poolFile), 'utf8').catch(() => '{}');
      const wanted = username?.toLowerCase();
      return usersInPool(text).some(
        (u) =>
          !u.enabled &&
          ((wanted !== undefined &&
            (u.username.toLowerCase() === wanted || u.email?.toLowerCase() === wanted)) ||
            (refreshToken !== undefined && u.refreshTokens.includes(refreshToken))),
      );
    },
    close: () =>
      new Promise((resolve) => {
        closing = true;
        watcher.close();
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** The pool and client from an earlier start if cognito-local still has them, else new ones. */
async function ensurePool(url: string, file: string): Promise<PoolIds> {
  const client = new CognitoIdentityProviderClient({
    endpoint: url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  try {
    if (existsSync(file)) {
      const saved = JSON.parse(readFileSync(file, 'utf8')) as PoolIds;
      const still = await client
        .send(
          new DescribeUserPoolClientCommand({
            UserPoolId: saved.userPoolId,
            ClientId: saved.userPoolClientId,
          }),
        )
        .then(
          () => true,
          () => false,
        );
      if (still) return saved;
    }
    const created = await client.send(
      new CreateUserPoolCommand({
        PoolName: 'cascade',
        UsernameAttributes: ['email'],
        AutoVerifiedAttributes: ['email'],
        // cognito-local stores the policy but enforces none of it: the edge does (cognito-front.ts).
        Policies: {
          PasswordPolicy: {
            MinimumLength: passwordPolicy.minimumLength,
            RequireLowercase: passwordPolicy.requireLowercase,
            RequireUppercase: passwordPolicy.requireUppercase,
            RequireNumbers: passwordPolicy.requireNumbers,
            RequireSymbols: passwordPolicy.requireSymbols,
          },
        },
      }),
    );
    const userPoolId = created.UserPool!.Id!;
    const appClient = await client.send(
      new CreateUserPoolClientCommand({
        UserPoolId: userPoolId,
        ClientName: 'cascade-web',
        ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
      }),
    );
    const pool = { userPoolId, userPoolClientId: appClient.UserPoolClient!.ClientId! };
    await writeFile(file, JSON.stringify(pool, null, 2));
    return pool;
  } finally {
    client.destroy();
  }
}
