import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * An OpenAI-compatible chat completions server on 127.0.0.1 that answers from a script and holds
 * every request to the rules the real APIs enforce, failing it the way they do: HTTP 400 with
 * `{"error":{"message","type":"invalid_request_error","param","code"}}`. The rules and messages
 * come from the OpenAI chat completions reference (tool messages, tool names, stream_options) and
 * the errors OpenAI returns for them as quoted in public issue threads; from Ollama's compatibility
 * layer (ollama/ollama openai/openai.go: content may be null only with tool_calls, arguments must
 * be a JSON string); and from llama.cpp's server (tool_choice "auto" | "none" | "required").
 */

export interface ScriptedUsage {
  prompt: number;
  completion: number;
  cached?: number;
}

interface ReplyOptions {
  /** The token counts to report; null: the server reports none (some never do when streaming). */
  usage?: ScriptedUsage | null;
  /** The model the reply names; by default the requested one. */
  model?: string;
}

export interface ScriptedCall {
  id?: string;
  name: string;
  /** A JSON string as the API sends it (it may be cut or broken), or an object to encode. */
  arguments: string | Record<string, unknown>;
}

export type ScriptedReply =
  | ({ kind: 'message'; content: string | null; calls: ScriptedCall[]; finishReason: string } & ReplyOptions)
  | { kind: 'error'; status: number; body: unknown; retryAfter?: string; retryAfterMs?: string }
  | { kind: 'raw'; status: number; contentType: string; body: string }
  /** Answers 307 to the same path on another server (a proxy, a moved endpoint, or a trap for the key). */
  | { kind: 'redirect'; location: string }
  /** Closes the connection without an answer. */
  | { kind: 'drop' }
  /** Starts a streamed answer with this text, then closes the connection partway through it. */
  | { kind: 'dropMidway'; content: string }
  /** Never answers: the client must give up on its own. */
  | { kind: 'hang' };

/** Builders for the script, named for what the model or the server does. */
export const reply = {
  content: (content: string, options: ReplyOptions = {}): ScriptedReply => ({
    kind: 'message',
    content,
    calls: [],
    finishReason: 'stop',
    ...options,
  }),
  toolCalls: (calls: ScriptedCall[], options: ReplyOptions & { content?: string } = {}): ScriptedReply => ({
    kind: 'message',
    content: null,
    calls,
    finishReason: 'tool_calls',
    ...options,
  }),
  /** Cut at the output limit: `content` is the text so far, `calls` may hold unfinished arguments. */
  cut: (content: string | null, calls: ScriptedCall[] = [], options: ReplyOptions = {}): ScriptedReply => ({
    kind: 'message',
    content,
    calls,
    finishReason: 'length',
    ...options,
  }),
  blank: (options: ReplyOptions = {}): ScriptedReply => ({
    kind: 'message',
    content: '',
    calls: [],
    finishReason: 'stop',
    ...options,
  }),
  error: (
    status: number,
    message: string,
    options: {
      type?: string;
      code?: string | null;
      param?: string | null;
      retryAfter?: string;
      /** OpenAI's own `retry-after-ms` header. */
      retryAfterMs?: string;
    } = {},
  ): ScriptedReply => ({
    kind: 'error',
    status,
    body: {
      error: {
        message,
        type: options.type ?? (status >= 500 ? 'server_error' : 'invalid_request_error'),
        param: options.param ?? null,
        code: options.code ?? null,
      },
    },
    ...(options.retryAfter !== undefined && { retryAfter: options.retryAfter }),
    ...(options.retryAfterMs !== undefined && { retryAfterMs: options.retryAfterMs }),
  }),
  raw: (status: number, contentType: string, body: string): ScriptedReply => ({
    kind: 'raw',
    status,
    contentType,
    body,
  }),
  redirect: (location: string): ScriptedReply => ({ kind: 'redirect', location }),
  drop: (): ScriptedReply => ({ kind: 'drop' }),
  dropMidway: (content: string): ScriptedReply => ({ kind: 'dropMidway', content }),
  hang: (): ScriptedReply => ({ kind: 'hang' }),
};

export interface RecordedRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  // biome-ignore lint/suspicious/noExplicitAny: the request body as the client sent it, for assertions
  body: any;
  /** The status the double answered with. */
  status: number;
}

export interface OpenAiDouble {
  /** The base URL, `http://127.0.0.1:<port>/v1`. */
  url: string;
  requests: RecordedRequest[];
  push(...replies: ScriptedReply[]): void;
  /** Scripted replies not served yet. */
  pending(): number;
  close(): Promise<void>;
}

export interface OpenAiDoubleOptions {
  /** When set, requests must carry `Authorization: Bearer <apiKey>`. */
  apiKey?: string;
  /** When set, other model ids answer 404 model_not_found. */
  models?: string[];
  script?: ScriptedReply[];
}

class Rejection extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly param: string | null = null,
    readonly code: string | null = null,
    readonly type = 'invalid_request_error',
  ) {
    super(message);
  }
}

const roles = ['system', 'developer', 'user', 'assistant', 'tool'];
const toolNamePattern = /^[a-zA-Z0-9_-]{1,64}$/;

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function hasText(content: unknown): boolean {
  if (typeof content === 'string') return content.length > 0;
  return Array.isArray(content) && content.length > 0;
}

/** The request rules, checked in the order the API reports them. */
function validate(parsed: unknown, models: string[] | undefined): void {
  if (!isObject(parsed)) throw new Rejection(400, 'We could not parse the JSON body of your request.');
  // biome-ignore lint/suspicious/noExplicitAny: arbitrary client JSON, checked field by field below
  const body: any = parsed;
  if (typeof body.model !== 'string' || !body.model)
    throw new Rejection(400, 'you must provide a model parameter', 'model');
  if (!Array.isArray(body.messages) || body.messages.length === 0)
    throw new Rejection(
      400,
      "Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array instead.",
      'messages',
      'empty_array',
    );

  const tools: unknown[] = body.tools ?? [];
  if (!Array.isArray(tools))
    throw new Rejection(400, "Invalid type for 'tools': expected an array.", 'tools');
  const toolNames = new Set<string>();
  tools.forEach((tool, i) => {
    const fn = isObject(tool) ? tool.function : undefined;
    if (!isObject(tool) || tool.type !== 'function' || !isObject(fn))
      throw new Rejection(400, `Missing required parameter: 'tools[${i}].function'.`, `tools[${i}].function`);
    if (typeof fn.name !== 'string' || !toolNamePattern.test(fn.name))
      throw new Rejection(
        400,
        `Invalid 'tools[${i}].function.name': string does not match pattern. Expected a string that matches the pattern '^[a-zA-Z0-9_-]{1,64}$'.`,
        `tools[${i}].function.name`,
        'invalid_value',
      );
    if (fn.parameters !== undefined && (!isObject(fn.parameters) || fn.parameters.type !== 'object'))
      throw new Rejection(
        400,
        `Invalid schema for function '${fn.name}': schema must be a JSON Schema of 'type: "object"'.`,
        `tools[${i}].function.parameters`,
        'invalid_function_parameters',
      );
    toolNames.add(fn.name);
  });

  const choice = body.tool_choice;
  if (choice !== undefined) {
    if (tools.length === 0)
      throw new Rejection(
        400,
        "Invalid value for 'tool_choice': 'tool_choice' is only allowed when 'tools' are specified.",
        'tool_choice',
      );
    const named = isObject(choice) && choice.type === 'function' && isObject(choice.function);
    if (!(['none', 'auto', 'required'].includes(choice) || named))
      throw new Rejection(400, `Invalid value for 'tool_choice': ${JSON.stringify(choice)}.`, 'tool_choice');
    // biome-ignore lint/suspicious/noExplicitAny: checked just above
    const name = named ? (choice as any).function.name : undefined;
    if (named && !toolNames.has(name))
      throw new Rejection(
        400,
        `Invalid 'tool_choice': function '${name}' not found in 'tools'.`,
        'tool_choice',
      );
  }
  if (body.stream_options !== undefined && body.stream !== true)
    throw new Rejection(
      400,
      "The 'stream_options' parameter is only allowed when 'stream' is enabled.",
      'stream_options',
    );
  for (const field of ['max_tokens', 'max_completion_tokens']) {
    const value = body[field];
    if (value !== undefined && !(Number.isInteger(value) && value > 0))
      throw new Rejection(400, `Invalid '${field}': expected a positive integer.`, field);
  }
  if (
    body.temperature !== undefined &&
    !(typeof body.temperature === 'number' && body.temperature >= 0 && body.temperature <= 2)
  )
    throw new Rejection(400, "Invalid 'temperature': expected a number from 0 to 2.", 'temperature');

  // Every tool call is answered, by id, before the conversation moves on; no answer without a call.
  let pending = new Set<string>();
  body.messages.forEach((message: unknown, i: number) => {
    if (!isObject(message) || !roles.includes(message.role as string))
      throw new Rejection(
        400,
        `Invalid value: '${isObject(message) ? message.role : message}'. Supported values are: 'system', 'assistant', 'user', 'tool', 'function', and 'developer'.`,
        `messages[${i}].role`,
      );
    if (message.role === 'tool') {
      if (typeof message.tool_call_id !== 'string' || !pending.has(message.tool_call_id))
        throw new Rejection(
          400,
          "Invalid parameter: messages with role 'tool' must be a response to a preceeding message with 'tool_calls'.",
          `messages.[${i}].role`,
        );
      pending.delete(message.tool_call_id);
    } else if (pending.size > 0) {
      throw new Rejection(
        400,
        `An assistant message with 'tool_calls' must be followed by tool messages responding to each 'tool_call_id'. The following tool_call_ids did not have response messages: ${[...pending].join(', ')}`,
        `messages.[${i}].role`,
      );
    }
    const calls = message.tool_calls;
    if (calls !== undefined) {
      if (message.role !== 'assistant' || !Array.isArray(calls) || calls.length === 0)
        throw new Rejection(400, `Invalid 'messages[${i}].tool_calls'.`, `messages[${i}].tool_calls`);
      pending = new Set();
      calls.forEach((call: unknown, j: number) => {
        const at = `messages[${i}].tool_calls[${j}]`;
        const fn = isObject(call) ? call.function : undefined;
        if (
          !isObject(call) ||
          typeof call.id !== 'string' ||
          !call.id ||
          call.type !== 'function' ||
          !isObject(fn)
        )
          throw new Rejection(400, `Missing required parameter: '${at}.id'.`, `${at}.id`);
        if (typeof fn.name !== 'string' || !toolNamePattern.test(fn.name))
          throw new Rejection(
            400,
            `Invalid '${at}.function.name': string does not match pattern.`,
            `${at}.function.name`,
          );
        if (typeof fn.arguments !== 'string')
          throw new Rejection(
            400,
            `Invalid type for '${at}.function.arguments': expected a string, but got ${Array.isArray(fn.arguments) ? 'an array' : `a ${typeof fn.arguments}`} instead.`,
            `${at}.function.arguments`,
            'invalid_type',
          );
        pending.add(call.id);
      });
    } else if (!hasText(message.content)) {
      throw new Rejection(
        400,
        `Invalid 'messages[${i}].content': string too short. Expected a string with minimum length 1, but got an empty string instead.`,
        `messages[${i}].content`,
        'string_below_min_length',
      );
    }
  });
  if (pending.size > 0)
    throw new Rejection(
      400,
      `An assistant message with 'tool_calls' must be followed by tool messages responding to each 'tool_call_id'. The following tool_call_ids did not have response messages: ${[...pending].join(', ')}`,
      'messages',
    );

  if (models && !models.includes(body.model))
    throw new Rejection(
      404,
      `The model \`${body.model}\` does not exist or you do not have access to it.`,
      null,
      'model_not_found',
    );
}

function usageOf(usage: ScriptedUsage | null | undefined) {
  if (usage === null) return undefined;
  const { prompt, completion, cached } = usage ?? { prompt: 120, completion: 30 };
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
    ...(cached !== undefined && { prompt_tokens_details: { cached_tokens: cached } }),
  };
}

const argumentsOf = (call: ScriptedCall) =>
  typeof call.arguments === 'string' ? call.arguments : JSON.stringify(call.arguments);

/** Splits text into pieces of a few characters, the way a model's tokens arrive. */
function pieces(text: string, size: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}

export async function startOpenAiDouble(options: OpenAiDoubleOptions = {}): Promise<OpenAiDouble> {
  const script = [...(options.script ?? [])];
  const requests: RecordedRequest[] = [];
  let completions = 0;

  const send = (
    response: ServerResponse,
    recorded: RecordedRequest,
    status: number,
    body: unknown,
    headers = {},
  ) => {
    recorded.status = status;
    response.writeHead(status, { 'content-type': 'application/json', ...headers });
    response.end(JSON.stringify(body));
  };

  const answer = (
    request: { model: string; stream?: boolean; stream_options?: { include_usage?: boolean } },
    scripted: Extract<ScriptedReply, { kind: 'message' }>,
    response: ServerResponse,
  ) => {
    const id = `chatcmpl-${++completions}`;
    const created = Math.floor(Date.now() / 1000);
    const model = scripted.model ?? request.model;
    const usage = usageOf(scripted.usage);
    const calls = scripted.calls.map((call, index) => ({
      index,
      id: call.id ?? `call_${completions}_${index}`,
      type: 'function' as const,
      function: { name: call.name, arguments: argumentsOf(call) },
    }));
    if (request.stream !== true) {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(
        JSON.stringify({
          id,
          object: 'chat.completion',
          created,
          model,
          choices: [
            {
              index: 0,
              message: {
                role: 'assistant',
                content: scripted.content,
                refusal: null,
                ...(calls.length && { tool_calls: calls.map(({ index: _, ...call }) => call) }),
              },
              logprobs: null,
              finish_reason: scripted.finishReason,
            },
          ],
          ...(usage && { usage }),
        }),
      );
      return;
    }
    // Streamed: content in small pieces, each call's id and name first and its arguments in parts,
    // and the usage in a last chunk with no choices only when the client asked for it.
    const includeUsage = request.stream_options?.include_usage === true;
    response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    const event = (choices: unknown[], extra: object = {}) => {
      const data = `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model, choices, ...(includeUsage && { usage: null }), ...extra })}\n\n`;
      // Written in two parts, so the client meets events split across reads.
      const half = Math.floor(data.length / 2);
      response.write(data.slice(0, half));
      response.write(data.slice(half));
    };
    const delta = (value: object, finish: string | null = null) => [
      { index: 0, delta: value, logprobs: null, finish_reason: finish },
    ];
    event(delta({ role: 'assistant', content: '' }));
    response.write(': keep-alive\n\n');
    for (const piece of pieces(scripted.content ?? '', 5)) event(delta({ content: piece }));
    for (const call of calls) {
      event(
        delta({
          tool_calls: [
            {
              index: call.index,
              id: call.id,
              type: 'function',
              function: { name: call.function.name, arguments: '' },
            },
          ],
        }),
      );
      for (const piece of pieces(call.function.arguments, 7))
        event(delta({ tool_calls: [{ index: call.index, function: { arguments: piece } }] }));
    }
    event(delta({}, scripted.finishReason));
    if (includeUsage && usage) event([], { usage });
    response.end('data: [DONE]\n\n');
  };

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const recorded: RecordedRequest = {
      method: request.method ?? '',
      path: request.url ?? '',
      headers: request.headers,
      body: text,
      status: 0,
    };
    requests.push(recorded);
    try {
      if (request.method !== 'POST' || request.url !== '/v1/chat/completions')
        throw new Rejection(404, `Invalid URL (${request.method} ${request.url})`);
      if (options.apiKey !== undefined) {
        const auth = request.headers.authorization;
        if (!auth)
          throw new Rejection(
            401,
            "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
          );
        if (auth !== `Bearer ${options.apiKey}`)
          throw new Rejection(401, 'Incorrect API key provided.', null, 'invalid_api_key');
      }
      try {
        recorded.body = JSON.parse(text);
      } catch {
        throw new Rejection(400, 'We could not parse the JSON body of your request.');
      }
      validate(recorded.body, options.models);
    } catch (error) {
      if (!(error instanceof Rejection)) throw error;
      send(response, recorded, error.status, {
        error: { message: error.message, type: error.type, param: error.param, code: error.code },
      });
      return;
    }

    const scripted = script.shift();
    if (!scripted) {
      send(response, recorded, 500, {
        error: {
          message: 'The double has no scripted reply left.',
          type: 'server_error',
          param: null,
          code: null,
        },
      });
      return;
    }
    switch (scripted.kind) {
      case 'error':
        send(response, recorded, scripted.status, scripted.body, {
          ...(scripted.retryAfter !== undefined && { 'retry-after': scripted.retryAfter }),
          ...(scripted.retryAfterMs !== undefined && { 'retry-after-ms': scripted.retryAfterMs }),
        });
        return;
      case 'redirect':
        recorded.status = 307;
        response.writeHead(307, { location: scripted.location });
        response.end();
        return;
      case 'raw':
        recorded.status = scripted.status;
        response.writeHead(scripted.status, { 'content-type': scripted.contentType });
        response.end(scripted.body);
        return;
      case 'drop':
        request.socket.destroy();
        return;
      case 'dropMidway': {
        recorded.status = 200;
        response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
        const chunk = { object: 'chat.completion.chunk', model: recorded.body.model };
        const delta = { index: 0, delta: { content: scripted.content }, finish_reason: null };
        // Closed once the first event is flushed, so the client meets the close while reading the body.
        response.write(`data: ${JSON.stringify({ ...chunk, choices: [delta] })}\n\n`, () =>
          request.socket.destroy(),
        );
        return;
      }
      case 'hang':
        return; // closed with the server, or when the client gives up
      case 'message':
        recorded.status = 200;
        answer(recorded.body, scripted, response);
    }
  };

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      response.writeHead(500, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: { message: String(error), type: 'server_error' } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    push: (...replies) => script.push(...replies),
    pending: () => script.length,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
