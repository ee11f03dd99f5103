import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { cliSuite } from './cli-runner';
import { testPassword } from './harness';

/** `cascade admin …` as an administrator runs it: the real bin against a local cloud's Cognito admin API. */
const printed: string[] = [];
// No AWS credentials in the shell: locally the CLI must cope alone.
const { cascade } = cliSuite({ cloud: { log: (line) => printed.push(line) }, withoutAwsCredentials: true });
const email = `${randomUUID()}@example.com`;

const login = () => cascade(['login', email, '--password-stdin'], testPassword);

describe('cascade admin', () => {
  it('adds a confirmed user with a permanent password and a tenant, who can log in at once', async () => {
    const added = await cascade(
      ['admin', 'add-user', email, '--tenant', 'acme', '--password-stdin'],
      testPassword,
    );
    expect(added).toMatchObject({ code: 0, stderr: '' });
    expect(added.stdout).toContain(`Added ${email} to tenant acme`);
    expect(await login()).toMatchObject({ code: 0, stderr: '' });
    const whoami = JSON.parse((await cascade(['whoami', '--json'])).stdout);
    expect(whoami).toMatchObject({ email, tenantId: 'acme' });
  });

  it('lists the user, as a table and as a JSON array', async () => {
    const text = await cascade(['admin', 'list-users']);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/Email\s+Status\s+Enabled\s+Tenant\s+Created/);
    expect(text.stdout).toMatch(new RegExp(`${email}\\s+CONFIRMED\\s+yes\\s+acme`));
    const json = await cascade(['admin', 'list-users', '--json']);
    const users = JSON.parse(json.stdout) as unknown[];
    expect(Array.isArray(users)).toBe(true);
    expect(users).toContainEqual(
      expect.objectContaining({ email, status: 'CONFIRMED', enabled: true, tenantId: 'acme' }),
    );
  });

  it('a disabled user cannot log in or refresh; enabled again, they can', async () => {
    const tokensBefore = await login();
    expect(tokensBefore.code).toBe(0);
    expect(await cascade(['admin', 'disable-user', email])).toMatchObject({
      code: 0,
      stdout: `Disabled ${email}: signed out everywhere, 0 connections closed, API keys refused.\n`,
    });
    const refused = await login();
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe('This account is disabled: ask an administrator to enable it.\n');
    const users = JSON.parse((await cascade(['admin', 'list-users', '--json'])).stdout) as {
      email: string;
      enabled: boolean;
    }[];
    expect(users.find((u) => u.email === email)?.enabled).toBe(false);
    expect(await cascade(['admin', 'enable-user', email])).toMatchObject({ code: 0, stderr: '' });
    expect(await login()).toMatchObject({ code: 0, stderr: '' });
  });

  it('invites a user without a password: the local cloud prints the temporary password', async () => {
    const invited = `${randomUUID()}@example.com`;
    const run = await cascade(['admin', 'add-user', invited]);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toContain(`Invited ${invited}`);
    await expect.poll(() => printed.join('\n'), { timeout: 10_000 }).toContain(invited);
    const users = JSON.parse((await cascade(['admin', 'list-users', '--json'])).stdout) as {
      email: string;
      status: string;
    }[];
    expect(users.find((u) => u.email === invited)?.status).toBe('FORCE_CHANGE_PASSWORD');
  });

  it('refuses to add an existing email in one sentence', async () => {
    const again = await cascade(['admin', 'add-user', email, '--password-stdin'], testPassword);
    expect(again).toMatchObject({
      code: 1,
      stdout: '',
      stderr: `A user with the email ${email} already exists.\n`,
    });
  });

  it('says so in one sentence when the user does not exist', async () => {
    const missing = await cascade(['admin', 'disable-user', `${randomUUID()}@example.com`]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^There is no user \S+ in this user pool\.\n$/);
  });

  it('answers an unknown subcommand, or none, with a usage error', async () => {
    const unknown = await cascade(['admin', 'frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toBe('Unknown command "admin frobnicate": see `cascade help` for the commands.\n');
    expect((await cascade(['admin'])).code).toBe(2);
  });

  it('has help for each command, and lists them under Administration', async () => {
    const general = await cascade(['help']);
    expect(general.stdout).toMatch(/Administration:\n\s+admin add-user/);
    const help = await cascade(['help', 'admin', 'add-user']);
    expect(help).toMatchObject({ code: 0, stderr: '' });
    expect(help.stdout).toContain('Usage: cascade admin add-user EMAIL [--tenant TENANT] [--password-stdin]');
    expect((await cascade(['admin', 'list-users', '--help'])).stdout).toContain(
      'Usage: cascade admin list-users',
    );
  });
});
