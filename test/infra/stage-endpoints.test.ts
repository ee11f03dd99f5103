import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { endpointsFromOutputs, writeStageEndpoints } from '../../scripts/deploy.mjs';
import { root } from './platform';

/** What `sst deploy` leaves in .sst/outputs.json: sst.config.ts's return value, resolved. */
const outputs = {
  web: 'https://d111111abcdef8.cloudfront.net',
  websocket: 'wss://abc123.execute-api.eu-west-1.amazonaws.com/$default',
  region: 'eu-west-1',
  userPool: 'eu-west-1_AbCdEf123',
  userPoolClient: '1example23456789',
  signUp: 'invite',
  datasets: 'cascade-prod-datasetsbucket-abc',
  stateMachine: 'arn:aws:states:eu-west-1:123456789012:stateMachine:cascade-production-agent',
};

const scratch = mkdtempSync(join(tmpdir(), 'cascade-stage-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('the endpoints file a deploy writes (scripts/deploy.mjs)', () => {
  it("maps SST's outputs to the local cloud's endpoints shape", () => {
    expect(endpointsFromOutputs(outputs)).toEqual({
      region: 'eu-west-1',
      websocketUrl: outputs.websocket,
      userPoolId: outputs.userPool,
      userPoolClientId: outputs.userPoolClient,
      webUrl: outputs.web,
      bucket: outputs.datasets,
      stateMachineArn: outputs.stateMachine,
    });
  });

  it('refuses outputs that lack what a client needs, naming it', () => {
    const { userPoolClient: _, websocket: __, ...partial } = outputs;
    expect(() => endpointsFromOutputs(partial)).toThrow("SST's outputs lack websocket, userPoolClient");
    expect(() => endpointsFromOutputs(undefined)).toThrow('lack websocket, region, userPool, userPoolClient');
  });

  it('writes .cascade/endpoints.<stage>.json, which the terminal client takes as its target', async () => {
    mkdirSync(join(scratch, '.sst'));
    writeFileSync(join(scratch, '.sst/outputs.json'), JSON.stringify(outputs));
    const file = writeStageEndpoints(scratch, 'production');
    expect(file).toBe(join(scratch, '.cascade/endpoints.production.json'));
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(endpointsFromOutputs(outputs));
    expect(() => writeStageEndpoints(scratch, '../x')).toThrow('is not a stage name');

    // Read as a target: the client gets past the file to asking for a login.
    const config = join(scratch, 'config');
    const whoami = await promisify(execFile)(
      process.execPath,
      [join(root, 'packages/cli/bin/cascade.mjs'), 'whoami', '--endpoints', file],
      { env: { ...process.env, XDG_CONFIG_HOME: config } },
    ).catch((error: { code: number; stderr: string }) => error);
    expect(whoami).toMatchObject({
      code: 1,
      stderr: `You are not logged in to ${file}: run \`cascade login EMAIL\`.\n`,
    });
  }, 30_000);
});
