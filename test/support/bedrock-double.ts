import { randomUUID } from 'node:crypto';
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import { EventStreamCodec } from '@smithy/core/event-streams';

/**
 * Amazon Bedrock's Converse and ConverseStream over a real HTTP/2 server (cleartext h2c on
 * 127.0.0.1, which the SDK's NodeHttp2Handler reaches with prior knowledge at an http:// endpoint).
 * It enforces the API's documented rules for the family of the model id in the path and fails like
 * the service does (HTTP 400, `x-amzn-errortype: ValidationException`, a JSON `message`), then
 * answers from a script. Its rules are written here from the AWS documentation, on purpose apart
 * from the provider's own table, so a wrong entry there fails a test instead of agreeing with it.
 */

type Json = Record<string, unknown>;

interface FamilyRules {
  tools: boolean;
  /** Tools on ConverseStream ("Streaming tool use"). */
  streamingTools: boolean;
  toolChoice: ('any' | 'tool')[];
  toolResultStatus: boolean;
  system: boolean;
  maxTokens: number;
}

/** Per family, from "Supported models and model features", ToolChoice, ToolResultBlock and the model cards. */
const rulesByPrefix: [string[], FamilyRules][] = [
  [
    ['anthropic.claude-3-5'],
    {
      tools: true,
      streamingTools: true,
      toolChoice: ['any', 'tool'],
      toolResultStatus: true,
      system: true,
      maxTokens: 8192,
    },
  ],
  [
    ['anthropic.claude-3-7'],
    {
      tools: true,
      streamingTools: true,
      toolChoice: ['any', 'tool'],
      toolResultStatus: true,
      system: true,
      maxTokens: 64_000,
    },
  ],
  [
    ['anthropic.claude-3'],
    {
      tools: true,
      streamingTools: true,
      toolChoice: ['any', 'tool'],
      toolResultStatus: true,
      system: true,
      maxTokens: 4096,
    },
  ],
  [
    ['anthropic.claude-sonnet-4', 'anthropic.claude-opus-4', 'anthropic.claude-haiku-4'],
    {
      tools: true,
      streamingTools: true,
      toolChoice: ['any', 'tool'],
      toolResultStatus: true,
      system: true,
      maxTokens: 32_000,
    },
  ],
  [
    ['amazon.nova-'],
    {
      tools: true,
      streamingTools: true,
      toolChoice: ['any', 'tool'],
      toolResultStatus: true,
      system: true,
      maxTokens: 5000,
    },
  ],
  [
    ['mistral.mistral-large'],
    {
      tools: true,
      streamingTools: false,
      toolChoice: ['any'],
      toolResultStatus: false,
      system: true,
      maxTokens: 8192,
    },
  ],
  [
    ['mistral.mistral-small'],
    {
      tools: true,
      streamingTools: false,
      toolChoice: [],
      toolResultStatus: false,
      system: true,
      maxTokens: 8192,
    },
  ],
  [
    ['mistral.mistral-7b', 'mistral.mixtral'],
    {
      tools: false,
      streamingTools: false,
      toolChoice: [],
      toolResultStatus: false,
      system: false,
      maxTokens: 4096,
    },
  ],
  [
    ['meta.llama3-1', 'meta.llama3-2-11b', 'meta.llama3-2-90b', 'meta.llama3-3', 'meta.llama4'],
    {
      tools: true,
      streamingTools: false,
      toolChoice: [],
      toolResultStatus: false,
      system: true,
      maxTokens: 2048,
    },
  ],
  [
    ['meta.llama'],
    {
      tools: false,
      streamingTools: false,
      toolChoice: [],
      toolResultStatus: false,
      system: true,
      maxTokens: 2048,
    },
  ],
  [
    ['cohere.command-r'],
    {
      tools: true,
      streamingTools: false,
      toolChoice: [],
      toolResultStatus: false,
      system: true,
      maxTokens: 4000,
    },
  ],
  [
    ['ai21.jamba-1-5'],
    {
      tools: true,
      streamingTools: true,
      toolChoice: [],
      toolResultStatus: false,
      system: true,
      maxTokens: 4096,
    },
  ],
  [
    ['amazon.titan-text'],
    {
      tools: false,
      streamingTools: false,
      toolChoice: [],
      toolResultStatus: false,
      system: false,
      maxTokens: 3072,
    },
  ],
];

/**
 * A model the double does not know is held to the strictest rules; its output limit is assumed to
 * be 4,096 tokens, what the tool-using families allow except Llama.
 */
const strictest: FamilyRules = {
  tools: true,
  streamingTools: false,
  toolChoice: [],
  toolResultStatus: false,
  system: false,
  maxTokens: 4096,
};

export function familyRules(modelId: string): FamilyRules {
  const id = (modelId.split('/').at(-1) ?? modelId).replace(/^(us|us-gov|eu|apac|jp|au|ca|global)\./, '');
  return rulesByPrefix.find(([prefixes]) => prefixes.some((p) => id.startsWith(p)))?.[1] ?? strictest;
}

/** The HTTP status Bedrock Runtime answers each error with (API reference, "Errors"). */
export const errorStatus = {
  ValidationException: 400,
  AccessDeniedException: 403,
  ResourceNotFoundException: 404,
  ModelTimeoutException: 408,
  ModelErrorException: 424,
  ThrottlingException: 429,
  ModelNotReadyException: 429,
  InternalServerException: 500,
  ServiceUnavailableException: 503,
} as const;

export type BedrockErrorName = keyof typeof errorStatus;

export interface ScriptedToolUse {
  name: string;
  input?: unknown;
  toolUseId?: string;
  /** ConverseStream only: the input's JSON text exactly as streamed (a cut reply stops mid-way). */
  rawInput?: string;
}

export interface Usage {
  inputTokens: number;
  outputTokens: number;
  cacheReadInputTokens?: number;
  cacheWriteInputTokens?: number;
}

export type ScriptedBlock = { text: string } | { toolUse: ScriptedToolUse };

export type ScriptedReply =
  | { kind: 'reply'; content: ScriptedBlock[]; stopReason: string; usage: Usage }
  | { kind: 'error'; name: BedrockErrorName; message: string }
  /** Accepts the request and never answers: the client must give up on its own. */
  | { kind: 'hang' };

const defaultUsage: Usage = { inputTokens: 100, outputTokens: 20 };

/** A reply with one or several tool calls, after an optional text; stopReason tool_use unless given. */
export function toolReply(
  calls: ScriptedToolUse[],
  options: { text?: string; stopReason?: string; usage?: Usage } = {},
): ScriptedReply {
  return {
    kind: 'reply',
    content: [
      ...(options.text === undefined ? [] : [{ text: options.text }]),
      ...calls.map((c) => ({ toolUse: c })),
    ],
    stopReason: options.stopReason ?? 'tool_use',
    usage: options.usage ?? defaultUsage,
  };
}

/** The model calls final_answer with this text. */
export function finalAnswerReply(text: string, options: { usage?: Usage; stopReason?: string } = {}) {
  return toolReply([{ name: 'final_answer', input: { text } }], options);
}

/** A plain text reply. */
export function textReply(text: string, options: { stopReason?: string; usage?: Usage } = {}): ScriptedReply {
  return {
    kind: 'reply',
    content: [{ text }],
    stopReason: options.stopReason ?? 'end_turn',
    usage: options.usage ?? defaultUsage,
  };
}

/** A reply the output limit cut (stopReason max_tokens). */
export function cutReply(content: ScriptedBlock[], usage: Usage = defaultUsage): ScriptedReply {
  return { kind: 'reply', content, stopReason: 'max_tokens', usage };
}

/** A reply with no content at all. */
export function blankReply(usage: Usage = defaultUsage): ScriptedReply {
  return { kind: 'reply', content: [], stopReason: 'end_turn', usage };
}

/** The model never answers this call (the request is still checked and recorded). */
export function hangReply(): ScriptedReply {
  return { kind: 'hang' };
}

/** The service fails this call as it would for the named error. */
export function errorReply(name: BedrockErrorName, message = `${name} from the double`): ScriptedReply {
  return { kind: 'error', name, message };
}

export interface RecordedRequest {
  operation: 'converse' | 'converse-stream';
  modelId: string;
  body: Json;
  /** The HTTP status the double answered with; 0 while it holds a hanging request. */
  status: number;
}

export interface BedrockDouble {
  endpoint: string;
  requests: RecordedRequest[];
  /** Queues more replies after the script. */
  push(...replies: ScriptedReply[]): void;
  /** Replies not used yet. */
  remaining(): number;
  close(): Promise<void>;
}

class Rejected extends Error {}

const blank = (value: unknown) => typeof value !== 'string' || value.trim() === '';
const idPattern = /^[a-zA-Z0-9_-]{1,64}$/;

/** Checks a Converse request as the service does for the model's family; throws the service's sentence. */
export function validateConverse(modelId: string, body: Json, streaming = false): void {
  const rules = familyRules(modelId);
  const reject = (message: string): never => {
    throw new Rejected(message);
  };
  const messages = body.messages as { role?: string; content?: Json[] }[] | undefined;
  const toolConfig = body.toolConfig as
    | { tools?: { toolSpec?: { name?: string; inputSchema?: { json?: Json } } }[]; toolChoice?: Json }
    | undefined;
  const system = body.system as { text?: string }[] | undefined;
  const maxTokens = (body.inferenceConfig as { maxTokens?: number } | undefined)?.maxTokens;

  if (system?.length) {
    if (!rules.system) reject("This model doesn't support system messages. Remove system and try again.");
    system.forEach((block, i) => {
      if ('text' in block && blank(block.text))
        reject(
          `The text field in the SystemContentBlock object at system.${i} is blank. Add text to the text field, and try again.`,
        );
    });
  }
  if (maxTokens !== undefined && (!Number.isInteger(maxTokens) || maxTokens < 1))
    reject(
      '1 validation error detected: Value at inferenceConfig.maxTokens failed to satisfy constraint: Member must have value greater than or equal to 1',
    );
  if (maxTokens !== undefined && maxTokens > rules.maxTokens)
    reject(
      `The maximum tokens you requested exceeds the model limit of ${rules.maxTokens}. Try again with a maximum tokens value that is lower than ${rules.maxTokens}.`,
    );

  const toolNames = new Set<string>();
  if (toolConfig) {
    if (!rules.tools) reject("This model doesn't support tool use.");
    if (streaming && !rules.streamingTools) reject("This model doesn't support tool use in streaming mode.");
    if (!toolConfig.tools?.length)
      reject(
        "1 validation error detected: Value at 'toolConfig.tools' failed to satisfy constraint: Member must have length greater than or equal to 1",
      );
    for (const tool of toolConfig.tools ?? []) {
      const name = tool.toolSpec?.name ?? '';
      if (!idPattern.test(name)) reject(`The tool name "${name}" must match [a-zA-Z0-9_-]{1,64}.`);
      if (toolNames.has(name)) reject(`The toolConfig field contains the tool name ${name} more than once.`);
      toolNames.add(name);
      if (tool.toolSpec?.inputSchema?.json?.type !== 'object')
        reject(`The input schema of tool ${name} must be a JSON Schema of type object.`);
    }
    const choice = toolConfig.toolChoice ?? {};
    for (const kind of ['any', 'tool'] as const) {
      if (kind in choice && !rules.toolChoice.includes(kind))
        reject(
          `This model doesn't support the toolConfig.toolChoice.${kind} field. Remove toolConfig.toolChoice.${kind} and try again.`,
        );
    }
    const named = (choice.tool as { name?: string } | undefined)?.name;
    if ('tool' in choice && (!named || !toolNames.has(named)))
      reject(`The toolConfig.toolChoice.tool.name "${named}" is not one of the tools in toolConfig.tools.`);
  }

  if (!messages?.length || messages[0]?.role !== 'user')
    reject(
      'A conversation must start with a user message. Try again with a conversation that starts with a user message.',
    );
  let openToolUses: string[] = [];
  messages!.forEach((message, m) => {
    if (m > 0 && message.role === messages![m - 1]!.role)
      reject(
        'A conversation must alternate between user and assistant roles. Make sure the conversation alternates between user and assistant roles and try again.',
      );
    const content = message.content ?? [];
    if (!content.length)
      reject(
        `The content field in the Message object at messages.${m} is empty. Add a ContentBlock object to the content field and try again.`,
      );
    const results: string[] = [];
    let texts = 0;
    const uses: string[] = [];
    content.forEach((block, c) => {
      if ('text' in block) {
        texts += 1;
        if (blank(block.text))
          reject(
            `The text field in the ContentBlock object at messages.${m}.content.${c} is blank. Add text to the text field, and try again.`,
          );
      }
      if ('toolUse' in block) {
        if (!toolConfig)
          reject('The toolConfig field must be defined when using toolUse and toolResult content blocks.');
        const use = block.toolUse as { toolUseId?: string; name?: string };
        if (message.role !== 'assistant')
          reject(`messages.${m}.content.${c}: toolUse blocks are only allowed in assistant messages.`);
        if (!idPattern.test(use.toolUseId ?? ''))
          reject(`messages.${m}.content.${c}.toolUse.toolUseId must match [a-zA-Z0-9_-]{1,64}.`);
        uses.push(use.toolUseId!);
      }
      if ('toolResult' in block) {
        if (!toolConfig)
          reject('The toolConfig field must be defined when using toolUse and toolResult content blocks.');
        const result = block.toolResult as { toolUseId?: string; status?: string; content?: Json[] };
        if (message.role !== 'user')
          reject(`messages.${m}.content.${c}: toolResult blocks are only allowed in user messages.`);
        if (result.status !== undefined && !rules.toolResultStatus)
          reject(
            "This model doesn't support the toolResult.status field. Remove toolResult.status and try again.",
          );
        if (!result.content?.length && result.status === 'error')
          reject(
            `The content field at messages.${m}.content.${c}.toolResult cannot be empty when status value is error.`,
          );
        (result.content ?? []).forEach((part, p) => {
          if ('text' in part && blank(part.text))
            reject(
              `The text field in the ToolResultContentBlock object at messages.${m}.content.${c}.toolResult.content.${p} is blank. Add text to the text field, and try again.`,
            );
        });
        results.push(result.toolUseId ?? '');
      }
    });
    if (message.role === 'user') {
      if (results.length && texts)
        reject(
          `messages.${m}.content: Conversation blocks and tool result blocks cannot be provided in the same turn.`,
        );
      const missing = openToolUses.filter((id) => !results.includes(id));
      if (missing.length)
        reject(
          `messages.${m}.content: Expected toolResult blocks at messages.${m}.content for the following Ids: ${missing.join(', ')}`,
        );
      if (results.length > openToolUses.length || results.some((id) => !openToolUses.includes(id)))
        reject(
          `messages.${m}.content: The number of toolResult blocks at messages.${m}.content exceeds the number of toolUse blocks of previous turn.`,
        );
      openToolUses = [];
    } else {
      openToolUses = uses;
    }
  });
  if (openToolUses.length)
    reject(
      'The conversation ends with toolUse blocks that have no toolResult. Add the results and try again.',
    );
}

/** Splits text into the small pieces a stream delivers. */
function pieces(text: string, size = 7): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}

const utf8 = {
  toUtf8: (bytes: Uint8Array) => Buffer.from(bytes).toString('utf8'),
  fromUtf8: (text: string) => new Uint8Array(Buffer.from(text, 'utf8')),
};
const codec = new EventStreamCodec(utf8.toUtf8, utf8.fromUtf8);

function event(type: string, payload: Json): Uint8Array {
  return codec.encode({
    headers: {
      ':event-type': { type: 'string', value: type },
      ':content-type': { type: 'string', value: 'application/json' },
      ':message-type': { type: 'string', value: 'event' },
    },
    body: utf8.fromUtf8(JSON.stringify(payload)),
  });
}

function withIds(content: ScriptedBlock[]): ScriptedBlock[] {
  return content.map((block) =>
    'toolUse' in block
      ? {
          toolUse: {
            ...block.toolUse,
            toolUseId: block.toolUse.toolUseId ?? `tooluse_${randomUUID().slice(0, 8)}`,
          },
        }
      : block,
  );
}

function usageOf(usage: Usage) {
  return { ...usage, totalTokens: usage.inputTokens + usage.outputTokens };
}

/** ConverseStream's events for one reply, in the order Bedrock sends them. */
function streamEvents(reply: Extract<ScriptedReply, { kind: 'reply' }>): Uint8Array[] {
  const events = [event('messageStart', { role: 'assistant' })];
  withIds(reply.content).forEach((block, index) => {
    if ('text' in block) {
      for (const text of pieces(block.text))
        events.push(event('contentBlockDelta', { contentBlockIndex: index, delta: { text } }));
    } else {
      const { toolUseId, name, input, rawInput } = block.toolUse;
      events.push(
        event('contentBlockStart', { contentBlockIndex: index, start: { toolUse: { toolUseId, name } } }),
      );
      for (const piece of pieces(rawInput ?? JSON.stringify(input ?? {})))
        events.push(
          event('contentBlockDelta', { contentBlockIndex: index, delta: { toolUse: { input: piece } } }),
        );
    }
    events.push(event('contentBlockStop', { contentBlockIndex: index }));
  });
  events.push(event('messageStop', { stopReason: reply.stopReason }));
  events.push(event('metadata', { usage: usageOf(reply.usage), metrics: { latencyMs: 5 } }));
  return events;
}

function converseBody(reply: Extract<ScriptedReply, { kind: 'reply' }>): Json {
  const content = withIds(reply.content).map((block) =>
    'text' in block
      ? block
      : {
          toolUse: {
            toolUseId: block.toolUse.toolUseId,
            name: block.toolUse.name,
            input: block.toolUse.input ?? {},
          },
        },
  );
  return {
    output: { message: { role: 'assistant', content } },
    stopReason: reply.stopReason,
    usage: usageOf(reply.usage),
    metrics: { latencyMs: 5 },
  };
}

/** Starts the double; it answers each accepted request with the next scripted reply. */
export async function startBedrockDouble(options: { script?: ScriptedReply[] } = {}): Promise<BedrockDouble> {
  const script = [...(options.script ?? [])];
  const requests: RecordedRequest[] = [];
  const server = http2.createServer();
  const sessions = new Set<http2.ServerHttp2Session>();
  server.on('session', (session) => {
    sessions.add(session);
    session.on('close', () => sessions.delete(session));
  });

  server.on('stream', (stream, headers) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => {
      const path = String(headers[':path'] ?? '');
      const match = /^\/model\/([^/]+)\/(converse|converse-stream)$/.exec(path.split('?')[0] ?? '');
      const fail = (
        name: BedrockErrorName | 'UnknownOperationException',
        status: number,
        message: string,
      ) => {
        stream.respond({
          ':status': status,
          'content-type': 'application/json',
          'x-amzn-errortype': `${name}:http://internal.amazon.com/coral/com.amazon.bedrock/`,
          'x-amzn-requestid': randomUUID(),
        });
        stream.end(JSON.stringify({ message }));
        return status;
      };
      if (headers[':method'] !== 'POST' || !match) {
        fail('UnknownOperationException', 404, `No operation at ${path}`);
        return;
      }
      const modelId = decodeURIComponent(match[1]!);
      const operation = match[2] as RecordedRequest['operation'];
      let body: Json = {};
      const record = (status: number) => requests.push({ operation, modelId, body, status });
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Json;
        validateConverse(modelId, body, operation === 'converse-stream');
      } catch (error) {
        const message = error instanceof Rejected ? error.message : 'The request body is not valid JSON.';
        record(fail('ValidationException', 400, message));
        return;
      }
      const reply = script.shift();
      if (!reply) {
        record(fail('InternalServerException', 500, 'The Bedrock double has no scripted reply left.'));
        return;
      }
      if (reply.kind === 'error') {
        record(fail(reply.name, errorStatus[reply.name], reply.message));
        return;
      }
      if (reply.kind === 'hang') {
        record(0);
        return; // closed with the server, or when the client gives up
      }
      record(200);
      if (operation === 'converse') {
        stream.respond({
          ':status': 200,
          'content-type': 'application/json',
          'x-amzn-requestid': randomUUID(),
        });
        stream.end(JSON.stringify(converseBody(reply)));
        return;
      }
      stream.respond({
        ':status': 200,
        'content-type': 'application/vnd.amazon.eventstream',
        'x-amzn-requestid': randomUUID(),
      });
      for (const bytes of streamEvents(reply)) stream.write(bytes);
      stream.end();
    });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    push: (...replies) => script.push(...replies),
    remaining: () => script.length,
    close: () =>
      new Promise<void>((resolve) => {
        for (const session of sessions) session.destroy();
        server.close(() => resolve());
      }),
  };
}
