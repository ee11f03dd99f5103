import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';

/**
 * The tables, declared once. SST (stacks/storage), the LocalStack init and the local cloud
 * all build their tables from these definitions; the repositories read the key names from here.
 */
export interface KeyAttribute {
  name: string;
  type: 'S' | 'N';
}

export interface IndexDefinition {
  name: string;
  partitionKey: KeyAttribute;
  sortKey?: KeyAttribute;
}

export interface TableDefinition {
  /** Logical name: the SST component name and the link name (`Resource.<name>.name`). */
  name: string;
  partitionKey: KeyAttribute;
  sortKey?: KeyAttribute;
  indexes: readonly IndexDefinition[];
  /** Epoch-seconds attribute that DynamoDB TTL deletes by; readers still filter on it. */
  ttlAttribute?: string;
}

const S = (name: string): KeyAttribute => ({ name, type: 'S' });

export const tables = {
  sessions: {
    name: 'Sessions',
    partitionKey: S('sessionId'),
    indexes: [{ name: 'byUser', partitionKey: S('userId'), sortKey: S('updatedAt') }],
  },
  messages: {
    name: 'Messages',
    partitionKey: S('sessionId'),
    sortKey: S('messageKey'),
    indexes: [],
  },
  executions: {
    name: 'Executions',
    partitionKey: S('executionId'),
    // executions.list reads byUser. A session's history names its runs, so no index by session.
    indexes: [{ name: 'byUser', partitionKey: S('userId'), sortKey: S('startedAt') }],
  },
  items: {
    name: 'Items',
    partitionKey: S('executionId'),
    sortKey: S('itemId'),
    indexes: [],
  },
  connections: {
    name: 'Connections',
    partitionKey: S('connectionId'),
    indexes: [{ name: 'byUser', partitionKey: S('userId') }],
    ttlAttribute: 'expiresAt',
  },
  locks: {
    name: 'Locks',
    partitionKey: S('lockName'),
    indexes: [],
    ttlAttribute: 'expiresAt',
  },
  /** Per user: from when tokens issued earlier stop working, and whether the account is cut off. */
  revocations: {
    name: 'Revocations',
    partitionKey: S('userId'),
    indexes: [],
  },
  /** Personal API keys, by key id; only each key's SHA-256 hash is kept. */
  apiKeys: {
    name: 'ApiKeys',
    partitionKey: S('keyId'),
    indexes: [{ name: 'byUser', partitionKey: S('userId'), sortKey: S('createdAt') }],
  },
} as const satisfies Record<string, TableDefinition>;

export type TableKey = keyof typeof tables;

/** Every attribute a table's keys and indexes mention, each once. */
export function keyAttributes(table: TableDefinition): KeyAttribute[] {
  const all = [
    table.partitionKey,
    table.sortKey,
    ...table.indexes.flatMap((i) => [i.partitionKey, i.sortKey]),
  ];
  const byName = new Map<string, KeyAttribute>();
  for (const attribute of all) if (attribute) byName.set(attribute.name, attribute);
  return [...byName.values()];
}

/** The CreateTable request for a definition, on-demand billing, every index projecting all attributes. */
export function createTableInput(table: TableDefinition, tableName: string): CreateTableCommandInput {
  const keySchema = (partitionKey: KeyAttribute, sortKey?: KeyAttribute) => [
    { AttributeName: partitionKey.name, KeyType: 'HASH' as const },
    ...(sortKey ? [{ AttributeName: sortKey.name, KeyType: 'RANGE' as const }] : []),
  ];
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: keyAttributes(table).map((a) => ({ AttributeName: a.name, AttributeType: a.type })),
    KeySchema: keySchema(table.partitionKey, table.sortKey),
    ...(table.indexes.length > 0 && {
      GlobalSecondaryIndexes: table.indexes.map((index) => ({
        IndexName: index.name,
        KeySchema: keySchema(index.partitionKey, index.sortKey),
        Projection: { ProjectionType: 'ALL' as const },
      })),
    }),
  };
}
