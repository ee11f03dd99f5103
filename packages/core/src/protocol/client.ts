import * as z from 'zod';
import { ExecutionStatus } from './codes';
import { datasetExtensionsText, datasetFormatOf } from './dataset-files';
import { limits } from './limits';

const Uuid = z.uuid({ error: 'must be a UUID' });
/** Optional on every request but `query`; echoed on the answer. */
const MessageId = z.string().min(1).max(128);
const Cursor = z.string().min(1).max(2048);
const Limit = z.number().int().min(1).max(limits.pageSize);

export const DatasetId = z
  .string()
  .regex(/^[A-Za-z0-9_.-]{1,128}$/, { error: 'must be 1..128 characters of A-Z a-z 0-9 _ . -' });

const isControl = (char: string) => char.charCodeAt(0) < 0x20 || char.charCodeAt(0) === 0x7f;

/**
 * A file name as a person has it ("beauty and the labor market.csv", "sales 2026.parquet"): up to
 * 255 characters, no path separators or control characters, ending in .csv or .parquet in any
 * case. A name that is already a DatasetId keeps it as its id.
 */
export const UploadFileName = z
  .string()
  .max(255, { error: 'must be at most 255 characters' })
  .refine((name) => ![...name].some((char) => char === '/' || char === '\\' || isControl(char)), {
    error: 'must not contain / or \\ or control characters',
  })
  .refine((name) => datasetFormatOf(name) !== undefined, {
    error: `must be a ${datasetExtensionsText} file name`,
  });

export const QueryItem = z.object({
  id: z.string().regex(limits.itemIdPattern, { error: 'must be 1..64 characters of A-Z a-z 0-9 _ . -' }),
  input: z.string().min(1).max(limits.itemInputChars),
});
export type QueryItem = z.infer<typeof QueryItem>;

const NotBlank = (max: number) =>
  z
    .string()
    .max(max)
    .refine((text) => text.trim().length > 0, { error: 'must not be empty' });

export const QueryPayload = z.object({
  content: NotBlank(limits.contentChars),
  items: z
    .array(QueryItem)
    .min(1)
    .max(limits.items)
    .superRefine((items, ctx) => {
      const firstIndex = new Map<string, number>();
      items.forEach((item, index) => {
        const first = firstIndex.get(item.id);
        if (first === undefined) firstIndex.set(item.id, index);
        else
          ctx.addIssue({
            code: 'custom',
            path: [index, 'id'],
            message: `duplicate item id "${item.id}" (first used at index ${first})`,
          });
      });
    })
    .optional(),
  datasetId: DatasetId.optional(),
  options: z
    .object({ maxConcurrency: z.number().int().min(1).max(limits.maxConcurrency).optional() })
    .optional(),
});
export type QueryPayload = z.infer<typeof QueryPayload>;

export const QueryRequest = z.object({
  action: z.literal('query'),
  messageId: Uuid,
  sessionId: Uuid.optional(),
  payload: QueryPayload,
});

/** A request other than `query`: its action, a messageId its answer echoes, and its payload. */
function request<Action extends string, Payload extends z.ZodType>(action: Action, payload: Payload) {
  return z.object({ action: z.literal(action), messageId: MessageId.optional(), payload });
}

const PageRequest = z.object({ limit: Limit.optional(), cursor: Cursor.optional() });

export const SessionsListRequest = request('sessions.list', PageRequest.optional());

export const SessionHistoryRequest = request('session.history', PageRequest.extend({ sessionId: Uuid }));

export const ExecutionGetRequest = request('execution.get', z.object({ executionId: Uuid }));

/** Extension: one item's full trace (every step, with its timing, tokens and tool input). */
export const ExecutionTraceRequest = request(
  'execution.trace',
  z.object({ executionId: Uuid, itemId: QueryItem.shape.id }),
);

/** Extension: the caller's executions, newest first, optionally only those of one status. */
export const ExecutionsListRequest = request(
  'executions.list',
  PageRequest.extend({ status: ExecutionStatus.optional() }).optional(),
);

export const ExecutionCancelRequest = request('execution.cancel', z.object({ executionId: Uuid }));

export const DatasetsListRequest = request('datasets.list', z.object({}).optional());

/** Extension: asks for a presigned URL to upload a CSV or Parquet file as one of the user's datasets. */
export const DatasetUploadRequest = request(
  'dataset.upload',
  z.object({
    /** The file's name as the person has it; the answer's `datasetId` is derived from it. */
    name: UploadFileName,
    sizeBytes: z.number().int().min(1).max(limits.uploadBytes),
  }),
);

const NoPayload = z.object({}).optional();

/** Extension: a personal API key for scripts, shown once in the answer. */
export const KeyCreateRequest = request(
  'key.create',
  z
    .object({
      name: NotBlank(limits.apiKeys.nameChars)
        .refine((name) => ![...name].some(isControl), { error: 'must not contain control characters' })
        .optional(),
      /** Days until the key stops working; `limits.apiKeys.defaultDays` when left out. */
      expiresInDays: z.number().int().min(1).max(limits.apiKeys.maxDays).optional(),
    })
    .optional(),
);

/** Extension: the caller's API keys (never the keys themselves). */
export const KeysListRequest = request('keys.list', NoPayload);

export const KeyId = z.string().regex(/^[0-9a-f]{16}$/, { error: 'must be a key id (16 hex digits)' });

/** Extension: revokes one of the caller's API keys at once. */
export const KeyRevokeRequest = request('key.revoke', z.object({ keyId: KeyId }));

/** Extension: the caller's open connections (their devices). */
export const ConnectionsListRequest = request('connections.list', NoPayload);

/** Extension: the caller's sessions that a run holds locked. */
export const LocksListRequest = request('locks.list', NoPayload);

/** Extension: ends every sign-in of the caller's, this connection's included. */
export const SignOutEverywhereRequest = request('signout.everywhere', NoPayload);

export const PingRequest = request('ping', z.object({}).optional());

export const ClientMessage = z.discriminatedUnion('action', [
  QueryRequest,
  SessionsListRequest,
  SessionHistoryRequest,
  ExecutionGetRequest,
  ExecutionTraceRequest,
  ExecutionsListRequest,
  ExecutionCancelRequest,
  DatasetsListRequest,
  DatasetUploadRequest,
  KeyCreateRequest,
  KeysListRequest,
  KeyRevokeRequest,
  ConnectionsListRequest,
  LocksListRequest,
  SignOutEverywhereRequest,
  PingRequest,
]);
export type ClientMessage = z.infer<typeof ClientMessage>;
export type ClientAction = ClientMessage['action'];
export type ClientRequest<A extends ClientAction> = Extract<ClientMessage, { action: A }>;

export const clientActions = ClientMessage.options.map(
  (option) => option.shape.action.value,
) as ClientAction[];

/** The handler module of a protocol action: `sessions.list` lives in `ws/sessions-list.ts`. */
export const routeModule = (action: string) => action.replace(/\./g, '-');

const schemaByAction = new Map<string, z.ZodType<ClientMessage>>(
  ClientMessage.options.map((option) => [option.shape.action.value, option]),
);

export function clientSchemaFor<A extends ClientAction>(action: A): z.ZodType<ClientRequest<A>> {
  return schemaByAction.get(action) as z.ZodType<ClientRequest<A>>;
}
