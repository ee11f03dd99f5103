import { randomUUID } from 'node:crypto';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parquetBytes } from '../support/parquet';
import { cliSuite, type Run } from './cli-runner';
import { testPassword } from './harness';

/** The terminal client as a person runs it: a child process, against a local cloud's endpoints.json. */
const suite = cliSuite();
const { start, cascade, credentialsFile, targetKey, storedTokens } = suite;
const email = `${randomUUID()}@example.com`;

/** A failure is one sentence on one line of stderr, and never a stack trace. */
function expectOneSentence(run: Run) {
  expect(run.stderr.endsWith('\n')).toBe(true);
  expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(run.stderr).not.toMatch(/\bat .+:\d+:\d+|Error:/);
}

async function editTokens(change: (tokens: Record<string, unknown>) => void) {
  const file = JSON.parse(await readFile(credentialsFile(), 'utf8'));
  change(file.targets[targetKey()]);
  await writeFile(credentialsFile(), JSON.stringify(file));
}

describe('cascade, the terminal client, against a local cloud', () => {
  let sessionId: string;
  let batchExecutionId: string;

  it('signs up, confirms with the emailed code, logs in and keeps only tokens, readable by the user alone', async () => {
    const signup = await cascade(['signup', email, '--password-stdin'], `${testPassword}\n`);
    expect(signup).toMatchObject({ code: 0, stderr: '' });
    expect(signup.stdout).toContain(`cascade confirm ${email} CODE`);

    const confirm = await cascade(['confirm', email, await suite.cloud().confirmationCode(email)]);
    expect(confirm).toMatchObject({ code: 0, stderr: '' });

    const login = await cascade(['login', email, '--password-stdin'], testPassword);
    expect(login).toMatchObject({ code: 0, stderr: '' });
    expect(login.stdout).toContain(`Logged in as ${email}`);
    expect((await stat(credentialsFile())).mode & 0o777).toBe(0o600);
    expect((await stat(join(suite.configHome(), 'cascade'))).mode & 0o777).toBe(0o700);
    const file = await readFile(credentialsFile(), 'utf8');
    expect(file).not.toContain(testPassword);
    expect(Object.keys(JSON.parse(file).targets)).toEqual([targetKey()]);

    const whoami = await cascade(['whoami', '--json']);
    expect(whoami.code).toBe(0);
    const me = JSON.parse(whoami.stdout);
    expect(me).toMatchObject({ email, expired: false, target: { file: suite.endpointsFile() } });
    expect(me.sub).toMatch(/^[0-9a-f-]{36}$/);
    expect((await cascade(['whoami'])).stdout).toMatch(new RegExp(`Email:\\s+${email}`));
  });

  it('lists the datasets as a table, and as the datasets message with --json', async () => {
    const [text, json] = await Promise.all([cascade(['datasets']), cascade(['datasets', '--json'])]);
    expect(text).toMatchObject({ code: 0, stderr: '' });
    expect(text.stdout).toMatch(/^ID\s+SIZE\s+ROWS\s+COLUMNS\s+KIND\s+NAME$/m);
    expect(text.stdout).toMatch(/^churn\.csv\s+.*sample/m);
    expect(JSON.parse(json.stdout)).toMatchObject({
      action: 'datasets',
      datasets: expect.arrayContaining([expect.objectContaining({ id: 'churn.csv', sample: true })]),
    });
  });

  it('asks a question: plain progress lines without a terminal, then the answer; --json prints the response', async () => {
    const asked = await cascade(['ask', 'how many rows are in the churn data?']);
    expect(asked).toMatchObject({ code: 0, stderr: '' });
    const started = /^Execution (\S+) started: 1 item in session (\S+)\.$/m.exec(asked.stdout);
    expect(started).not.toBeNull();
    sessionId = started![2]!;
    expect(asked.stdout).toMatch(/^ {2}\S+ succeeded/m);
    expect(asked.stdout).toContain('From churn.csv.');
    expect(asked.stdout).toContain(`SUCCEEDED · execution ${started![1]} · session ${sessionId}`);
    expect(asked.stdout).not.toContain('\x1b['); // no bar without a terminal

    const json = await cascade(['ask', 'how many rows are in churn.csv?', '--session', sessionId, '--json']);
    expect(json.code).toBe(0);
    const response = JSON.parse(json.stdout);
    expect(response).toMatchObject({ action: 'response', status: 'SUCCEEDED', sessionId });
    expect(response.items[0].output.text).toContain('**2,000**');
  });

  it('runs a three-line batch with a line per finished item, exiting as its status says', async () => {
    const file = join(suite.work(), 'questions.txt');
    await writeFile(
      file,
      '# three questions\nrows: how many rows are in churn.csv?\n\nwhat columns does churn.csv have?\ntenure: what is the average tenure in churn.csv?\n',
    );
    const batch = await cascade(['batch', file]);
    expect(batch.stderr).toBe('');
    batchExecutionId = /^Execution (\S+) started: 3 items/m.exec(batch.stdout)![1]!;
    expect(batch.stdout.match(/^\d\/3 items, \d failed · \S+ (SUCCEEDED|FAILED) in /gm)).toHaveLength(3);
    expect(batch.stdout).toMatch(/^ID\s+STATUS\s+ANSWER$/m);
    for (const id of ['rows', 'item-2', 'tenure'])
      expect(batch.stdout).toMatch(new RegExp(`^${id}\\s+(SUCCEEDED|FAILED)`, 'm'));
    const status = /^(SUCCEEDED|PARTIAL|FAILED) · execution/m.exec(batch.stdout)![1]!;
    expect(batch.code).toBe({ SUCCEEDED: 0, PARTIAL: 2, FAILED: 1 }[status]);
  });

  it("shows a run's state with status, as text and as the execution message", async () => {
    const [text, json] = await Promise.all([
      cascade(['status', batchExecutionId]),
      cascade(['status', batchExecutionId, '--json']),
    ]);
    expect(text).toMatchObject({ code: 0, stderr: '' });
    expect(text.stdout).toMatch(new RegExp(`^Execution:\\s+${batchExecutionId}$`, 'm'));
    expect(text.stdout).toMatch(/^Items:\s+3\/3 done/m);
    expect(JSON.parse(json.stdout)).toMatchObject({
      action: 'execution',
      executionId: batchExecutionId,
      totalItems: 3,
      completedItems: 3,
    });
  });

  it("shows each item's steps and the run's cost with logs, and one item's full trace with --item", async () => {
    const [text, json, one] = await Promise.all([
      cascade(['logs', batchExecutionId]),
      cascade(['status', batchExecutionId, '--json']),
      cascade(['logs', batchExecutionId, '--item', 'rows', '--json']),
    ]);
    expect(text).toMatchObject({ code: 0, stderr: '' });
    expect(text.stdout).toMatch(/^rows\s+(SUCCEEDED|FAILED)/m);
    expect(text.stdout).toMatch(/^ {2}Parse\s+\d/m);
    expect(text.stdout).toMatch(/^ {2}Model #0 rules/m);
    expect(text.stdout).toMatch(/^SERVICE\s+QUANTITY\s+UNIT\s+USD$/m);
    expect(text.stdout).toMatch(/^Step Functions state transitions\s+\d+\s+transitions/m);
    expect(text.stdout).toContain("An estimate at AWS's us-east-1 on-demand prices");
    const execution = JSON.parse(json.stdout);
    expect(execution.cost).toMatchObject({ estimate: true, region: 'us-east-1', usd: expect.any(Number) });
    expect(execution.items[0].steps[0]).toMatchObject({
      node: 'Parse',
      outcome: 'ok',
      durationMs: expect.any(Number),
    });
    const { traces } = JSON.parse(one.stdout);
    expect(traces).toEqual([
      expect.objectContaining({
        action: 'trace',
        itemId: 'rows',
        input: expect.any(String),
        steps: expect.any(Array),
      }),
    ]);
    const missing = await cascade(['logs', batchExecutionId, '--item', 'nope']);
    expect(missing).toMatchObject({ code: 1, stderr: `Run ${batchExecutionId} has no item nope.\n` });
  });

  it('lists the runs newest first, as a table and as the executions message, filtered by status', async () => {
    const [text, json, aborted, unknown] = await Promise.all([
      cascade(['list']),
      cascade(['list', '--json', '--limit', '1']),
      cascade(['list', '--json', '--status', 'aborted']),
      cascade(['list', '--status', 'finished']),
    ]);
    expect(text).toMatchObject({ code: 0, stderr: '' });
    expect(text.stdout).toMatch(/^EXECUTION\s+STARTED\s+STATUS\s+ITEMS\s+QUESTION$/m);
    // The batch ran after the single question: it is listed first.
    const listed = [...text.stdout.matchAll(/^([0-9a-f-]{36}) /gm)].map((m) => m[1]);
    expect(listed[0]).toBe(batchExecutionId);
    expect(text.stdout).toMatch(new RegExp(`^${batchExecutionId} .+ 3/3 items`, 'm'));
    const page = JSON.parse(json.stdout);
    expect(page).toMatchObject({ action: 'executions', executions: [{ executionId: batchExecutionId }] });
    expect(page.cursor).toBeTypeOf('string');
    expect(JSON.parse(aborted.stdout).executions).toEqual([]);
    // A status the protocol does not know is the person's mistake, caught before anything is sent.
    expect(unknown).toMatchObject({
      code: 2,
      stdout: '',
      stderr: expect.stringContaining(
        '--status takes one of RUNNING, SUCCEEDED, PARTIAL, FAILED, ABORTED, TIMED_OUT, not "finished".',
      ),
    });
  });

  it('lists sessions and shows the history of one', async () => {
    const [sessions, sessionsJson, history] = await Promise.all([
      cascade(['sessions']),
      cascade(['sessions', '--json', '--limit', '10']),
      cascade(['history', sessionId]),
    ]);
    expect(sessions).toMatchObject({ code: 0, stderr: '' });
    expect(sessions.stdout).toMatch(/^SESSION\s+UPDATED\s+LAST RUN\s+TITLE$/m);
    expect(sessions.stdout).toContain(sessionId);
    expect(JSON.parse(sessionsJson.stdout).sessions.map((s: { sessionId: string }) => s.sessionId)).toContain(
      sessionId,
    );
    expect(history).toMatchObject({ code: 0, stderr: '' });
    expect(history.stdout).toMatch(/^You · .+\nhow many rows are in the churn data\?$/m);
    expect(history.stdout.match(/^Cascade · /gm)).toHaveLength(2);
  });

  it('uploads a CSV, prints its dataset id, and answers a question about it', async () => {
    const file = join(suite.work(), 'cli sales.csv');
    await writeFile(file, 'region,amount\nnorth,10\nsouth,20\nnorth,30\nwest,5\neast,7\n');
    const upload = await cascade(['upload', file, '--json']);
    expect(upload).toMatchObject({ code: 0, stderr: '' });
    const { datasetId } = JSON.parse(upload.stdout);
    expect(datasetId).toBe('cli-sales.csv');

    const asked = await cascade([
      'ask',
      `how many rows are in ${datasetId}?`,
      '--dataset',
      datasetId,
      '--json',
    ]);
    expect(asked.code).toBe(0);
    const response = JSON.parse(asked.stdout);
    expect(response.items[0].datasets).toEqual([datasetId]);
    expect(response.items[0].output.text).toMatch(/\b5\b/);
  });

  it('uploads a Parquet file, lists it with the rows and columns its footer gives, and answers about it', async () => {
    const file = join(suite.work(), 'cli orders.parquet');
    await writeFile(
      file,
      await parquetBytes(`SELECT i AS order_id, ['north', 'south'][1 + i % 2] AS region FROM range(40) t(i)`),
    );
    const upload = await cascade(['upload', file]);
    expect(upload).toMatchObject({ code: 0, stderr: '' });
    expect(upload.stdout).toBe('Uploaded cli orders.parquet as dataset cli-orders.parquet.\n');
    const listed = await cascade(['datasets']);
    expect(listed.stdout).toMatch(/^cli-orders\.parquet\s+\S+ \S+\s+40\s+2\s+yours\s+cli orders\.parquet$/m);
    const asked = await cascade(['ask', 'how many rows are in cli-orders.parquet?', '--json']);
    expect(JSON.parse(asked.stdout).items[0].output.text).toMatch(/\b40\b/);
  });

  it('leaves a run going on Ctrl-C without a terminal (exit 130, its id printed); `cancel` then aborts it', async () => {
    const file = join(suite.work(), 'long.txt');
    await writeFile(file, Array.from({ length: 60 }, () => 'what columns does churn.csv have?').join('\n'));
    const run = start(['batch', file]);
    const executionId = await new Promise<string>((resolve) => {
      const look = () => {
        const found = /^Execution (\S+) started/m.exec(run.output.stdout);
        if (found) resolve(found[1]!);
        else setTimeout(look, 20);
      };
      look();
    });
    run.child.kill('SIGINT');
    const interrupted = await run.done;
    expect(interrupted.code).toBe(130);
    expect(interrupted.stderr).toBe(
      `Execution ${executionId} is still running: follow it with \`cascade status ${executionId}\`.\n`,
    );

    const cancel = await cascade(['cancel', executionId, '--json']);
    expect(cancel.code).toBe(0);
    expect(JSON.parse(cancel.stdout)).toMatchObject({ action: 'execution', executionId, status: 'ABORTED' });
  });

  it('refreshes an expired ID token with the refresh token before connecting, and stores the new one', async () => {
    const before = await storedTokens();
    await editTokens((tokens) => {
      tokens.expiresAt = Date.now() - 1000;
      tokens.idToken = 'expired.token.here';
    });
    const datasets = await cascade(['datasets']);
    expect(datasets).toMatchObject({ code: 0, stderr: '' });
    const after = (await storedTokens())!;
    expect(after.idToken).not.toBe('expired.token.here');
    expect(after.idToken.split('.')).toHaveLength(3);
    expect(after.expiresAt).toBeGreaterThan(Date.now() + 60_000);
    expect(after.refreshToken).toBe(before!.refreshToken);
  });

  it('says the session has ended when the refresh token no longer works', async () => {
    const saved = await storedTokens();
    await editTokens((tokens) => {
      tokens.expiresAt = 0;
      tokens.refreshToken = 'revoked';
    });
    const run = await cascade(['sessions']);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe('Your session has ended; log in again with `cascade login EMAIL`.\n');
    await editTokens((tokens) => Object.assign(tokens, saved));
  });

  it('refuses bad input with one sentence on stderr and the right exit code', async () => {
    await writeFile(join(suite.work(), 'renamed.parquet'), 'region,amount\nnorth,10\n');
    await writeFile(join(suite.work(), 'report.xlsx'), 'PK');
    const cases: [string[], number, RegExp][] = [
      [['ask'], 2, /^`cascade ask` needs QUESTION: see `cascade help ask`\.$/],
      [['ask', '   '], 2, /^The question is empty/],
      [['batch', join(suite.work(), 'missing.txt')], 1, /^No file at .*missing\.txt\.$/],
      [['status', randomUUID()], 1, /^Execution [0-9a-f-]{36} was not found\.$/],
      [['status', 'not-a-uuid'], 2, /must be a UUID/],
      [['frobnicate'], 2, /^Unknown command "frobnicate"/],
      [['datasets', '--everything'], 2, /^Unknown option --everything for `cascade datasets`/],
      [['keys', 'create', '--expires', '0'], 2, /^--expires must be a whole number of days from 1 to 365\./],
      [['keys', 'revoke', 'nope'], 2, /^"nope" is not a key id \(16 hex digits\)\./],
      [['upload', join(suite.work(), 'missing.csv')], 1, /^No file at /],
      [
        ['upload', join(suite.work(), 'renamed.parquet')],
        1,
        /^renamed\.parquet is not a Parquet file: it does not begin with Parquet's "PAR1" marker\./,
      ],
      [
        ['upload', join(suite.work(), 'report.xlsx')],
        2,
        /^report\.xlsx is not a \.csv or \.parquet file: only CSV and Parquet files can be uploaded\.$/,
      ],
    ];
    const runs = await Promise.all(cases.map(([args]) => cascade(args)));
    runs.forEach((run, i) => {
      const [args, code, sentence] = cases[i]!;
      expect({ args, code: run.code }).toEqual({ args, code });
      expect(run.stderr.trim()).toMatch(sentence);
      expectOneSentence(run);
      expect(run.stdout).toBe('');
    });

    const noTarget = await cascade(['--endpoints', join(suite.work(), 'nowhere.json'), 'datasets']);
    expect(noTarget.code).toBe(1);
    expectOneSentence(noTarget);
  });

  it('logs out: revokes the refresh token with Cognito and forgets the tokens here', async () => {
    const { refreshToken } = (await storedTokens())!;
    const logout = await cascade(['logout']);
    expect(logout).toMatchObject({ code: 0, stderr: '' });
    expect(await storedTokens()).toBeUndefined();
    const refresh = await fetch(suite.cloud().endpoints.edgeUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': 'AWSCognitoIdentityProviderService.InitiateAuth',
      },
      body: JSON.stringify({
        ClientId: suite.cloud().endpoints.userPoolClientId,
        AuthFlow: 'REFRESH_TOKEN_AUTH',
        AuthParameters: { REFRESH_TOKEN: refreshToken },
      }),
    });
    expect(refresh.status).toBe(400);
    const whoami = await cascade(['whoami']);
    expect(whoami.code).toBe(1);
    expect(whoami.stderr).toBe(
      `You are not logged in to ${suite.endpointsFile()}: run \`cascade login EMAIL\`.\n`,
    );
  });
});
