import { randomUUID } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  AdminConfirmSignUpCommand,
  CognitoIdentityProviderClient,
  ConfirmSignUpCommand,
  InitiateAuthCommand,
  SignUpCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { ServerMessage, ServerMessageOf } from '@cascade/core';
import { type LocalCloud, type LocalCloudOptions, startLocalCloud } from '@cascade/local';
import { Client } from './client';

export { Client, TimeoutError } from './client';

export const root = resolve(import.meta.dirname, '../..');

/** Set by `npm run test:localstack`: the same suite, with LocalStack behind the local cloud. */
const awsEndpoint = process.env.CASCADE_TEST_AWS_ENDPOINT;

/** A local cloud of its own for a test file: a fresh data directory, free ports, quiet. */
export async function startTestCloud(options: Partial<LocalCloudOptions> = {}): Promise<LocalCloud> {
  const dataDirectory = await mkdtemp(join(tmpdir(), 'cascade-it-'));
  return startLocalCloud({
    root,
    dataDirectory,
    ports: { edge: 0, websocket: 0, web: 0 },
    ...(awsEndpoint && { awsEndpoint }),
    ...options,
  });
}

export const credentials = { accessKeyId: 'it', secretAccessKey: 'it' };

/** The password every test user has: one the pool's policy accepts. */
export const testPassword = 'Correct-horse-7';

/** Cognito through a local cloud's edge, whether it runs in this process or another. */
export function cognitoAt(edgeUrl: string) {
  return new CognitoIdentityProviderClient({ region: 'us-east-1', endpoint: edgeUrl, credentials });
}

/** Signs a confirmed user in with the test password: their ID and access tokens. */
export async function signIn(
  endpoints: Pick<LocalCloud['endpoints'], 'edgeUrl' | 'userPoolClientId'>,
  email: string,
) {
  const cognito = cognitoAt(endpoints.edgeUrl);
  try {
    const auth = await cognito.send(
      new InitiateAuthCommand({
        ClientId: endpoints.userPoolClientId,
        AuthFlow: 'USER_PASSWORD_AUTH',
        AuthParameters: { USERNAME: email, PASSWORD: testPassword },
      }),
    );
    return {
      idToken: auth.AuthenticationResult!.IdToken!,
      accessToken: auth.AuthenticationResult!.AccessToken!,
    };
  } finally {
    cognito.destroy();
  }
}

/**
 * Signs `email` up and confirms it with the code `codeFor` finds (the one Cognito "emailed"), or
 * with AdminConfirmSignUp when there is no `codeFor`.
 */
export async function signUp(
  endpoints: Pick<LocalCloud['endpoints'], 'edgeUrl' | 'userPoolId' | 'userPoolClientId'>,
  email: string,
  codeFor?: (email: string) => Promise<string>,
): Promise<void> {
  const cognito = cognitoAt(endpoints.edgeUrl);
  const ClientId = endpoints.userPoolClientId;
  try {
    await cognito.send(new SignUpCommand({ ClientId, Username: email, Password: testPassword }));
    if (codeFor)
      await cognito.send(
        new ConfirmSignUpCommand({ ClientId, Username: email, ConfirmationCode: await codeFor(email) }),
      );
    else
      await cognito.send(
        new AdminConfirmSignUpCommand({ UserPoolId: endpoints.userPoolId, Username: email }),
      );
  } finally {
    cognito.destroy();
  }
}

/** Signs a new user up through Cognito, confirms with the code it "emailed", and signs in. */
export async function newUser(cloud: LocalCloud, email = `${randomUUID()}@example.com`) {
  await signUp(cloud.endpoints, email, (address) => cloud.confirmationCode(address));
  return { email, ...(await signIn(cloud.endpoints, email)) };
}

/** A new, signed-in user and a WebSocket connection of theirs. */
export async function connectNewUser(cloud: LocalCloud): Promise<Client> {
  const user = await newUser(cloud);
  return Client.connect(`${cloud.endpoints.websocketUrl}?token=${user.idToken}`);
}

export const isResponseFor = (executionId: string) => (m: ServerMessage) =>
  m.action === 'response' && m.executionId === executionId;

/** Sends one question and waits for its `ack`. */
export async function sendQuery(client: Client, content: string): Promise<ServerMessageOf<'ack'>> {
  const messageId = randomUUID();
  client.send({ action: 'query', messageId, payload: { content } });
  return client.waitFor<ServerMessageOf<'ack'>>((m) => m.action === 'ack' && m.messageId === messageId);
}

/** Sends one question and waits for its run's `response`. */
export async function askQuestion(client: Client, content: string, timeoutMs = 60_000) {
  const ack = await sendQuery(client, content);
  const response = await client.waitFor<ServerMessageOf<'response'>>(
    isResponseFor(ack.executionId),
    timeoutMs,
  );
  return { ack, response };
}

/**
 * 1.2 million rows, 18 MB of CSV: above profile's 16 MB inline limit, so Dispatch hands the
 * analysis to the task (the Fargate stand-in) instead of running it itself.
 */
export function csvAboveInlineLimit(): string {
  const row = (i: number) => `${i % 2},${20 + (i % 40)},${8 + (i % 9)},${(i * 7919) % 30000}.5`;
  return `treat,age,educ,earnings\n${Array.from({ length: 1_200_000 }, (_, i) => row(i)).join('\n')}\n`;
}

/** Uploads a CSV as a person would: a presigned URL from dataset.upload, then a PUT. */
export async function uploadCsv(client: Client, name: string, csv: string): Promise<void> {
  const upload = await client.request<ServerMessageOf<'upload'>>({
    action: 'dataset.upload',
    payload: { name, sizeBytes: Buffer.byteLength(csv) },
  });
  const put = await fetch(upload.url, { method: 'PUT', headers: upload.headers, body: csv });
  if (put.status !== 200) throw new Error(`uploading ${name}: HTTP ${put.status}`);
}

/** Puts CSV files among a local cloud's samples, with the rows and columns its catalog shows. */
export async function putSamples(
  cloud: LocalCloud,
  files: { name: string; body: string; rows: number; columns: number }[],
): Promise<void> {
  const s3 = new S3Client({
    region: 'us-east-1',
    endpoint: cloud.endpoints.edgeUrl,
    credentials,
    forcePathStyle: true,
  });
  try {
    for (const file of files)
      await s3.send(
        new PutObjectCommand({
          Bucket: cloud.endpoints.bucket,
          Key: `samples/${file.name}`,
          Body: file.body,
          Metadata: { rows: String(file.rows), columns: String(file.columns) },
        }),
      );
  } finally {
    s3.destroy();
  }
}
