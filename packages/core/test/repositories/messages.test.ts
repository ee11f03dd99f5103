import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDynamo, type TestDynamo } from '../../../../test/support/dynamo';
import { MessagesRepository, messageKey } from '../../src';

let dynamo: TestDynamo;
let messages: MessagesRepository;

beforeAll(async () => {
  dynamo = await startDynamo();
  messages = new MessagesRepository({ client: dynamo.client, tableName: dynamo.tableNames.messages });
});
afterAll(() => dynamo.close());

const at = (second: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, second)).toISOString();

describe('MessagesRepository', () => {
  it('keys a message by time then id, so a session reads in order', async () => {
    const record = await messages.append({
      sessionId: 's1',
      messageId: 'm1',
      role: 'user',
      content: 'hello',
      createdAt: at(1),
    });
    expect(record.messageKey).toBe(messageKey(at(1), 'm1'));
    expect(record.messageKey).toBe('2026-01-01T00:00:01.000Z#m1');
  });

  it('appending the same message twice stores it once and keeps the first content', async () => {
    const message = {
      sessionId: 's2',
      messageId: 'm1',
      role: 'user' as const,
      content: 'first',
      createdAt: at(1),
    };
    await messages.append(message);
    await messages.append({ ...message, content: 'second' });
    const { items } = await messages.pageNewestFirst('s2');
    expect(items).toHaveLength(1);
    expect(items[0]?.content).toBe('first');
  });

  it('pages newest first and the cursor leads to older messages of the same session only', async () => {
    for (let i = 0; i < 5; i++) {
      await messages.append({
        sessionId: 's3',
        messageId: `m${i}`,
        role: i % 2 ? 'assistant' : 'user',
        content: `c${i}`,
        createdAt: at(i),
        ...(i % 2 ? { executionId: 'e1' } : {}),
      });
    }
    await messages.append({
      sessionId: 'other',
      messageId: 'x',
      role: 'user',
      content: 'x',
      createdAt: at(9),
    });
    const first = await messages.pageNewestFirst('s3', { limit: 3 });
    expect(first.items.map((m) => m.content)).toEqual(['c4', 'c3', 'c2']);
    const second = await messages.pageNewestFirst('s3', { limit: 3, cursor: first.cursor });
    expect(second.items.map((m) => m.content)).toEqual(['c1', 'c0']);
    expect(second.cursor).toBeUndefined();
    await expect(messages.pageNewestFirst('other', { cursor: first.cursor })).rejects.toThrow('cursor');
    // A cursor of the right session whose other attributes are not a key of this table: DynamoDB
    // refuses the start key, and the client hears it is a bad cursor, not an internal failure.
    const forged = Buffer.from(JSON.stringify({ sessionId: 's3', nonsense: 'x' })).toString('base64url');
    await expect(messages.pageNewestFirst('s3', { cursor: forged })).rejects.toMatchObject({
      name: 'ValidationError',
      message: 'The cursor is not valid here; start again without one.',
    });
  });

  it('gives the model the most recent messages in the order they were written', async () => {
    for (let i = 0; i < 4; i++) {
      await messages.append({
        sessionId: 's4',
        messageId: `m${i}`,
        role: 'user',
        content: `c${i}`,
        createdAt: at(i),
      });
    }
    expect((await messages.recent('s4', 3)).map((m) => m.content)).toEqual(['c1', 'c2', 'c3']);
  });
});
