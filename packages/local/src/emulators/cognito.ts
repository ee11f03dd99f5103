import { type ChildProcess, spawn } from 'node:child_process';
import { createPublicKey, type JsonWebKey, randomUUID, verify } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { existsSync, readFileSync, watch } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  CognitoIdentityProviderClient,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  DescribeUserPoolClientCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { passwordPolicy } from '@cascade/core/password-policy';
import type { GlobalSignOuts, IssuedToken, UserInPool } from '../edge/router';
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
  /** Global sign-out, which cognito-local lacks, recorded in `sign-outs.json` beside its own state. */
  signOuts: GlobalSignOuts;
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

/** A JSON object from one base64url part of a JWT, or undefined. */
function jwtPart(part: string | undefined): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(part ?? '', 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** The user and issue time a token's claims name (cognito-local's issuer ends in the pool id). */
function issuedToken(claims: Record<string, unknown>, usernameClaim: string): IssuedToken | undefined {
  const username = claims[usernameClaim];
  const userPoolId = typeof claims.iss === 'string' ? claims.iss.split('/').at(-1) : undefined;
  if (typeof username !== 'string' || !userPoolId || typeof claims.iat !== 'number') return undefined;
  return { user: { userPoolId, username }, issuedAt: claims.iat };
}

/**
 * Cognito's checks on an access token, which cognito-local skips (it only decodes one): an RS256
 * signature by a key of the pool's JWKS, `token_use` access, not expired at `nowSeconds`.
 * Checked with node:crypto rather than a JWT library: the key is cognito-local's one fixed key.
 */
export function readAccessToken(
  token: string,
  keys: readonly (JsonWebKey & { kid?: string })[],
  nowSeconds: number,
): IssuedToken | 'expired' | 'invalid' {
  const [head, body, signature, ...rest] = token.split('.');
  const header = jwtPart(head);
  const claims = jwtPart(body);
  const key = keys.find((k) => k.kid === header?.kid);
  if (rest.length > 0 || !claims || header?.alg !== 'RS256' || !key || signature === undefined)
    return 'invalid';
  let signed: boolean;
  try {
    signed = verify(
      'RSA-SHA256',
      Buffer.from(`${head}.${body}`),
      createPublicKey({ key, format: 'jwk' }),
      Buffer.from(signature, 'base64url'),
    );
  } catch {
    signed = false;
  }
  const issued = issuedToken(claims, 'username');
  if (!signed || claims.token_use !== 'access' || typeof claims.exp !== 'number' || !issued) return 'invalid';
  return claims.exp <= nowSeconds ? 'expired' : issued;
}

/**
 * Who a refresh token was issued to and when. cognito-local's refresh tokens are JWTs naming the
 * user; its claims are read unverified, since cognito-local takes only refresh tokens it stored.
 */
export function readRefreshToken(token: string): IssuedToken | undefined {
  const claims = jwtPart(token.split('.')[1]);
  return claims ? issuedToken(claims, 'cognito:username') : undefined;
}

export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
  sleep(ms: number): Promise<void>;
}

const systemClock: Clock = { now: () => Date.now(), sleep: (ms) => sleep(ms) };

/**
 * Global sign-outs, which cognito-local lacks: for each user, the epoch second from which their
 * tokens count as issued after their last sign-out everywhere. Kept in a file of its own (never in
 * cognito-local's, which it rewrites whole), replaced whole through a rename so a crash leaves the
 * old record or the new one; read on every check, so every instance on the directory agrees.
 */
export class SignOutRecord {
  private writing: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly file: string,
    private readonly clock: Clock = systemClock,
  ) {}

  /**
   * Tokens carry their issue time in whole seconds: the sign-out takes effect from the next second
   * and resolves once it has begun, so every token issued before it resolves is revoked and every
   * token issued after it is not.
   */
  async signOut(user: UserInPool): Promise<void> {
    const from = Math.floor(this.clock.now() / 1000) + 1;
    const write = this.writing.then(async () => {
      const record = await this.read();
      const key = this.keyOf(user);
      record.set(key, Math.max(record.get(key) ?? 0, from));
      const temporary = `${this.file}.${randomUUID()}.tmp`;
      await writeFile(temporary, `${JSON.stringify(Object.fromEntries(record), null, 2)}\n`);
      await rename(temporary, this.file);
    });
    this.writing = write.catch(() => undefined);
    await write;
    const wait = from * 1000 - this.clock.now();
    if (wait > 0) await this.clock.sleep(wait);
  }

  async isRevoked(token: IssuedToken): Promise<boolean> {
    const from = (await this.read()).get(this.keyOf(token.user));
    return from !== undefined && token.issuedAt < from;
  }

  private keyOf(user: UserInPool) {
    return `${user.userPoolId}/${user.username}`;
  }

  /** The record by `<userPoolId>/<username>`; none before the first sign-out. */
  private async read(): Promise<Map<string, number>> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return new Map();
      throw error;
    }
    const entries = Object.entries(JSON.parse(text) as Record<string, unknown>);
    return new Map(entries.filter((entry): entry is [string, number] => typeof entry[1] === 'number'));
  }
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
  const signOutRecord = new SignOutRecord(join(options.directory, 'sign-outs.json'));
  // cognito-local signs every pool's tokens with one fixed key, served at any pool's JWKS URL.
  let jwks: Promise<JsonWebKey[]> | undefined;
  const keys = () => {
    if (!jwks) {
      jwks = fetch(`${url}/${pool.userPoolId}/.well-known/jwks.json`).then(async (answer) => {
        if (!answer.ok) throw new Error(`cognito-local answered its JWKS with ${answer.status}`);
        return ((await answer.json()) as { keys: JsonWebKey[] }).keys;
      });
      jwks.catch(() => {
        jwks = undefined; // asked again next time
      });
    }
    return jwks;
  };
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
    signOuts: {
      readAccessToken: async (token) => readAccessToken(token, await keys(), Math.floor(Date.now() / 1000)),
      readRefreshToken,
      signOut: (user) => signOutRecord.signOut(user),
      isRevoked: (token) => signOutRecord.isRevoked(token),
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
