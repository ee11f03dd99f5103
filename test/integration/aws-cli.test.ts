import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { executionArn as executionArnOf, type ServerMessageOf } from '@cascade/core';
import type { LocalCloud } from '@cascade/local';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, credentials, isResponseFor, newUser, startTestCloud } from './harness';

/** Debian's AWS CLI v2 (`apt-get install awscli`, or scripts/install-system-packages.sh). */
const cli = '/usr/bin/aws';
const available = existsSync(cli);
if (!available)
  console.warn(
    `Skipping the AWS CLI checks: ${cli} is not installed (run scripts/install-system-packages.sh).`,
  );

const run = promisify(execFile);
let cloud: LocalCloud;
let executionArn: string;

async function aws(...args: string[]) {
  const { stdout } = await run(
    cli,
    [
      '--endpoint-url',
      cloud.endpoints.edgeUrl,
      '--region',
      cloud.endpoints.region,
      '--output',
      'json',
      ...args,
    ],
    {
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '/tmp',
        AWS_ACCESS_KEY_ID: credentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
        AWS_PAGER: '',
      },
    },
  );
  return stdout.trim().startsWith('{') ? JSON.parse(stdout) : stdout;
}

describe.skipIf(!available)('an outside client: the AWS CLI against the edge', () => {
  beforeAll(async () => {
    cloud = await startTestCloud();
    const user = await newUser(cloud);
    const client = await Client.connect(`${cloud.endpoints.websocketUrl}?token=${user.idToken}`);
    client.send({
      action: 'query',
      messageId: randomUUID(),
      payload: { content: 'which datasets are there?' },
    });
    const ack = await client.waitFor<ServerMessageOf<'ack'>>((m) => m.action === 'ack');
    await client.waitFor(isResponseFor(ack.executionId));
    client.close();
    executionArn = executionArnOf(cloud.endpoints.stateMachineArn, ack.executionId);
  });
  afterAll(() => cloud?.stop());

  it('stepfunctions list-executions and describe-execution', async () => {
    const listed = await aws(
      'stepfunctions',
      'list-executions',
      '--state-machine-arn',
      cloud.endpoints.stateMachineArn,
    );
    expect(listed.executions).toEqual([expect.objectContaining({ executionArn, status: 'SUCCEEDED' })]);
    const described = await aws('stepfunctions', 'describe-execution', '--execution-arn', executionArn);
    expect(described).toMatchObject({
      status: 'SUCCEEDED',
      stateMachineArn: cloud.endpoints.stateMachineArn,
    });
  });

  it('dynamodb scan', async () => {
    const scanned = await aws('dynamodb', 'scan', '--table-name', cloud.endpoints.tables.executions);
    expect(scanned.Count).toBe(1);
    expect(scanned.Items[0].status).toEqual({ S: 'SUCCEEDED' });
  });

  it('s3 ls', async () => {
    await aws(
      's3api',
      'put-object',
      '--bucket',
      cloud.endpoints.bucket,
      '--key',
      'samples/cli.csv',
      '--body',
      '/etc/hostname',
    );
    const listing = await aws('s3', 'ls', `s3://${cloud.endpoints.bucket}/samples/`);
    expect(listing).toContain('cli.csv');
  });
});
