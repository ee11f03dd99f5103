import {
  BedrockRuntimeClient,
  type BedrockRuntimeClientConfig,
  type TokenUsage as BedrockTokenUsage,
  type ContentBlock,
  ConverseCommand,
  type ConverseCommandInput,
  type ConverseCommandOutput,
  ConverseStreamCommand,
  type ConverseStreamOutput,
  type Message,
  type Tool,
  type ToolChoice,
} from '@aws-sdk/client-bedrock-runtime';
import { type Decision, type TokenUsage, type ToolCall, type Turn, textArgument } from '../run/transcript';
import { toolDeclarations, toolInputSchema, toolNames } from '../tools/declarations';
import { askForDecision, cutAnswerNote, type Reading } from './ask';
import { type ModelCapabilities, modelCapabilities } from './bedrock-models';
import { defaultRetryPolicy, ModelRejectedError, ModelUnavailableError, type RetryPolicy } from './errors';
import { questionText, systemPrompt } from './prompt';
import { defaultMaxOutputTokens } from './settings';
import { answerTextStream } from './stream-text';
import type { ModelContext, ModelProvider } from './types';

/**
 * Amazon Bedrock's Converse API with tool use, the production default. One request shape serves
 * every model family; what each family accepts (toolChoice, toolResult.status, a system prompt, the
 * output limit) comes from bedrock-models.ts, so no request carries a field its model refuses.
 */

/**
 * How long the model may stay silent, and how long we keep retrying, inside InvokeModel (Lambda
 * 280 s, Task 300 s). A non-streamed Converse says nothing until the whole answer is written, so
 * the silence allowed is that of a long answer (about 8K tokens); retries stop starting after
 * 150 s, so the last attempt ends before the Lambda does.
 */
export const bedrockTimeouts = { requestMs: 120_000, retryBudgetMs: 150_000 };

/** Busy-model retries for Bedrock: the shared policy, bounded to fit the step with the timeout above. */
export const bedrockRetryPolicy: RetryPolicy = {
  ...defaultRetryPolicy,
  budgetMs: bedrockTimeouts.retryBudgetMs,
};

export interface BedrockClientOptions {
  /** Defaults to the SDK's own resolution (AWS_REGION, then the shared config). */
  region?: string;
  credentials?: BedrockRuntimeClientConfig['credentials'];
  /** The longest silence on one request before it fails as a TimeoutError (and is retried). */
  requestTimeoutMs?: number;
}

/**
 * The Bedrock Runtime client Cascade uses. No endpoint is set, so the SDK's own resolution applies:
 * AWS_ENDPOINT_URL_BEDROCK_RUNTIME first, then AWS_ENDPOINT_URL (what the local cloud sets for its
 * emulators), then the regional endpoint. The client speaks HTTP/2 (NodeHttp2Handler).
 */
export function bedrockClient(options: BedrockClientOptions = {}): BedrockRuntimeClient {
  const timeout = options.requestTimeoutMs ?? bedrockTimeouts.requestMs;
  return new BedrockRuntimeClient({
    ...(options.region && { region: options.region }),
    ...(options.credentials && { credentials: options.credentials }),
    // One attempt per send: the provider retries busy-model errors itself within the step's time,
    // and the SDK's default of three attempts would multiply with those.
    maxAttempts: 1,
    requestHandler: { requestTimeout: timeout, sessionTimeout: timeout, disableConcurrentStreams: true },
  });
}

export interface BedrockOptions {
  client: BedrockRuntimeClient;
  /** A foundation model id, an inference-profile id (`us.`, `eu.`, `apac.`, `global.`) or an ARN. */
  modelId: string;
  /**
   * The longest reply to ask for, in tokens (CASCADE_MAX_OUTPUT_TOKENS, settings.ts); capped by the
   * model's documented output limit.
   */
  maxTokens?: number;
  /** How busy-model errors are retried (tests inject the sleep). */
  retry?: RetryPolicy;
}

/** The Converse tool config, built from the one set of tool declarations. */
export function bedrockTools(): Tool[] {
  return toolNames.map((name) => ({
    toolSpec: {
      name,
      description: toolDeclarations[name].description,
      inputSchema: { json: toolInputSchema(name) as never },
    },
  }));
}

/** Converse refuses a blank text block anywhere: blank text becomes a short stand-in. */
function nonBlank(text: string | undefined, standIn: string): string {
  return text?.trim() ? text : standIn;
}

/** Converse wants alternating roles starting with the user: merge neighbours of the same role. */
function alternate(messages: Message[]): Message[] {
  const out: Message[] = [];
  for (const message of messages) {
    const last = out.at(-1);
    if (last && last.role === message.role)
      last.content = [...(last.content ?? []), ...(message.content ?? [])];
    else out.push({ role: message.role, content: [...(message.content ?? [])] });
  }
  while (out[0] && out[0].role !== 'user') out.shift();
  return out;
}

function assistantContent(decision: Decision): ContentBlock[] {
  if (decision.kind === 'final') return decision.text.trim() ? [{ text: decision.text }] : [];
  return [
    ...(decision.thinking?.trim() ? [{ text: decision.thinking }] : []),
    ...decision.calls.map((call) => ({
      toolUse: { toolUseId: call.toolUseId, name: call.name, input: (call.input ?? {}) as never },
    })),
  ];
}

function toolResult(turn: Extract<Turn, { kind: 'tool' }>, model: ModelCapabilities): ContentBlock {
  const observation = nonBlank(turn.observation, turn.ok ? 'The tool returned nothing.' : 'The tool failed.');
  return {
    toolResult: {
      toolUseId: turn.toolUseId,
      content: [{ text: observation }],
      ...(model.toolResultStatus && { status: turn.ok ? 'success' : 'error' }),
    },
  };
}

/**
 * Every toolUse answered by a toolResult in the next user message, and results only for calls just
 * made: a call the agent never ran gets a result saying so, a result with no call becomes text.
 * Converse also refuses text beside tool results, so such text joins the last result.
 */
function pairToolResults(messages: Message[], model: ModelCapabilities): Message[] {
  const notRun = (toolUseId: string): ContentBlock => ({
    toolResult: {
      toolUseId,
      content: [{ text: 'This call was not run.' }],
      ...(model.toolResultStatus && { status: 'error' }),
    },
  });
  const out: Message[] = [];
  let asked: string[] = [];
  const answer = (content: ContentBlock[]) => {
    const results = new Map<string, ContentBlock>();
    const text: ContentBlock[] = [];
    for (const block of content) {
      const id = block.toolResult?.toolUseId;
      if (id && asked.includes(id)) {
        if (!results.has(id)) results.set(id, block);
      } else if (block.toolResult) {
        text.push({ text: `An earlier tool result: ${block.toolResult.content?.[0]?.text ?? ''}` });
      } else text.push(block);
    }
    if (!asked.length) return text;
    const answered = asked.map((id) => results.get(id) ?? notRun(id));
    const last = answered.at(-1)!.toolResult!;
    last.content = [
      ...(last.content ?? []),
      ...text.flatMap((block) => (block.text ? [{ text: block.text }] : [])),
    ];
    return answered;
  };
  for (const message of messages) {
    if (message.role === 'assistant') {
      out.push(message);
      asked = (message.content ?? []).flatMap((block) =>
        block.toolUse?.toolUseId ? [block.toolUse.toolUseId] : [],
      );
    } else {
      out.push({ role: 'user', content: answer(message.content ?? []) });
      asked = [];
    }
  }
  if (asked.length) out.push({ role: 'user', content: answer([]) });
  return out;
}

/**
 * The conversation for Converse: the session's earlier messages, the question, then this item's
 * tool calls and their results, shaped for what the model accepts and never with a blank text block.
 */
export function converseMessages(context: ModelContext, model: ModelCapabilities): Message[] {
  const messages: Message[] = context.history
    .filter((message) => message.content.trim())
    .map((message) => ({ role: message.role, content: [{ text: message.content }] }));
  messages.push({
    role: 'user',
    content: [{ text: nonBlank(questionText(context), '(No question was given.)') }],
  });
  for (const turn of context.turns) {
    if (turn.kind === 'model') messages.push({ role: 'assistant', content: assistantContent(turn.decision) });
    else messages.push({ role: 'user', content: [toolResult(turn, model)] });
  }
  const paired = pairToolResults(alternate(messages.filter((message) => message.content?.length)), model);
  if (!model.systemPrompt) paired[0]?.content?.unshift({ text: systemPrompt });
  return paired;
}

/** Adds a note for the model at the end of the conversation, inside a tool result if one ends it. */
function withNote(messages: Message[], note: string): Message[] {
  const last = messages.at(-1);
  if (last?.role !== 'user') return [...messages, { role: 'user', content: [{ text: note }] }];
  const content = [...(last.content ?? [])];
  const result = content.at(-1)?.toolResult;
  if (result)
    content[content.length - 1] = {
      toolResult: { ...result, content: [...(result.content ?? []), { text: note }] },
    };
  else content.push({ text: note });
  return [...messages.slice(0, -1), { role: 'user', content }];
}

const lastStepNote = 'This is your last step: call final_answer now with what you have found.';
const emptyReplyNote = 'Your last reply was empty. Call a tool, or call final_answer with your answer.';
const cutCallNote = (maxTokens: number) =>
  `Your last reply was cut off at ${maxTokens} tokens in the middle of a tool call. Make the call again with a shorter input; keep a final answer well under ${Math.floor(maxTokens * 0.6)} words.`;

function toolChoiceFor(model: ModelCapabilities, lastStep: boolean): ToolChoice | undefined {
  if (model.toolChoice === 'auto') return undefined;
  // On the last allowed step the model must answer with what it has.
  if (lastStep && model.toolChoice === 'any-or-tool') return { tool: { name: 'final_answer' } };
  return { any: {} };
}

/** One model reply, however it arrived (Converse or ConverseStream). */
interface Reply {
  text: string;
  calls: ToolCall[];
  stopReason: string;
  usage?: TokenUsage;
}

/**
 * Converse counts cache reads and writes apart from `inputTokens` (the prompt-caching guide);
 * Cascade's `inputTokens` is the whole prompt, as OpenAI's `prompt_tokens` is, with the cached
 * parts as subsets of it.
 */
function tokenUsage(usage: BedrockTokenUsage | undefined): TokenUsage | undefined {
  if (!usage) return undefined;
  return {
    inputTokens:
      (usage.inputTokens ?? 0) + (usage.cacheReadInputTokens ?? 0) + (usage.cacheWriteInputTokens ?? 0),
    outputTokens: usage.outputTokens ?? 0,
    ...(usage.cacheReadInputTokens !== undefined && { cacheReadTokens: usage.cacheReadInputTokens }),
    ...(usage.cacheWriteInputTokens !== undefined && { cacheWriteTokens: usage.cacheWriteInputTokens }),
  };
}

function replyOf(output: ConverseCommandOutput): Reply {
  const content = output.output?.message?.content ?? [];
  return {
    text: content
      .map((block) => block.text ?? '')
      .join('')
      .trim(),
    calls: content.flatMap((block) =>
      block.toolUse
        ? [
            {
              toolUseId: block.toolUse.toolUseId ?? '',
              name: block.toolUse.name ?? '',
              input: block.toolUse.input ?? {},
            },
          ]
        : [],
    ),
    stopReason: output.stopReason ?? 'unknown',
    ...(output.usage && { usage: tokenUsage(output.usage) }),
  };
}

/**
 * Reads ConverseStream's events into the same reply Converse gives, passing the answer's text on
 * as it arrives: text deltas as they are, a final_answer's input through answerTextStream.
 */
async function streamedReply(
  stream: AsyncIterable<ConverseStreamOutput> | undefined,
  onText: (delta: string) => void,
): Promise<Reply> {
  const blocks = new Map<
    number,
    { text: string } | { call: ToolCall; json: string; feed?: (piece: string) => void }
  >();
  let stopReason = 'unknown';
  let usage: TokenUsage | undefined;
  for await (const event of stream ?? []) {
    if (event.contentBlockStart?.start?.toolUse) {
      const { toolUseId = '', name = '' } = event.contentBlockStart.start.toolUse;
      blocks.set(event.contentBlockStart.contentBlockIndex ?? blocks.size, {
        call: { toolUseId, name, input: {} },
        json: '',
        ...(name === 'final_answer' && { feed: answerTextStream(onText) }),
      });
    } else if (event.contentBlockDelta) {
      const { delta, contentBlockIndex = 0 } = event.contentBlockDelta;
      const block = blocks.get(contentBlockIndex);
      if (delta?.text !== undefined) {
        if (!block) blocks.set(contentBlockIndex, { text: delta.text });
        else if ('text' in block) block.text += delta.text;
        onText(delta.text);
      } else if (delta?.toolUse?.input !== undefined && block && 'json' in block) {
        block.json += delta.toolUse.input;
        block.feed?.(delta.toolUse.input);
      }
    } else if (event.messageStop) stopReason = event.messageStop.stopReason ?? stopReason;
    else if (event.metadata) usage = tokenUsage(event.metadata.usage);
  }
  const ordered = [...blocks.entries()].sort(([a], [b]) => a - b).map(([, block]) => block);
  return {
    text: ordered
      .map((block) => ('text' in block ? block.text : ''))
      .join('')
      .trim(),
    calls: ordered.flatMap((block) => {
      if (!('call' in block)) return [];
      // Input cut off mid-way does not parse; it reads as no input, like a blank final_answer.
      let input: unknown = {};
      try {
        input = block.json.trim() ? JSON.parse(block.json) : {};
      } catch {}
      return [{ ...block.call, input }];
    }),
    stopReason,
    ...(usage && { usage }),
  };
}

/** The answer text of a final_answer call, when it has one that is not blank. */
function answerText(call: ToolCall | undefined): string | undefined {
  if (call?.name !== 'final_answer') return undefined;
  return textArgument(call, 'text')?.trim() || undefined;
}

/**
 * The next step in a reply. Every tool call counts, in order, whatever the stop reason; a lone
 * final_answer with text is the answer (a blank one stays a call, so the agent answers it with an
 * error and the model tries again); a cut reply keeps its answer text with a note, and a cut tool
 * call or an empty reply is asked once more.
 */
function readReply(reply: Reply, maxTokens: number): Reading {
  const { text, calls } = reply;
  const answer = calls.length === 1 ? answerText(calls[0]) : undefined;
  if (reply.stopReason === 'max_tokens') {
    const note = cutAnswerNote(maxTokens);
    if (answer) return { kind: 'final', text: `${answer}${note}`, toolUseId: calls[0]!.toolUseId };
    if (!calls.length && text) return { kind: 'final', text: `${text}${note}` };
    return calls.length
      ? {
          note: cutCallNote(maxTokens),
          failure: `The model's tool call was cut off at its output limit of ${maxTokens} tokens, even when asked for a shorter one.`,
        }
      : {
          note: emptyReplyNote,
          failure: `The model reached its output limit of ${maxTokens} tokens without any answer.`,
        };
  }
  if (answer) return { kind: 'final', text: answer, toolUseId: calls[0]!.toolUseId };
  if (calls.length) return { kind: 'tool', calls, ...(text && { thinking: text }) };
  if (text) return { kind: 'final', text };
  return {
    note: emptyReplyNote,
    failure: `The model replied with neither text nor a tool call (stop reason: ${reply.stopReason}), even when asked again.`,
  };
}

/** Service errors that a later attempt may not meet: the model or its endpoint is busy or briefly broken. */
const transientErrors = new Set([
  'ThrottlingException',
  'ServiceUnavailableException',
  'ModelNotReadyException',
  'InternalServerException',
  'ModelErrorException',
  'ModelTimeoutException',
  'ModelStreamErrorException',
]);
/**
 * Connection failures, as Node and its HTTP/2 client report them: the client wraps a refused or
 * reset connection in a stream or session error (the cause names the socket's own code).
 */
const networkCodes = new Set([
  'ERR_HTTP2_STREAM_CANCEL',
  'ERR_HTTP2_STREAM_ERROR',
  'ERR_HTTP2_SESSION_ERROR',
  'ERR_HTTP2_GOAWAY_SESSION',
  'ERR_HTTP2_INVALID_SESSION',
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'ENETUNREACH',
]);

async function regionOf(client: BedrockRuntimeClient): Promise<string> {
  try {
    const region = client.config.region;
    return typeof region === 'function' ? await region() : String(region);
  } catch {
    return 'unknown';
  }
}

/** Bedrock's error as one of ours: a refusal fails at once with a sentence; a busy model is retried. */
async function modelError(error: unknown, client: BedrockRuntimeClient, modelId: string): Promise<unknown> {
  if (!(error instanceof Error) || error.name === 'AbortError') return error;
  const { code, $fault } = error as { code?: string; $fault?: string };
  const causeCode = (error.cause as { code?: string } | undefined)?.code;
  if (error.name === 'ValidationException')
    return new ModelRejectedError(`The model rejected the request: ${error.message}`);
  if (error.name === 'AccessDeniedException' || error.name === 'ResourceNotFoundException')
    return new ModelRejectedError(
      `No access to model ${modelId} in region ${await regionOf(client)}: ${error.message}`,
    );
  if (transientErrors.has(error.name) || $fault === 'server')
    return new ModelUnavailableError(error.message, error.name);
  if (error.name === 'TimeoutError') return new ModelUnavailableError(error.message, 'TimeoutError');
  const network = [code, causeCode].find((c) => c !== undefined && networkCodes.has(c));
  if (network || /http2|HTTP\/2|socket hang up/.test(error.message))
    return new ModelUnavailableError(`Could not reach Bedrock: ${error.message}`, network ?? 'NetworkError');
  return error;
}

/** Amazon Bedrock's Converse API with tool use; the production default. */
export function createBedrockProvider(options: BedrockOptions): ModelProvider {
  const { client, modelId } = options;
  const model = modelCapabilities(modelId);
  const maxTokens = Math.min(options.maxTokens ?? defaultMaxOutputTokens, model.maxOutputTokens);
  const retry = options.retry ?? bedrockRetryPolicy;

  function request(context: ModelContext, note: string | undefined): ConverseCommandInput {
    const lastStep = context.turn >= context.maxSteps - 1;
    const toolChoice = toolChoiceFor(model, lastStep);
    const notes = [note, lastStep && !toolChoice?.tool && lastStepNote].filter((n): n is string => !!n);
    return {
      modelId,
      messages: notes.reduce(withNote, converseMessages(context, model)),
      ...(model.systemPrompt && { system: [{ text: systemPrompt }] }),
      toolConfig: { tools: bedrockTools(), ...(toolChoice && { toolChoice }) },
      inferenceConfig: { maxTokens, temperature: 0 },
    };
  }

  /** Streams when asked to and the model takes tools on ConverseStream. */
  const streams = (context: ModelContext): context is ModelContext & { onText: (delta: string) => void } =>
    !!context.onText && model.streamingToolUse;

  async function call(input: ConverseCommandInput, context: ModelContext): Promise<Reply> {
    const sendOptions = { abortSignal: context.signal };
    try {
      if (!streams(context)) return replyOf(await client.send(new ConverseCommand(input), sendOptions));
      const output = await client.send(new ConverseStreamCommand(input), sendOptions);
      return await streamedReply(output.stream, context.onText);
    } catch (error) {
      throw await modelError(error, client, modelId);
    }
  }

  return {
    name: 'bedrock',
    model: modelId,
    async decide(context) {
      if (!model.tools)
        throw new ModelRejectedError(
          `Model ${modelId} cannot call tools through Bedrock's Converse API, and Cascade's agent needs them. Choose a model with tool use (Claude 3 or later, Amazon Nova, Mistral Large or Small, Llama 3.1 or later, Command R, Jamba 1.5).`,
        );
      const { decision, usage } = await askForDecision({
        ask: (note) => call(request(context, note), context),
        read: (reply) => readReply(reply, maxTokens),
        retry,
        maxTokens,
      });
      // A model that cannot stream with tools still shows its answer, in one piece.
      if (decision.kind === 'final' && context.onText && !streams(context)) context.onText(decision.text);
      return { ...decision, model: modelId, ...(usage && { usage }) };
    },
  };
}
