import type { ApiKeySummary, ConnectionSummary, LockSummary } from '@cascade/core/protocol';
import { KeyId, limits } from '@cascade/core/protocol';
import { type Context, print, withConnection } from '../context';
import { exitCodes, UsageError } from '../errors';
import { formatTime, table } from '../render';
import type { CommandGroup } from './command';

const keyIdArg = {
  name: 'KEY_ID',
  description: 'The key id (16 hex digits), as `cascade keys list` shows it.',
};

/** What a key's state is, in a word, at `now`. */
export function keyState(key: ApiKeySummary, now: number): string {
  if (key.revokedAt) return `revoked ${formatTime(key.revokedAt)}`;
  if (key.expiresAt && Date.parse(key.expiresAt) <= now) return 'expired';
  return 'active';
}

export function renderKeys(keys: readonly ApiKeySummary[], now: number): string {
  if (keys.length === 0) return 'No API keys yet: make one with `cascade keys create`.';
  return table(
    ['Id', 'Name', 'Prefix', 'Created', 'Last used', 'Expires', 'State'],
    keys.map((k) => [
      k.keyId,
      k.name,
      k.prefix,
      formatTime(k.createdAt),
      k.lastUsedAt ? formatTime(k.lastUsedAt) : 'never',
      k.expiresAt ? formatTime(k.expiresAt) : 'never',
      keyState(k, now),
    ]),
  );
}

export function renderDevices(connections: readonly ConnectionSummary[]): string {
  if (connections.length === 0) return 'No open connections.';
  return table(
    ['Connected', 'Client', 'From', 'Signed in with', ''],
    connections.map((c) => [
      formatTime(c.connectedAt),
      c.client,
      c.sourceIp ?? '',
      c.via === 'apiKey' ? `API key ${c.keyId ?? ''}`.trim() : 'password',
      c.current ? '(this one)' : '',
    ]),
  );
}

export function renderLocks(locks: readonly LockSummary[]): string {
  if (locks.length === 0) return 'None of your sessions is locked by a run.';
  return table(
    ['Session', 'Title', 'Run', 'Locked since', 'Lock expires'],
    locks.map((l) => [
      l.sessionId,
      l.title,
      l.executionId,
      formatTime(l.acquiredAt),
      formatTime(l.expiresAt),
    ]),
  );
}

function expiresInDays(context: Context): number | undefined {
  const value = context.options.value('expires');
  if (value === undefined) return undefined;
  const days = Number(value);
  if (!/^\d+$/.test(value) || days < 1 || days > limits.apiKeys.maxDays)
    throw new UsageError(`--expires must be a whole number of days from 1 to ${limits.apiKeys.maxDays}.`);
  return days;
}

export const access: CommandGroup = {
  title: 'Keys and devices',
  commands: [
    {
      name: 'keys create',
      summary: 'Make a personal API key for scripts and CI; it is shown once.',
      args: [],
      options: [
        { name: 'name', value: 'NAME', description: 'What the key is for, to tell it apart later.' },
        {
          name: 'expires',
          value: 'DAYS',
          description: `Days until it stops working (default ${limits.apiKeys.defaultDays}, at most ${limits.apiKeys.maxDays}).`,
        },
      ],
      details: [
        'Only its SHA-256 hash is kept: copy the key now. Use it with `cascade --api-key-stdin` or',
        `CASCADE_API_KEY, or as \`?apiKey=\` on the WebSocket. You may hold ${limits.apiKeys.perUser} in use at once.`,
        'A key works until revoked, expired, or its account disabled; signing out everywhere leaves keys alone.',
        'Keys cannot make keys: run this logged in with your password.',
      ],
      async run(context) {
        const name = context.options.value('name');
        const days = expiresInDays(context);
        const answer = await withConnection(context, (connection) =>
          connection.request({
            action: 'key.create',
            payload: {
              ...(name !== undefined && { name }),
              ...(days !== undefined && { expiresInDays: days }),
            },
          }),
        );
        const { key, secret } = answer.message;
        print(context, answer.raw, () =>
          [
            `Created API key ${key.keyId} ("${key.name}"), expiring ${key.expiresAt ? formatTime(key.expiresAt) : 'never'}.`,
            'Copy it now; it is not shown again:',
            '',
            `  ${secret ?? ''}`,
          ].join('\n'),
        );
        return exitCodes.ok;
      },
    },
    {
      name: 'keys list',
      summary: 'List your API keys: name, prefix, created, last used, expires, revoked.',
      args: [],
      options: [],
      details: ['With --json, prints the `keys` message.'],
      async run(context) {
        const answer = await withConnection(context, (connection) =>
          connection.request({ action: 'keys.list' }),
        );
        print(context, answer.raw, () => renderKeys(answer.message.keys, context.now()));
        return exitCodes.ok;
      },
    },
    {
      name: 'keys revoke',
      summary: 'Revoke one of your API keys at once; connections it opened close.',
      args: [keyIdArg],
      options: [],
      async run(context, args) {
        const keyId = args.KEY_ID!.trim();
        if (!KeyId.safeParse(keyId).success)
          throw new UsageError(`"${keyId}" is not a key id (16 hex digits).`);
        const answer = await withConnection(context, (connection) =>
          connection.request({ action: 'key.revoke', payload: { keyId } }),
        );
        print(context, answer.raw, () => `Revoked API key ${keyId} ("${answer.message.key.name}").`);
        return exitCodes.ok;
      },
    },
    {
      name: 'devices',
      summary: 'List your open connections: when, from where, which client.',
      args: [],
      options: [],
      details: ['`cascade logout --everywhere` closes every one opened with a password sign-in.'],
      async run(context) {
        const answer = await withConnection(context, (connection) =>
          connection.request({ action: 'connections.list' }),
        );
        print(context, answer.raw, () => renderDevices(answer.message.connections));
        return exitCodes.ok;
      },
    },
    {
      name: 'locks',
      summary: 'List your sessions a run holds locked, with the run and when the lock expires.',
      args: [],
      options: [],
      details: [
        'A session takes one question at a time; a lock ends when its run does (or, after a crash, when it expires).',
      ],
      async run(context) {
        const answer = await withConnection(context, (connection) =>
          connection.request({ action: 'locks.list' }),
        );
        print(context, answer.raw, () => renderLocks(answer.message.locks));
        return exitCodes.ok;
      },
    },
  ],
};
