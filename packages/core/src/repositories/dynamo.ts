import {
  type ConditionalCheckFailedException,
  DynamoDBClient,
  type DynamoDBClientConfig,
} from '@aws-sdk/client-dynamodb';
import {
  type $Command,
  DynamoDBDocumentClient,
  type DynamoDBDocumentClientResolvedConfig,
  GetCommand,
  PutCommand,
  QueryCommand,
  type QueryCommandInput,
  type QueryCommandOutput,
  type ServiceInputTypes,
  type ServiceOutputTypes,
} from '@aws-sdk/lib-dynamodb';
import { type NativeAttributeValue, unmarshall } from '@aws-sdk/util-dynamodb';
import { ValidationError } from '../errors';

/** What every repository is built from: a document client, its table's name and a clock. */
export interface TableContext {
  client: DynamoDBDocumentClient;
  tableName: string;
  /** Milliseconds since the epoch; injected so tests can move time. */
  now?: () => number;
}

export type Key = Record<string, string | number>;

export interface Page<T> {
  items: T[];
  cursor?: string;
}

export interface PageRequest {
  limit?: number;
  cursor?: string;
}

/**
 * Numbers are JavaScript doubles both ways. An analysis result can hold a double beyond 2^53
 * (a column of values like 7.46e21): by default the SDK refuses to write one (it wants a
 * BigInt) and, reading it back, tries BigInt("7.46e+21") and throws. DynamoDB keeps 38 digits,
 * so the double's shortest text round-trips exactly.
 */
export function createDocumentClient(config: DynamoDBClientConfig = {}): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(new DynamoDBClient(config), {
    marshallOptions: { removeUndefinedValues: true, allowImpreciseNumbers: true },
    unmarshallOptions: { wrapNumbers: (text) => Number(text) },
  });
}

/** DynamoDB's numbers: 38 digits, magnitudes from 1e-130 up to (not including) 1e126. */
const smallestStored = 1e-130;
const beyondStored = 1e126;

/**
 * A value DynamoDB accepts: a number too small to store (a p-value of 1e-200) becomes 0, and one
 * too large becomes its text, so an analysis result is always recorded. Everything else is kept.
 */
export function storable<T>(value: T): T {
  if (typeof value === 'number') {
    const magnitude = Math.abs(value);
    if (magnitude !== 0 && magnitude < smallestStored) return 0 as T;
    if (magnitude >= beyondStored) return String(value) as T;
    return value;
  }
  if (Array.isArray(value)) return value.map(storable) as T;
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, storable(item)])) as T;
  return value;
}

export function isConditionFailure(error: unknown): boolean {
  return error instanceof Error && error.name === 'ConditionalCheckFailedException';
}

export function epochSeconds(ms: number): number {
  return Math.floor(ms / 1000);
}

function encodeCursor(key: Key | undefined): string | undefined {
  return key ? Buffer.from(JSON.stringify(key)).toString('base64url') : undefined;
}

/**
 * Reads a cursor back into a DynamoDB start key. A cursor is opaque to clients, so anything
 * that is not one of ours, or that points into someone else's partition, is a bad request.
 */
function decodeCursor(cursor: string | undefined, expected: Key): Key | undefined {
  if (cursor === undefined) return undefined;
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    key = undefined;
  }
  const valid =
    typeof key === 'object' &&
    key !== null &&
    !Array.isArray(key) &&
    Object.values(key).every((v) => typeof v === 'string' || typeof v === 'number') &&
    Object.entries(expected).every(([name, value]) => (key as Key)[name] === value);
  if (!valid) {
    throw new ValidationError('The cursor is not valid here; start again without one.', {
      field: 'payload.cursor',
    });
  }
  return key as Key;
}

/** Runs a query to the end, page after page. For partitions known to be bounded (an execution's items). */
export async function queryAll<T>(client: DynamoDBDocumentClient, input: QueryCommandInput): Promise<T[]> {
  const out: T[] = [];
  let start: Key | undefined;
  do {
    const page = await client.send(new QueryCommand({ ...input, ExclusiveStartKey: start }));
    out.push(...((page.Items ?? []) as T[]));
    start = page.LastEvaluatedKey as Key | undefined;
  } while (start);
  return out;
}

export interface SetClause {
  expression: string;
  names: Record<string, string>;
  values: Record<string, unknown>;
}

/**
 * `SET #a = :a, #b = :b` for the given fields, every name aliased so reserved words (status,
 * step, output, error) need no thought. `ifAbsent` fields keep the value they already have.
 */
export function setClause(
  fields: Record<string, unknown>,
  ifAbsent: Record<string, unknown> = {},
): SetClause {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  const parts: string[] = [];
  const add = (name: string, value: unknown, keepExisting: boolean) => {
    if (value === undefined) return;
    names[`#${name}`] = name;
    values[`:${name}`] = value;
    parts.push(keepExisting ? `#${name} = if_not_exists(#${name}, :${name})` : `#${name} = :${name}`);
  };
  for (const [name, value] of Object.entries(fields)) add(name, value, false);
  for (const [name, value] of Object.entries(ifAbsent)) add(name, value, true);
  return { expression: `SET ${parts.join(', ')}`, names, values };
}

/**
 * Sends a conditional write (a Put, Update or Delete with a ConditionExpression): true if it
 * was applied, false if its condition did not hold. Any other failure is thrown.
 */
export async function sendIfConditionHolds<
  Input extends ServiceInputTypes,
  Output extends ServiceOutputTypes,
>(
  ctx: TableContext,
  command: $Command<Input, Output, DynamoDBDocumentClientResolvedConfig>,
): Promise<boolean> {
  try {
    await ctx.client.send(command);
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}

/**
 * What a conditional write did: applied (with the attributes its ReturnValues asked for), or
 * refused because of the item it found, if there was one.
 */
export type ConditionalWrite =
  | { written: true; attributes?: Item }
  | { written: false; found: Item | undefined };

type Item = Record<string, NativeAttributeValue>;

type ConditionalInput = ServiceInputTypes & { ReturnValuesOnConditionCheckFailure?: 'ALL_OLD' | 'NONE' };

/**
 * Sends a conditional write that asks, with `ReturnValuesOnConditionCheckFailure: 'ALL_OLD'`,
 * for the item its condition failed on, so the caller learns why without a second read.
 * DynamoDB puts that item in the exception still marshalled (the document client does not
 * unmarshall errors). Only when the exception carries none is the item read: it did not exist,
 * or the DynamoDB (dynalite, in the local cloud and the tests) ignores the parameter.
 */
export async function writeOrFind<
  Input extends ConditionalInput,
  Output extends ServiceOutputTypes & { Attributes?: Item },
>(
  ctx: TableContext,
  command: $Command<Input, Output, DynamoDBDocumentClientResolvedConfig>,
  key: Key,
): Promise<ConditionalWrite> {
  command.input.ReturnValuesOnConditionCheckFailure = 'ALL_OLD';
  try {
    const out = await ctx.client.send(command);
    return { written: true, ...(out.Attributes && { attributes: out.Attributes }) };
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
    const returned = (error as ConditionalCheckFailedException).Item;
    if (returned) return { written: false, found: unmarshall(returned, unmarshallOptions(ctx)) };
    const out = await ctx.client.send(
      new GetCommand({ TableName: ctx.tableName, Key: key, ConsistentRead: true }),
    );
    return { written: false, found: out.Item };
  }
}

/** The document client's own reading of numbers (see createDocumentClient), for items it did not unmarshall. */
function unmarshallOptions(ctx: TableContext) {
  return ctx.client.config.translateConfig?.unmarshallOptions;
}

function putIfAbsentCommand(
  ctx: TableContext,
  item: Record<string, unknown>,
  keyAttribute: string,
): PutCommand {
  return new PutCommand({
    TableName: ctx.tableName,
    Item: item,
    ConditionExpression: 'attribute_not_exists(#key)',
    ExpressionAttributeNames: { '#key': keyAttribute },
  });
}

/** Writes `item` unless an item with its key exists; true if this call wrote it. */
export async function putIfAbsent(
  ctx: TableContext,
  item: Record<string, unknown>,
  keyAttribute: string,
): Promise<boolean> {
  return sendIfConditionHolds(ctx, putIfAbsentCommand(ctx, item, keyAttribute));
}

/** Writes `item` unless an item with its key exists, and then returns that item instead. */
export function putOrFind(
  ctx: TableContext,
  item: Record<string, unknown>,
  keyAttribute: string,
): Promise<ConditionalWrite> {
  return writeOrFind(ctx, putIfAbsentCommand(ctx, item, keyAttribute), {
    [keyAttribute]: item[keyAttribute] as Key[string],
  });
}

/** How many reads a filtered page may take to fill up before it is returned short, with its cursor. */
const filteredPageReads = 10;

/**
 * One page of a query over one partition, newest first by default. The cursor must point into
 * that same partition (`partition`), so a client cannot page through someone else's data.
 * DynamoDB filters after it reads `Limit` records, so a query with a FilterExpression reads on
 * (a few times at most) to fill the page; a short page with a cursor means more may follow.
 */
export async function queryPage<T>(
  ctx: TableContext,
  query: Omit<QueryCommandInput, 'TableName' | 'ExclusiveStartKey' | 'Limit'>,
  partition: Key,
  page: PageRequest,
  defaultLimit: number,
): Promise<Page<T>> {
  const limit = page.limit ?? defaultLimit;
  const items: T[] = [];
  let start = decodeCursor(page.cursor, partition);
  for (let read = 1; ; read++) {
    const out = await queryOnce(
      ctx,
      query,
      start,
      limit - items.length,
      read === 1 && page.cursor !== undefined,
    );
    items.push(...((out.Items ?? []) as T[]));
    start = out.LastEvaluatedKey as Key | undefined;
    if (!start || items.length >= limit || !query.FilterExpression || read >= filteredPageReads) break;
  }
  return { items, cursor: encodeCursor(start) };
}

async function queryOnce(
  ctx: TableContext,
  query: Omit<QueryCommandInput, 'TableName' | 'ExclusiveStartKey' | 'Limit'>,
  start: Key | undefined,
  limit: number,
  fromClientCursor: boolean,
): Promise<QueryCommandOutput> {
  try {
    return await ctx.client.send(
      new QueryCommand({
        ScanIndexForward: false,
        ...query,
        TableName: ctx.tableName,
        Limit: limit,
        ExclusiveStartKey: start,
      }),
    );
  } catch (error) {
    // A cursor of the right partition with the wrong attributes: DynamoDB refuses the start key.
    if (fromClientCursor && (error as Error).name === 'ValidationException')
      throw new ValidationError('The cursor is not valid here; start again without one.', {
        field: 'payload.cursor',
      });
    throw error;
  }
}
