import { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import {
  decodeCursor,
  encodeCursor,
  isConditionFailure,
  type Key,
  type Page,
  type PageRequest,
  type TableContext,
} from './dynamo';

export type MessageRole = 'user' | 'assistant';

export interface MessageRecord {
  sessionId: string;
  /** `<ISO time>#<messageId>`: sorts by time, unique per message. */
  messageKey: string;
  messageId: string;
  role: MessageRole;
  content: string;
  createdAt: string;
  executionId?: string;
  metadata?: Record<string, unknown>;
}

export type NewMessage = Omit<MessageRecord, 'messageKey'>;

export function messageKey(createdAt: string, messageId: string): string {
  return `${createdAt}#${messageId}`;
}

export class MessagesRepository {
  constructor(private readonly ctx: TableContext) {}

  /** Appends a message; appending the same message again (same time and id) changes nothing. */
  async append(input: NewMessage): Promise<MessageRecord> {
    const record: MessageRecord = { ...input, messageKey: messageKey(input.createdAt, input.messageId) };
    try {
      await this.ctx.client.send(
        new PutCommand({
          TableName: this.ctx.tableName,
          Item: record,
          ConditionExpression: 'attribute_not_exists(messageKey)',
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
    return record;
  }

  /** One page of a session's messages, newest first; the cursor leads to older ones. */
  async pageNewestFirst(sessionId: string, page: PageRequest = {}): Promise<Page<MessageRecord>> {
    const out = await this.ctx.client.send(
      new QueryCommand({
        TableName: this.ctx.tableName,
        KeyConditionExpression: 'sessionId = :sessionId',
        ExpressionAttributeValues: { ':sessionId': sessionId },
        ScanIndexForward: false,
        Limit: page.limit ?? 50,
        ExclusiveStartKey: decodeCursor(page.cursor, { sessionId }),
      }),
    );
    return {
      items: (out.Items ?? []) as MessageRecord[],
      cursor: encodeCursor(out.LastEvaluatedKey as Key | undefined),
    };
  }

  /** The last `limit` messages in the order they were written: the model's view of the conversation. */
  async recent(sessionId: string, limit: number): Promise<MessageRecord[]> {
    const { items } = await this.pageNewestFirst(sessionId, { limit });
    return items.reverse();
  }
}
