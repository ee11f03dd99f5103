import { type ContextMessage, type TokenUsage, type ToolCall, textArgument } from '../run/transcript';
import { type ToolName, toolDeclarations, toolInputSchema, toolNames } from '../tools/declarations';
import { askForDecision, cutAnswerNote, type Reading } from './ask';
import { defaultRetryPolicy, ModelRejectedError, ModelUnavailableError, type RetryPolicy } from './errors';
import { questionText, systemPrompt } from './prompt';
import { answerTextStream, partialAnswerText } from './stream-text';
import type { ModelContext, ModelProvider } from './types';

/**
 * Any OpenAI-compatible chat completions endpoint with tool calling: Ollama, llama.cpp's server,
 * vLLM, LM Studio, OpenAI. It speaks the common subset of those servers (each choice below says
 * which server forced it) and turns every failure into the errors of ./errors.
 */

export interface OpenAiOptions {
  /** Up to and including the API version: `http://127.0.0.1:11434/v1`, `https://api.openai.com/v1`. */
  baseUrl: string;
  model: string;
  /** Sent as a Bearer token; local servers need none. */
  apiKey?: string;
  /** The most tokens one reply may use (default 2048). */
  maxTokens?: number;
  fetch?: typeof fetch;
  retry?: RetryPolicy;
  /** How long one request may take, a streamed reply included (default 60 s). */
  requestTimeoutMs?: number;
}

interface WireToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

export type ChatMessage =
  | { role: 'system' | 'user'; content: string }
  | { role: 'assistant'; content: string | null; tool_calls?: WireToolCall[] }
  | { role: 'tool'; tool_call_id: string; content: string };

/** The chat completions tool list, built from the one set of tool declarations. */
export function openAiTools(names: readonly ToolName[] = toolNames) {
  return names.map((name) => ({
    type: 'function' as const,
    function: { name, description: toolDeclarations[name].description, parameters: toolInputSchema(name) },
  }));
}

/**
 * The session's messages and the question, as every server's chat template accepts them: no blank
 * content (servers reject it), the user first, and roles alternating (Gemma's and Mistral's
 * templates, run by llama.cpp and vLLM, fail on two user messages in a row): neighbours are joined.
 */
function conversation(history: ContextMessage[], question: string): ChatMessage[] {
  const out: { role: 'user' | 'assistant'; content: string }[] = [];
  for (const message of [...history, { role: 'user' as const, content: question }]) {
    const content = message.content.trim();
    const last = out.at(-1);
    if (!content || (!last && message.role !== 'user')) continue;
    if (last?.role === message.role) last.content += `\n\n${content}`;
    else out.push({ role: message.role, content });
  }
  return out;
}

function wireCall(call: ToolCall): WireToolCall {
  return {
    id: call.toolUseId,
    type: 'function',
    function: { name: call.name, arguments: JSON.stringify(call.input ?? {}) },
  };
}

/** The request's messages: system prompt, session history, question, then this item's turns. */
export function chatMessages(context: ModelContext): ChatMessage[] {
  const messages: ChatMessage[] = [
    { role: 'system', content: systemPrompt },
    ...conversation(context.history, questionText(context)),
  ];
  for (const turn of context.turns) {
    if (turn.kind === 'tool') {
      messages.push({
        role: 'tool',
        tool_call_id: turn.toolUseId,
        content: turn.observation.trim() || '(The tool returned nothing.)',
      });
      continue;
    }
    const { decision } = turn;
    if (decision.kind === 'tool') {
      messages.push({
        role: 'assistant',
        content: decision.thinking?.trim() || null,
        tool_calls: decision.calls.map(wireCall),
      });
    } else if (decision.text.trim()) {
      messages.push({ role: 'assistant', content: decision.text });
    }
  }
  return messages;
}

/** One reply of the API, streamed or not, before it is read as a decision. */
interface Reply {
  content: string;
  calls: { id?: string; name: string; arguments: unknown }[];
  finishReason: string | null;
  model?: string;
  usage?: TokenUsage;
}

/** A model's arguments as an object; text that is not a JSON object stays visible so validation rejects it. */
function parseArguments(raw: unknown): Record<string, unknown> {
  if (raw && typeof raw === 'object' && !Array.isArray(raw)) return raw as Record<string, unknown>; // Ollama, at times
  const text = typeof raw === 'string' ? raw : JSON.stringify(raw ?? null);
  if (!text.trim()) return {};
  try {
    const once: unknown = JSON.parse(text);
    const parsed: unknown = typeof once === 'string' ? JSON.parse(once) : once; // some models encode twice
    // A call to a tool without inputs may carry `null` (or nothing): no input, like "".
    if (parsed === null) return {};
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed))
      return parsed as Record<string, unknown>;
  } catch {}
  return { __unparsed: text };
}

function parses(raw: unknown): boolean {
  return !('__unparsed' in parseArguments(raw));
}

/**
 * The next step in a reply. A blank reply is usually a fluke, asked again as it was; a reply cut
 * mid-call (or before any text) cannot be used, and is asked again for less, keeping any answer
 * text it had in case the second is no better.
 */
function interpret(reply: Reply, turn: number, maxTokens: number): Reading {
  const text = reply.content.trim();
  const calls: ToolCall[] = reply.calls.map((call, index) => ({
    toolUseId: call.id || `call_${turn}_${index}`,
    name: call.name,
    input: parseArguments(call.arguments),
  }));
  const cut = reply.finishReason === 'length';
  const cutReply = {
    note: `Your last reply was cut off at the output limit of ${maxTokens} tokens. Reply again, much shorter.`,
    failure: `The model reached its output limit of ${maxTokens} tokens before it gave an answer.`,
  };
  if (cut && reply.calls.some((call) => !parses(call.arguments))) {
    const answer = reply.calls.find((call) => call.name === 'final_answer');
    const partial = typeof answer?.arguments === 'string' ? partialAnswerText(answer.arguments)?.trim() : '';
    const partialText = partial || text;
    return { ...cutReply, ...(partialText && { partialText }) };
  }
  const note = cut ? cutAnswerNote(maxTokens) : '';
  const [only] = calls;
  const answer = calls.length === 1 && only?.name === 'final_answer' ? textArgument(only, 'text') : '';
  if (answer?.trim()) return { kind: 'final', text: answer.trim() + note, toolUseId: only!.toolUseId };
  if (calls.length) return { kind: 'tool', calls, ...(text && { thinking: text }) };
  if (text) return { kind: 'final', text: text + note };
  return cut ? cutReply : { failure: 'The model ended its reply without an answer.' };
}

// biome-ignore lint/suspicious/noExplicitAny: JSON from a server we do not control, read defensively
type Json = any;

function usageOf(usage: Json): TokenUsage | undefined {
  if (typeof usage?.prompt_tokens !== 'number') return undefined;
  const cached = usage.prompt_tokens_details?.cached_tokens;
  return {
    inputTokens: usage.prompt_tokens,
    outputTokens: typeof usage.completion_tokens === 'number' ? usage.completion_tokens : 0,
    ...(typeof cached === 'number' && { cacheReadTokens: cached }),
  };
}

/** Message content is a string, null, or (some servers) an array of text parts. */
function textOf(content: Json): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content))
    return content.map((part) => (typeof part?.text === 'string' ? part.text : '')).join('');
  return '';
}

/** The lines of a streamed body, however its bytes were split. */
async function* lines(body: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let rest = '';
  for await (const bytes of body) {
    const parts = (rest + decoder.decode(bytes, { stream: true })).split(/\r?\n/);
    rest = parts.pop() ?? '';
    yield* parts;
  }
  rest += decoder.decode();
  if (rest) yield rest;
}

/** The data of each server-sent event (`data:` lines), and llama.cpp's `error:` lines. */
async function* serverSentEvents(
  body: ReadableStream<Uint8Array>,
): AsyncGenerator<{ field: 'data' | 'error'; data: string }> {
  let data: string[] = [];
  for await (const line of lines(body)) {
    if (line === '') {
      if (data.length) yield { field: 'data', data: data.join('\n') };
      data = [];
      continue;
    }
    const colon = line.indexOf(':');
    if (colon === 0) continue; // a comment: servers send them to keep the connection open
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'data') data.push(value);
    else if (field === 'error') yield { field, data: value };
  }
  if (data.length) yield { field: 'data', data: data.join('\n') };
}

/** Request fields some servers refuse by name: newer OpenAI models take only max_completion_tokens and no temperature 0. */
interface Quirks {
  tokenField: 'max_tokens' | 'max_completion_tokens';
  dropped: Set<'temperature' | 'parallel_tool_calls'>;
}

/** The server's own account of an error, from any of the shapes compatible servers use. */
interface Problem {
  message: string;
  code?: string;
  param?: string;
}

function problemOf(text: string, contentType: string): Problem {
  let body: Json;
  try {
    body = JSON.parse(text);
  } catch {
    return { message: contentType.includes('text/plain') ? text.trim().slice(0, 300) : '' };
  }
  const error = body?.error;
  const message =
    (typeof error === 'string' && error) || // Ollama's native shape
    error?.message ||
    body?.message || // older vLLM
    (typeof body?.detail === 'string' && body.detail) ||
    '';
  return {
    message: String(message).trim(),
    ...(typeof error?.code === 'string' && { code: error.code }),
    ...(typeof error?.param === 'string' && { param: error.param }),
  };
}

function retryAfterMs(headers: Headers): number | undefined {
  const ms = Number(headers.get('retry-after-ms'));
  if (ms > 0) return ms;
  const value = headers.get('retry-after');
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

const networkProblems: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'the connection was reset',
  ENOTFOUND: 'no such host',
  EAI_AGAIN: 'the host name could not be resolved',
  EHOSTUNREACH: 'the host is unreachable',
  ETIMEDOUT: 'the connection timed out',
  UND_ERR_CONNECT_TIMEOUT: 'the connection timed out',
  UND_ERR_SOCKET: 'the connection closed before the reply was complete',
};

function endpointOf(baseUrl: string): string {
  let url: URL | undefined;
  try {
    url = new URL(baseUrl);
  } catch {
    url = undefined;
  }
  // "localhost:11434/v1" parses, with "localhost:" as its scheme: only http(s) is an endpoint.
  if (url?.protocol !== 'http:' && url?.protocol !== 'https:')
    throw new Error(`The openai provider needs a baseUrl like http://127.0.0.1:11434/v1, not "${baseUrl}"`);
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

/** OpenAI-compatible chat completions with tool calling: how people run their own models. */
export function createOpenAiProvider(options: OpenAiOptions): ModelProvider {
  const endpoint = endpointOf(options.baseUrl);
  if (!options.model.trim()) throw new Error('The openai provider needs a model');
  const maxTokens = options.maxTokens ?? 2048;
  const timeoutMs = options.requestTimeoutMs ?? 60_000;
  if (!(Number.isInteger(maxTokens) && maxTokens > 0))
    throw new Error('maxTokens must be a positive integer');
  if (!(timeoutMs > 0)) throw new Error('requestTimeoutMs must be positive');
  const send = options.fetch ?? fetch;
  const quirks: Quirks = { tokenField: 'max_tokens', dropped: new Set() };

  function requestBody(context: ModelContext, messages: ChatMessage[]) {
    const lastTurn = context.turn >= context.maxSteps - 1;
    return {
      model: options.model,
      messages,
      // The last allowed turn offers only final_answer: forcing a named function is not portable
      // (llama.cpp's server takes only "auto" | "none" | "required", LM Studio answers 400 to the
      // object form, Ollama's compatibility layer ignores tool_choice), and plain text is an answer too.
      tools: openAiTools(lastTurn ? ['final_answer'] : toolNames),
      tool_choice: 'auto',
      // llama.cpp makes one call per reply unless asked (docs/function-calling.md); the agent runs several.
      ...(!quirks.dropped.has('parallel_tool_calls') && { parallel_tool_calls: true }),
      // max_tokens, because Ollama's compatibility layer and older servers read only it (docs.ollama.com,
      // "OpenAI compatibility"); OpenAI's newer models refuse it by name, and then we switch (see adapt).
      [quirks.tokenField]: maxTokens,
      ...(!quirks.dropped.has('temperature') && { temperature: 0 }),
      ...(context.onText && { stream: true, stream_options: { include_usage: true } }),
    };
  }

  /** Learns from a 400 that names a field this model does not support; true when worth sending again. */
  function adapt(problem: Problem): boolean {
    if (!/unsupported|not supported/i.test(`${problem.code} ${problem.message}`)) return false;
    const field =
      problem.param ?? /'(max_tokens|temperature|parallel_tool_calls)'/.exec(problem.message)?.[1];
    if (field === 'max_tokens' && quirks.tokenField === 'max_tokens') {
      quirks.tokenField = 'max_completion_tokens';
      return true;
    }
    if ((field === 'temperature' || field === 'parallel_tool_calls') && !quirks.dropped.has(field)) {
      quirks.dropped.add(field);
      return true;
    }
    return false;
  }

  function httpError(status: number, problem: Problem, headers: Headers): Error {
    const said = problem.message
      ? `: ${options.apiKey ? problem.message.replaceAll(options.apiKey, '[redacted]') : problem.message}`
      : '';
    if (status === 401 || status === 403) {
      return new ModelRejectedError(
        options.apiKey
          ? `The model endpoint at ${endpoint} refused the API key (HTTP ${status})${said}`
          : `The model endpoint at ${endpoint} wants an API key (HTTP ${status})${said}`,
      );
    }
    if (status === 404) {
      return problem.code === 'model_not_found' || /model/i.test(problem.message)
        ? new ModelRejectedError(`The model endpoint has no model "${options.model}"${said}`)
        : new ModelRejectedError(
            `The model endpoint at ${endpoint} has no chat completions API (HTTP 404)${said}. Check the base URL: it usually ends in /v1.`,
          );
    }
    if (status === 429 && problem.code === 'insufficient_quota')
      return new ModelRejectedError(
        `The model endpoint at ${endpoint} refused the request: no quota left${said}`,
      );
    if (status === 408 || status === 429 || status >= 500) {
      const what = status === 429 ? 'is busy' : status === 408 ? 'timed out' : 'failed';
      return new ModelUnavailableError(
        `The model endpoint at ${endpoint} ${what} (HTTP ${status})${said}`,
        `HTTP ${status}`,
        retryAfterMs(headers),
      );
    }
    return new ModelRejectedError(`The model endpoint rejected the request (HTTP ${status})${said}`);
  }

  async function readCompletion(response: Response): Promise<Reply> {
    const contentType = response.headers.get('content-type') ?? '';
    const text = await response.text();
    let body: Json;
    try {
      body = JSON.parse(text);
    } catch {
      // Broken JSON is a reply cut in transit; anything else means the base URL reaches some other service.
      if (contentType.includes('json'))
        throw new ModelUnavailableError(
          `The model endpoint at ${endpoint} sent an incomplete reply`,
          'InvalidResponse',
        );
      throw new ModelRejectedError(
        `The model endpoint at ${endpoint} did not answer like a chat completions API (HTTP ${response.status}, ${contentType || 'no content type'}). Check the base URL: it usually ends in /v1.`,
      );
    }
    if (body?.error) {
      const { message } = problemOf(text, contentType);
      throw new ModelUnavailableError(
        `The model endpoint at ${endpoint} failed${message ? `: ${message}` : ''}`,
        'ServerError',
      );
    }
    const choice = body?.choices?.[0];
    const message = choice?.message ?? {};
    return {
      content: textOf(message.content),
      calls: (Array.isArray(message.tool_calls) ? message.tool_calls : []).map((call: Json) => ({
        id: call?.id,
        name: String(call?.function?.name ?? ''),
        arguments: call?.function?.arguments,
      })),
      finishReason: choice?.finish_reason ?? null,
      ...(typeof body?.model === 'string' && body.model && { model: body.model }),
      ...(usageOf(body?.usage) && { usage: usageOf(body.usage) }),
    };
  }

  async function readStream(response: Response, onText: (delta: string) => void): Promise<Reply> {
    const reply: Reply = { content: '', calls: [], finishReason: null };
    const calls: { id?: string; name: string; arguments: string; answer?: (piece: string) => void }[] = [];
    let done = false;
    for await (const event of serverSentEvents(response.body ?? new ReadableStream())) {
      if (event.data === '[DONE]') {
        done = true;
        break;
      }
      let chunk: Json;
      try {
        chunk = JSON.parse(event.data);
      } catch {
        throw new ModelUnavailableError(
          `The model endpoint at ${endpoint} sent a broken stream`,
          'InvalidResponse',
        );
      }
      if (event.field === 'error' || chunk?.error) {
        const { message } = problemOf(event.data, 'application/json');
        throw new ModelUnavailableError(
          `The model endpoint at ${endpoint} failed while answering${message ? `: ${message}` : ''}`,
          'StreamError',
        );
      }
      if (typeof chunk?.model === 'string' && chunk.model) reply.model = chunk.model;
      reply.usage = usageOf(chunk?.usage) ?? reply.usage;
      const choice = chunk?.choices?.[0];
      if (!choice) continue; // the usage chunk has no choices
      const delta = choice.delta ?? {};
      const text = textOf(delta.content);
      if (text) {
        reply.content += text;
        onText(text);
      }
      for (const [position, piece] of (Array.isArray(delta.tool_calls) ? delta.tool_calls : []).entries()) {
        // Each call arrives as pieces under its index: id and name first, then its arguments in parts.
        const index = typeof piece?.index === 'number' ? piece.index : piece?.id ? calls.length : position;
        const call = calls[index] ?? { name: '', arguments: '' };
        calls[index] = call;
        if (piece?.id) call.id = piece.id;
        const args = piece?.function?.arguments;
        const argText = typeof args === 'string' ? args : args ? JSON.stringify(args) : '';
        call.arguments += argText;
        if (piece?.function?.name && !call.name) {
          call.name = piece.function.name;
          if (call.name === 'final_answer') {
            call.answer = answerTextStream(onText);
            call.answer(call.arguments);
            continue;
          }
        }
        call.answer?.(argText);
      }
      if (choice.finish_reason) reply.finishReason = choice.finish_reason;
    }
    if (!done && !reply.finishReason)
      throw new ModelUnavailableError(
        `The model endpoint at ${endpoint} ended the stream before the reply was complete`,
        'StreamEnded',
      );
    reply.calls = calls
      .filter(Boolean)
      .map(({ id, name, arguments: args }) => ({ id, name, arguments: args }));
    return reply;
  }

  /** One HTTP exchange, adapted to the server's refusals of single fields; errors typed for withRetries. */
  async function attempt(context: ModelContext, messages: ChatMessage[]): Promise<Reply> {
    const { onText } = context;
    for (;;) {
      const timeout = AbortSignal.timeout(timeoutMs);
      const body = requestBody(context, messages);
      try {
        const response = await send(`${endpoint}/chat/completions`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            accept: onText ? 'text/event-stream' : 'application/json',
            ...(options.apiKey && { authorization: `Bearer ${options.apiKey}` }),
          },
          body: JSON.stringify(body),
          signal: context.signal ? AbortSignal.any([timeout, context.signal]) : timeout,
          // The key goes to the configured host and nowhere else: a redirect is an answer, not a hop.
          redirect: 'manual',
        });
        if (response.status >= 300 && response.status < 400) {
          const location = response.headers.get('location') ?? 'another address';
          throw new ModelRejectedError(
            `The model endpoint at ${endpoint} redirects to ${location}; Cascade calls only CASCADE_MODEL_BASE_URL, so set it to the address that answers.`,
          );
        }
        if (response.ok) {
          // A server that ignores `stream` answers with one JSON body; read it as such.
          return onText && response.headers.get('content-type')?.includes('text/event-stream')
            ? await readStream(response, onText)
            : await readCompletion(response);
        }
        const problem = problemOf(await response.text(), response.headers.get('content-type') ?? '');
        if (response.status === 400 && adapt(problem)) continue;
        throw httpError(response.status, problem, response.headers);
      } catch (error) {
        throw transportError(error, timeout, context.signal);
      }
    }
  }

  /** Names a failure of the exchange itself: the step's own abort, our timeout, or the network. */
  function transportError(error: unknown, timeout: AbortSignal, step: AbortSignal | undefined): unknown {
    if (step?.aborted) return step.reason ?? error; // the step gave up: not ours to retry
    if (timeout.aborted) {
      const seconds = Number((timeoutMs / 1000).toFixed(1));
      return new ModelUnavailableError(
        `The model endpoint at ${endpoint} did not answer within ${seconds} s`,
        'Timeout',
      );
    }
    // fetch reports network failures as TypeError('fetch failed' | 'terminated') with the socket's error as cause.
    const cause = (error as { cause?: { code?: unknown; message?: string } } | undefined)?.cause;
    const network =
      error instanceof TypeError &&
      (typeof cause?.code === 'string' || /^(fetch failed|terminated)$/.test(error.message));
    if (!network) return error;
    const code = typeof cause?.code === 'string' ? cause.code : 'NetworkError';
    return new ModelUnavailableError(
      `Could not reach the model endpoint at ${endpoint}: ${networkProblems[code] ?? cause?.message ?? error.message}`,
      code,
    );
  }

  return {
    name: 'openai',
    model: options.model,
    async decide(context) {
      const messages = chatMessages(context);
      let model = options.model;
      const { decision, usage } = await askForDecision({
        ask: async (note) => {
          const reply = await attempt(context, note ? withUserNote(messages, note) : messages);
          model = reply.model ?? model;
          return reply;
        },
        read: (reply) => interpret(reply, context.turn, maxTokens),
        retry: options.retry ?? defaultRetryPolicy,
        maxTokens,
      });
      return { ...decision, model, ...(usage && { usage }) };
    },
  };
}

/** Adds a note for the model as a user message, joined to the last one if it is a user's. */
function withUserNote(messages: ChatMessage[], note: string): ChatMessage[] {
  const last = messages.at(-1);
  if (last?.role === 'user')
    return [...messages.slice(0, -1), { role: 'user', content: `${last.content}\n\n${note}` }];
  return [...messages, { role: 'user', content: note }];
}
