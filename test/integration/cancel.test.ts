import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeExecutionCommand, SFNClient } from '@aws-sdk/client-sfn';
import { executionArn, type ServerMessageOf } from '@cascade/core';
import type { LocalCloud } from '@cascade/local';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  Client,
  credentials,
  csvAboveInlineLimit,
  isResponseFor,
  newUser,
  root,
  startTestCloud,
  uploadCsv,
} from './harness';

/** Its own file: a process holds one local cloud's links (SST reads them once), so a second cloud needs a second process. */
describe('cancelling a run while its analysis task works', () => {
  let cloud: LocalCloud;
  let pidFile: string;
  beforeAll(async () => {
    pidFile = join(await mkdtemp(join(tmpdir(), 'cascade-pid-')), 'task.pid');
    cloud = await startTestCloud({
      analysisCommand: [process.execPath, join(root, 'test/integration/fixtures/endless-task.mjs'), pidFile],
    });
  });
  afterAll(async () => {
    await cloud?.stop();
  });

  it('ends the run ABORTED and kills the task process', async () => {
    const user = await newUser(cloud);
    const client = await Client.connect(`${cloud.endpoints.websocketUrl}?token=${user.idToken}`);
    // Small files are profiled inside Dispatch; this one is big enough to need the task.
    await uploadCsv(client, 'big.csv', csvAboveInlineLimit());
    const messageId = randomUUID();
    client.send({ action: 'query', messageId, payload: { content: 'profile big.csv' } });
    const ack = await client.waitFor<ServerMessageOf<'ack'>>(
      (m) => m.action === 'ack' && m.messageId === messageId,
    );
    await vi.waitFor(() => expect(existsSync(pidFile)).toBe(true), { timeout: 30_000 });
    const pid = Number(readFileSync(pidFile, 'utf8'));
    expect(cloud.runningTasks()).toBe(1);

    const state = await client.request<ServerMessageOf<'execution'>>({
      action: 'execution.cancel',
      payload: { executionId: ack.executionId },
    });
    expect(state.status).toBe('ABORTED');
    expect((await client.waitFor<ServerMessageOf<'response'>>(isResponseFor(ack.executionId))).status).toBe(
      'ABORTED',
    );
    await vi.waitFor(() => expect(cloud.runningTasks()).toBe(0), { timeout: 10_000 });
    expect(() => process.kill(pid, 0)).toThrow();
    // Through the edge, as a client would: in LocalStack mode there is no local Step Functions service.
    const sfn = new SFNClient({ region: 'us-east-1', endpoint: cloud.endpoints.edgeUrl, credentials });
    const described = await sfn.send(
      new DescribeExecutionCommand({
        executionArn: executionArn(cloud.endpoints.stateMachineArn, ack.executionId),
      }),
    );
    sfn.destroy();
    expect(described).toMatchObject({ status: 'ABORTED' });
    client.close();
  });
});
