import type * as z from 'zod';
import { type ClientAction, type ClientMessage, clientActions, clientSchemaFor } from './client';
import type { ErrorCode } from './codes';
import { limits } from './limits';

export interface ProtocolIssue {
  field: string;
  message: string;
}

export type ParseResult =
  | { ok: true; message: ClientMessage }
  | {
      ok: false;
      code: Extract<ErrorCode, 'BAD_REQUEST' | 'PAYLOAD_TOO_LARGE'>;
      message: string;
      details?: Record<string, unknown>;
    };

const encoder = new TextEncoder();

function fieldOf(path: readonly PropertyKey[]): string {
  return path.length === 0 ? '(message)' : path.map(String).join('.');
}

function badRequest(message: string, issues: ProtocolIssue[]): ParseResult {
  return { ok: false, code: 'BAD_REQUEST', message, details: { field: issues[0]?.field, issues } };
}

/**
 * Turns one WebSocket text message into a typed client request, or says exactly what is wrong:
 * too large, not JSON, unknown action, or which field breaks the schema.
 */
export function parseClientMessage(body: string | undefined | null): ParseResult {
  const text = body ?? '';
  const bytes = encoder.encode(text).byteLength;
  if (bytes > limits.requestBytes) {
    return {
      ok: false,
      code: 'PAYLOAD_TOO_LARGE',
      message: `The message is ${bytes} bytes; the limit is ${limits.requestBytes} bytes. Send fewer or shorter items.`,
      details: { bytes, limit: limits.requestBytes },
    };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return badRequest('The message is not valid JSON.', [{ field: '(message)', message: 'not valid JSON' }]);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    return badRequest('The message must be a JSON object.', [
      { field: '(message)', message: 'must be a JSON object' },
    ]);
  }
  const action = (json as { action?: unknown }).action;
  if (typeof action !== 'string' || !clientActions.includes(action as ClientAction)) {
    const shown = typeof action === 'string' ? `"${action.slice(0, 64)}"` : 'missing';
    return badRequest(`Unknown action ${shown}; expected one of ${clientActions.join(', ')}.`, [
      { field: 'action', message: `must be one of ${clientActions.join(', ')}` },
    ]);
  }
  const parsed = clientSchemaFor(action as ClientAction).safeParse(json);
  if (!parsed.success) return invalid(parsed.error, json);
  return { ok: true, message: parsed.data };
}

function invalid(error: z.ZodError, json: unknown): ParseResult {
  // An upload above the limit is too large, not malformed: say so, with the limit.
  const tooBig = error.issues.find((i) => i.code === 'too_big' && fieldOf(i.path) === 'payload.sizeBytes');
  if (tooBig) {
    const size = (json as { payload?: { sizeBytes?: unknown } }).payload?.sizeBytes;
    const mb = (n: number) => `${Math.round((n / 1024 / 1024) * 10) / 10} MB`;
    return {
      ok: false,
      code: 'PAYLOAD_TOO_LARGE',
      message: `The file is ${typeof size === 'number' ? mb(size) : 'too large'}; uploads are limited to ${mb(limits.uploadBytes)} (${limits.uploadBytes} bytes).`,
      details: { field: 'payload.sizeBytes', limit: limits.uploadBytes },
    };
  }
  const issues = error.issues.map((issue) => ({ field: fieldOf(issue.path), message: issue.message }));
  const first = issues[0]!;
  return badRequest(`Invalid ${first.field}: ${first.message}.`, issues);
}
