import {
  ApiGatewayManagementApiClient,
  ApiGatewayManagementApiServiceException,
  GoneException,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startDynamo, type TestDynamo } from '../../../../test/support/dynamo';
import {
  ConnectionsRepository,
  createNotifier,
  limits,
  PayloadTooLargeError,
  type ServerMessage,
} from '../../src';

let dynamo: TestDynamo;
let connections: ConnectionsRepository;
const api = new ApiGatewayManagementApiClient({ region: 'us-east-1', endpoint: 'https://api.test/local' });
const apiMock = mockClient(api);

beforeAll(async () => {
  dynamo = await startDynamo();
  connections = new ConnectionsRepository({
    client: dynamo.client,
    tableName: dynamo.tableNames.connections,
  });
});
afterAll(() => dynamo.close());
afterEach(() => apiMock.reset());

const pong: ServerMessage = { action: 'pong' };
const gone = () => new GoneException({ $metadata: { httpStatusCode: 410 }, message: 'gone' });
const sentTo = () =>
  apiMock
    .commandCalls(PostToConnectionCommand)
    .map((c) => c.args[0].input.ConnectionId)
    .sort();

describe('Notifier', () => {
  it('sends a message to every live connection of the user and no one else', async () => {
    await connections.put({ connectionId: 'a-1', userId: 'ann', tenantId: 't' });
    await connections.put({ connectionId: 'a-2', userId: 'ann', tenantId: 't' });
    await connections.put({ connectionId: 'b-1', userId: 'ben', tenantId: 't' });
    apiMock.on(PostToConnectionCommand).resolves({});
    const delivery = await createNotifier({ api, connections }).toUser('ann', pong);
    expect(delivery).toEqual({ sent: 2, gone: 0, failed: 0 });
    expect(sentTo()).toEqual(['a-1', 'a-2']);
    const data = apiMock.commandCalls(PostToConnectionCommand)[0]!.args[0].input.Data as Uint8Array;
    expect(JSON.parse(new TextDecoder().decode(data))).toEqual(pong);
  });

  it('a GoneException on one of two connections removes that one and the other still gets the message', async () => {
    await connections.put({ connectionId: 'c-dead', userId: 'cat', tenantId: 't' });
    await connections.put({ connectionId: 'c-live', userId: 'cat', tenantId: 't' });
    apiMock.on(PostToConnectionCommand, { ConnectionId: 'c-dead' }).rejects(gone());
    apiMock.on(PostToConnectionCommand, { ConnectionId: 'c-live' }).resolves({});
    const delivery = await createNotifier({ api, connections }).toUser('cat', pong);
    expect(delivery).toEqual({ sent: 1, gone: 1, failed: 0 });
    expect(sentTo()).toEqual(['c-dead', 'c-live']);
    expect((await connections.listByUser('cat')).map((c) => c.connectionId)).toEqual(['c-live']);
  });

  it('keeps a connection that failed for another reason and still reaches the rest', async () => {
    await connections.put({ connectionId: 'd-flaky', userId: 'dan', tenantId: 't' });
    await connections.put({ connectionId: 'd-ok', userId: 'dan', tenantId: 't' });
    const throttled = new ApiGatewayManagementApiServiceException({
      name: 'LimitExceededException',
      $fault: 'client',
      $metadata: { httpStatusCode: 429 },
      message: 'slow',
    });
    apiMock.on(PostToConnectionCommand, { ConnectionId: 'd-flaky' }).rejects(throttled);
    apiMock.on(PostToConnectionCommand, { ConnectionId: 'd-ok' }).resolves({});
    expect(await createNotifier({ api, connections }).toUser('dan', pong)).toEqual({
      sent: 1,
      gone: 0,
      failed: 1,
    });
    expect(await connections.listByUser('dan')).toHaveLength(2);
  });

  it('still reports gone when forgetting the connection fails', async () => {
    apiMock.on(PostToConnectionCommand).rejects(gone());
    const broken = {
      listByUser: connections.listByUser.bind(connections),
      delete: () => Promise.reject(new Error('db down')),
    };
    expect(await createNotifier({ api, connections: broken }).toConnection('x', pong)).toBe('gone');
  });

  it('refuses a message over 128 KB before sending anything', async () => {
    await connections.put({ connectionId: 'e-1', userId: 'eve', tenantId: 't' });
    const huge: ServerMessage = {
      action: 'error',
      code: 'INTERNAL',
      message: 'x'.repeat(limits.serverMessageBytes),
    };
    const notifier = createNotifier({ api, connections });
    await expect(notifier.toUser('eve', huge)).rejects.toBeInstanceOf(PayloadTooLargeError);
    await expect(notifier.toConnection('e-1', huge)).rejects.toThrow(
      /bytes; connections take at most 131072/,
    );
    expect(apiMock.commandCalls(PostToConnectionCommand)).toHaveLength(0);
  });

  it('sends to a user with no connections without error', async () => {
    expect(await createNotifier({ api, connections }).toUser('nobody', pong)).toEqual({
      sent: 0,
      gone: 0,
      failed: 0,
    });
  });

  describe("a run's live events", () => {
    const step: ServerMessage = {
      action: 'step',
      executionId: 'e',
      sessionId: 's',
      itemId: 'i',
      step: 'parse',
      status: 'started',
    };
    /** Counts the Connections table's reads through the notifier. */
    function counted() {
      let reads = 0;
      const repository = {
        listByUser: (userId: string) => {
          reads += 1;
          return connections.listByUser(userId);
        },
        delete: (id: string) => connections.delete(id),
      };
      return { repository, reads: () => reads };
    }

    it('reuse the connections read within 2 s; an older read is read again', async () => {
      await connections.put({ connectionId: 'f-1', userId: 'fay', tenantId: 't' });
      apiMock.on(PostToConnectionCommand).resolves({});
      let clock = 1_000_000;
      const table = counted();
      const notifier = createNotifier({ api, connections: table.repository, now: () => clock });
      await notifier.toUser('fay', step);
      clock += 1_500;
      await notifier.toUser('fay', { ...step, status: 'succeeded' });
      expect(table.reads()).toBe(1);
      // A connection opened since is reached once the read is 2 s old.
      await connections.put({ connectionId: 'f-2', userId: 'fay', tenantId: 't' });
      clock += 600;
      await notifier.toUser('fay', step);
      expect(table.reads()).toBe(2);
      expect(sentTo()).toEqual(['f-1', 'f-1', 'f-1', 'f-2']);
    });

    it('never hold back a response: it goes to the connections as they are now', async () => {
      await connections.put({ connectionId: 'g-1', userId: 'gus', tenantId: 't' });
      apiMock.on(PostToConnectionCommand).resolves({});
      const table = counted();
      const notifier = createNotifier({ api, connections: table.repository, now: () => 5_000 });
      await notifier.toUser('gus', step);
      await connections.put({ connectionId: 'g-2', userId: 'gus', tenantId: 't' });
      const response: ServerMessage = {
        action: 'response',
        executionId: 'e',
        sessionId: 's',
        status: 'SUCCEEDED',
        summary: 'done',
        items: [],
      };
      await notifier.toUser('gus', response);
      expect(table.reads()).toBe(2);
      expect(sentTo()).toEqual(['g-1', 'g-1', 'g-2']);
    });

    it('stop going to a connection found gone or closed, without reading the table again', async () => {
      await connections.put({ connectionId: 'h-dead', userId: 'hal', tenantId: 't' });
      await connections.put({ connectionId: 'h-closed', userId: 'hal', tenantId: 't' });
      await connections.put({ connectionId: 'h-live', userId: 'hal', tenantId: 't' });
      apiMock.on(PostToConnectionCommand).resolves({});
      apiMock.on(PostToConnectionCommand, { ConnectionId: 'h-dead' }).rejects(gone());
      const table = counted();
      const notifier = createNotifier({ api, connections: table.repository, now: () => 9_000 });
      expect(await notifier.toUser('hal', step)).toEqual({ sent: 2, gone: 1, failed: 0 });
      await notifier.disconnect('h-closed');
      apiMock.resetHistory();
      expect(await notifier.toUser('hal', step)).toEqual({ sent: 1, gone: 0, failed: 0 });
      expect(sentTo()).toEqual(['h-live']);
      expect(table.reads()).toBe(1);
    });

    it('are read for every message when the cache is turned off', async () => {
      await connections.put({ connectionId: 'i-1', userId: 'ivy', tenantId: 't' });
      apiMock.on(PostToConnectionCommand).resolves({});
      const table = counted();
      const notifier = createNotifier({ api, connections: table.repository, eventAudienceMaxAgeMs: 0 });
      await notifier.toUser('ivy', step);
      await notifier.toUser('ivy', step);
      expect(table.reads()).toBe(2);
    });
  });
});
