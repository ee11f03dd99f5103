import type { AddressInfo } from 'node:net';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient, createTableInput, tables } from '@cascade/core';
import dynalite from 'dynalite';

export type TableNames = Record<keyof typeof tables, string>;

export interface TestDynamo {
  endpoint: string;
  client: DynamoDBDocumentClient;
  tableNames: TableNames;
  close(): Promise<void>;
}

export const testCredentials = { accessKeyId: 'test', secretAccessKey: 'test' };

/**
 * A real DynamoDB API (dynalite, in memory, on 127.0.0.1) with Cascade's tables created from
 * core's definitions, so repository tests exercise real conditions, indexes and paging.
 */
export async function startDynamo(prefix = 'test'): Promise<TestDynamo> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const config = { endpoint, region: 'us-east-1', credentials: testCredentials };
  const raw = new DynamoDBClient(config);
  const tableNames = Object.fromEntries(
    Object.entries(tables).map(([key, table]) => [key, `${prefix}-${table.name}`]),
  ) as TableNames;
  for (const [key, table] of Object.entries(tables)) {
    await raw.send(new CreateTableCommand(createTableInput(table, tableNames[key as keyof TableNames])));
  }
  raw.destroy();
  const client = createDocumentClient(config);
  return {
    endpoint,
    client,
    tableNames,
    close: () =>
      new Promise<void>((resolve, reject) => {
        client.destroy();
        server.close((error?: Error) => (error ? reject(error) : resolve()));
      }),
  };
}
