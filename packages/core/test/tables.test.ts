import { describe, expect, it } from 'vitest';
import { createTableInput, keyAttributes, type TableDefinition, tables } from '../src/tables';

describe('table definitions', () => {
  it('produce CreateTable requests with every key attribute declared once', () => {
    const input = createTableInput(tables.executions, 'dev-Executions');
    expect(input.TableName).toBe('dev-Executions');
    expect(input.BillingMode).toBe('PAY_PER_REQUEST');
    expect(input.AttributeDefinitions?.map((a) => a.AttributeName).sort()).toEqual([
      'executionId',
      'startedAt',
      'userId',
    ]);
    expect(input.GlobalSecondaryIndexes).toEqual([
      {
        IndexName: 'byUser',
        KeySchema: [
          { AttributeName: 'userId', KeyType: 'HASH' },
          { AttributeName: 'startedAt', KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      },
    ]);
  });

  it('declare an attribute that several keys share once', () => {
    const shared: TableDefinition = {
      name: 'Shared',
      partitionKey: { name: 'id', type: 'S' },
      indexes: [
        { name: 'byOwner', partitionKey: { name: 'owner', type: 'S' }, sortKey: { name: 'at', type: 'N' } },
        { name: 'byTeam', partitionKey: { name: 'team', type: 'S' }, sortKey: { name: 'at', type: 'N' } },
      ],
    };
    expect(createTableInput(shared, 's').AttributeDefinitions).toEqual([
      { AttributeName: 'id', AttributeType: 'S' },
      { AttributeName: 'owner', AttributeType: 'S' },
      { AttributeName: 'at', AttributeType: 'N' },
      { AttributeName: 'team', AttributeType: 'S' },
    ]);
  });

  it('omit indexes for tables without any, and declare sort keys', () => {
    const input = createTableInput(tables.messages, 'm');
    expect(input).not.toHaveProperty('GlobalSecondaryIndexes');
    expect(input.KeySchema).toEqual([
      { AttributeName: 'sessionId', KeyType: 'HASH' },
      { AttributeName: 'messageKey', KeyType: 'RANGE' },
    ]);
  });

  it('carry the TTL attribute of the tables that expire records', () => {
    expect(tables.connections.ttlAttribute).toBe('expiresAt');
    expect(tables.locks.ttlAttribute).toBe('expiresAt');
    expect(keyAttributes(tables.connections).map((a) => a.name)).toEqual(['connectionId', 'userId']);
  });
});
