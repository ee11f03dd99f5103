import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient, StartExecutionCommand, StopExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { startDynamo, type TestDynamo } from '../../../../test/support/dynamo';
import { unlimited } from '../../../../test/support/links';
import {
  ApiKeysRepository,
  type Caller,
  type ChatDeps,
  ConnectionsRepository,
  createRateLimiter,
  createStepFunctionsOrchestrator,
  DatasetCatalog,
  type DirectoryUser,
  ExecutionsRepository,
  ItemsRepository,
  LocksRepository,
  MessagesRepository,
  NotFoundError,
  type Notifier,
  type RateLimits,
  RateLimitsRepository,
  RevocationsRepository,
  type ServerMessage,
  SessionsRepository,
} from '../../src';

export const stateMachineArn = 'arn:aws:states:us-east-1:123456789012:stateMachine:cascade-agent';

export interface Sent {
  to: string;
  message: ServerMessage;
}

/** Real tables (dynalite), a mocked Step Functions API, and a notifier that records what it was asked to send. */
export async function startChatHarness(options: { limits?: Partial<RateLimits> } = {}) {
  const dynamo: TestDynamo = await startDynamo();
  const sfnClient = new SFNClient({ region: 'us-east-1' });
  const sfn = mockClient(sfnClient);
  const s3Client = new S3Client({ region: 'us-east-1' });
  const s3 = mockClient(s3Client);
  const sent: Sent[] = [];
  const notifier: Notifier = {
    async toConnection(connectionId, message) {
      sent.push({ to: `connection:${connectionId}`, message });
      return 'sent';
    },
    async toUser(userId, message) {
      sent.push({ to: `user:${userId}`, message });
      return { sent: 1, gone: 0, failed: 0 };
    },
    async disconnect(connectionId) {
      closed.push(connectionId);
      await deps.connections.delete(connectionId);
    },
  };
  const closed: string[] = [];
  /** The pool as the tests set it up; `signedOut` lists whose refresh tokens were ended. */
  const users = new Map<string, DirectoryUser>();
  const signedOut: string[] = [];
  const table = (name: keyof TestDynamo['tableNames']) => ({
    client: dynamo.client,
    tableName: dynamo.tableNames[name],
  });
  const deps: ChatDeps = {
    sessions: new SessionsRepository(table('sessions')),
    messages: new MessagesRepository(table('messages')),
    executions: new ExecutionsRepository(table('executions')),
    items: new ItemsRepository(table('items')),
    connections: new ConnectionsRepository(table('connections')),
    locks: new LocksRepository(table('locks')),
    datasets: new DatasetCatalog({ s3: s3Client, bucket: 'datasets' }),
    orchestrator: createStepFunctionsOrchestrator(sfnClient, stateMachineArn),
    notifier,
    limits: createRateLimiter({
      connections: () => new ConnectionsRepository(table('connections')),
      counters: () => new RateLimitsRepository(table('locks')),
      limits: () => ({ ...unlimited, ...options.limits }),
    }),
    revocations: new RevocationsRepository(table('revocations')),
    apiKeys: new ApiKeysRepository(table('apiKeys')),
    directory: {
      async signOut(userId) {
        signedOut.push(userId);
      },
      async find(username) {
        const user = users.get(username);
        if (!user) throw new NotFoundError(`There is no user ${username}.`);
        return user;
      },
    },
  };
  return {
    deps,
    dynamo,
    sfn,
    s3,
    sent,
    closed,
    users,
    signedOut,
    /** Step Functions starts and stops every execution again, and nothing has been sent yet. */
    reset() {
      sfn.reset();
      sfn.on(StartExecutionCommand).resolves({ executionArn: 'arn', startDate: new Date() });
      sfn.on(StopExecutionCommand).resolves({ stopDate: new Date() });
      sent.length = 0;
    },
    /** Collects what a use case replies to the asking connection. */
    replies() {
      const messages: ServerMessage[] = [];
      return { messages, reply: async (message: ServerMessage) => messages.push(message) };
    },
    close: () => dynamo.close(),
  };
}

export type ChatHarness = Awaited<ReturnType<typeof startChatHarness>>;

/** A test file's harness: started before its tests, reset before each, closed after them all. */
export function useChatHarness(options: { limits?: Partial<RateLimits> } = {}): ChatHarness {
  const harness = {} as ChatHarness;
  beforeAll(async () => {
    Object.assign(harness, await startChatHarness(options));
  });
  beforeEach(() => harness.reset());
  afterAll(() => harness.close());
  return harness;
}

export const alice: Caller = { userId: 'alice-sub', tenantId: 'acme', email: 'alice@example.com' };
export const bob: Caller = { userId: 'bob-sub', tenantId: 'acme', email: 'bob@example.com' };
