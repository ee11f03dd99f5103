import type { IncomingMessage, RequestListener, Server, ServerResponse } from 'node:http';
import { CreateTableCommand, DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { createTableInput, type TableKey, tables } from '@cascade/core';
import dynalite from 'dynalite';

export interface LocalDynamo {
  /** Serves the DynamoDB API; the edge hands it every request scoped to dynamodb. */
  handle: RequestListener;
  tableNames: Record<TableKey, string>;
  /** Creates the tables that do not exist yet (they survive restarts on disk). */
  createTables(endpoint: string): Promise<void>;
  close(): Promise<void>;
}

/** DynamoDB: dynalite, on disk when given a directory, served through the edge. */
export async function startDynamo(options: { directory?: string; prefix: string }): Promise<LocalDynamo> {
  const server: Server = dynalite({
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
    ...(options.directory && { path: options.directory }),
  });
  // Listening (on a port nobody uses) keeps dynalite's shutdown path working; requests come from the edge.
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const [listener] = server.listeners('request') as ((req: IncomingMessage, res: ServerResponse) => void)[];
  const tableNames = Object.fromEntries(
    Object.entries(tables).map(([key, table]) => [key, `${options.prefix}-${table.name}`]),
  ) as Record<TableKey, string>;
  return {
    handle: listener!,
    tableNames,
    createTables: (endpoint) => ensureTables(endpoint, tableNames),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** Creates the tables that do not exist yet at a DynamoDB endpoint (dynalite or LocalStack). */
export async function ensureTables(endpoint: string, tableNames: Record<TableKey, string>): Promise<void> {
  const client = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  try {
    const existing = new Set((await client.send(new ListTablesCommand({}))).TableNames ?? []);
    for (const [key, table] of Object.entries(tables)) {
      const name = tableNames[key as TableKey];
      if (!existing.has(name)) await client.send(new CreateTableCommand(createTableInput(table, name)));
    }
  } finally {
    client.destroy();
  }
}
