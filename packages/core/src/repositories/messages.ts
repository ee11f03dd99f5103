import { type Page, type PageRequest, putIfAbsent, queryPage, type TableContext } from './dynamo';

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
    await putIfAbsent(this.ctx, { ...record }, 'messageKey');
    return record;
  }

  /** One page of a session's messages, newest first; the cursor leads to older ones. */
  pageNewestFirst(sessionId: string, page: PageRequest = {}): Promise<Page<MessageRecord>> {
    return queryPage<MessageRecord>(
      this.ctx,
      {
        KeyConditionExpression: 'sessionId = :sessionId',
        ExpressionAttributeValues: { ':sessionId': sessionId },
      },
      { sessionId },
      page,
      50,
    );
  }

  /** The last `limit` messages in the order they were written: the model's view of the conversation. */
  async recent(sessionId: string, limit: number): Promise<MessageRecord[]> {
    const { items } = await this.pageNewestFirst(sessionId, { limit });
    return items.reverse();
  }
}
