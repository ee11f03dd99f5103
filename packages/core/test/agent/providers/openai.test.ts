import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  type OpenAiDouble,
  type OpenAiDoubleOptions,
  reply,
  startOpenAiDouble,
} from '../../../../../test/support/openai-double';
import {
  ModelRejectedError,
  ModelUnavailableError,
  NoAnswerError,
  type RetryPolicy,
} from '../../../src/agent/providers/errors';
import { createOpenAiProvider, type OpenAiOptions } from '../../../src/agent/providers/openai';
import { systemPrompt } from '../../../src/agent/providers/prompt';
import type { ModelContext } from '../../../src/agent/providers/types';
import type { Decision, Turn } from '../../../src/agent/run/transcript';
import { toolNames, validateToolCall } from '../../../src/agent/tools/declarations';

let double: OpenAiDouble | undefined;
afterEach(async () => {
  await double?.close();
  double = undefined;
});

async function start(options: OpenAiDoubleOptions = {}): Promise<OpenAiDouble> {
  double = await startOpenAiDouble(options);
  return double;
}

/** Retries without waiting; `waits` records each pause the policy asked for. */
function quickRetries(attempts = 4) {
  const waits: number[] = [];
  const policy: RetryPolicy = {
    attempts,
    baseDelayMs: 100,
    maxDelayMs: 8_000,
    budgetMs: 200_000,
    random: () => 0,
    sleep: async (ms) => {
      waits.push(ms);
    },
  };
  return { policy, waits };
}

function provider(overrides: Partial<OpenAiOptions> = {}) {
  return createOpenAiProvider({
    baseUrl: double!.url,
    model: 'llama3.1:8b',
    retry: quickRetries().policy,
    ...overrides,
  });
}

const context = (overrides: Partial<ModelContext> = {}): ModelContext => ({
  request: {
    text: 'average re78 by treat in lalonde.csv',
    intent: 'aggregate',
    datasetId: 'lalonde.csv',
    schema: {
      id: 'lalonde.csv',
      columns: [
        { name: 'treat', type: 'boolean', values: ['0', '1'] },
        { name: 're78', type: 'numeric' },
      ],
    },
  } as ModelContext['request'],
  history: [],
  turns: [],
  turn: 0,
  maxSteps: 6,
  ...overrides,
});

const toolTurn = (turn: number, toolUseId: string, name: string, observation: string, ok = true): Turn => ({
  kind: 'tool',
  turn,
  toolUseId,
  name,
  ok,
  observation,
});

const lastRequest = () => double!.requests.at(-1)!;

describe('the OpenAI-compatible provider: requests', () => {
  it('sends the system prompt, the question with its dataset facts, every tool and the fixed settings', async () => {
    await start({ script: [reply.content('The average is 5,976.')] });
    await provider({ maxTokens: 1024 }).decide(context());
    const { body, headers, path } = lastRequest();
    expect(path).toBe('/v1/chat/completions');
    expect(headers.authorization).toBeUndefined();
    expect(body).toMatchObject({
      model: 'llama3.1:8b',
      tool_choice: 'auto',
      max_tokens: 1024,
      temperature: 0,
    });
    expect(body.stream).toBeUndefined();
    expect(body.messages[0]).toEqual({ role: 'system', content: systemPrompt });
    expect(body.messages[1]).toEqual({
      role: 'user',
      content:
        'average re78 by treat in lalonde.csv\n\nDataset: lalonde.csv\nColumns: treat (boolean), re78 (numeric)',
    });
    expect(body.tools.map((tool: { function: { name: string } }) => tool.function.name)).toEqual(toolNames);
    const query = body.tools.find(
      (tool: { function: { name: string } }) => tool.function.name === 'query_data',
    );
    expect(query).toMatchObject({ type: 'function', function: { parameters: { type: 'object' } } });
  });

  it('tolerates a trailing slash in the base URL', async () => {
    await start({ script: [reply.content('Done.')] });
    await provider({ baseUrl: `${double!.url}/` }).decide(context());
    expect(lastRequest().path).toBe('/v1/chat/completions');
  });

  it('offers only final_answer on the last allowed turn, with tool_choice auto', async () => {
    await start({ script: [reply.content('What I found so far: …')] });
    await provider().decide(context({ turn: 5, maxSteps: 6 }));
    const { body } = lastRequest();
    expect(body.tool_choice).toBe('auto');
    expect(body.tools.map((tool: { function: { name: string } }) => tool.function.name)).toEqual([
      'final_answer',
    ]);
  });

  it('skips blank history messages, drops a leading assistant message and joins neighbours of one role', async () => {
    await start({ script: [reply.content('Done.')] });
    await provider().decide(
      context({
        history: [
          { role: 'assistant', content: 'stray assistant first' },
          { role: 'user', content: 'describe lalonde.csv' },
          { role: 'assistant', content: '   ' },
          { role: 'user', content: 'and its size?' },
          { role: 'assistant', content: 'It has 10 columns and 614 rows.' },
        ],
      }),
    );
    const roles = lastRequest().body.messages.map((m: { role: string; content: string }) => [
      m.role,
      m.content,
    ]);
    expect(roles.slice(1, 3)).toEqual([
      ['user', 'describe lalonde.csv\n\nand its size?'],
      ['assistant', 'It has 10 columns and 614 rows.'],
    ]);
    expect(roles[3][0]).toBe('user');
    expect(roles).toHaveLength(4);
  });
});

describe('the OpenAI-compatible provider: decisions', () => {
  it('two tool calls in one reply are both kept, in order; the next request carries them and both results', async () => {
    await start({
      script: [
        reply.toolCalls(
          [
            { id: 'call_a', name: 'describe_dataset', arguments: { datasetId: 'lalonde.csv' } },
            { id: 'call_b', name: 'list_datasets', arguments: '{}' },
          ],
          { content: 'Let me look at the data first.' },
        ),
        reply.content('The average is 5,976.'),
      ],
    });
    const openai = provider();
    const first = await openai.decide(context());
    expect(first).toMatchObject({
      kind: 'tool',
      thinking: 'Let me look at the data first.',
      calls: [
        { toolUseId: 'call_a', name: 'describe_dataset', input: { datasetId: 'lalonde.csv' } },
        { toolUseId: 'call_b', name: 'list_datasets', input: {} },
      ],
    });

    const turns: Turn[] = [
      { kind: 'model', turn: 0, decision: first },
      toolTurn(0, 'call_a', 'describe_dataset', '{"columns":["treat","re78"]}'),
      toolTurn(0, 'call_b', 'list_datasets', '["lalonde.csv"]'),
    ];
    const second = await openai.decide(context({ turns, turn: 1 }));
    expect(second).toMatchObject({ kind: 'final', text: 'The average is 5,976.' });
    expect(lastRequest().status).toBe(200);
    expect(lastRequest().body.messages.slice(-3)).toEqual([
      {
        role: 'assistant',
        content: 'Let me look at the data first.',
        tool_calls: [
          {
            id: 'call_a',
            type: 'function',
            function: { name: 'describe_dataset', arguments: '{"datasetId":"lalonde.csv"}' },
          },
          { id: 'call_b', type: 'function', function: { name: 'list_datasets', arguments: '{}' } },
        ],
      },
      { role: 'tool', tool_call_id: 'call_a', content: '{"columns":["treat","re78"]}' },
      { role: 'tool', tool_call_id: 'call_b', content: '["lalonde.csv"]' },
    ]);
  });

  it('a plain-content reply is the final answer, with the model the server named and its usage', async () => {
    await start({
      script: [
        reply.content('The average is 5,976.', {
          model: 'llama3.1:8b-instruct-q4',
          usage: { prompt: 900, completion: 12, cached: 512 },
        }),
      ],
    });
    const decision = await provider().decide(context());
    expect(decision).toEqual({
      kind: 'final',
      text: 'The average is 5,976.',
      model: 'llama3.1:8b-instruct-q4',
      usage: { inputTokens: 900, outputTokens: 12, cacheReadTokens: 512 },
    });
  });

  it('a final_answer call with text is the final answer, keeping its call id', async () => {
    await start({
      script: [reply.toolCalls([{ id: 'call_f', name: 'final_answer', arguments: { text: '**5,976**' } }])],
    });
    const decision = await provider().decide(context());
    expect(decision).toMatchObject({ kind: 'final', text: '**5,976**', toolUseId: 'call_f' });
  });

  it('a blank final_answer stays a tool call, so the agent can ask again', async () => {
    await start({
      script: [reply.toolCalls([{ id: 'call_f', name: 'final_answer', arguments: { text: '  ' } }])],
    });
    const decision = await provider().decide(context());
    expect(decision).toMatchObject({ kind: 'tool', calls: [{ toolUseId: 'call_f', name: 'final_answer' }] });
  });

  it('final_answer alongside another call keeps both as tool calls', async () => {
    await start({
      script: [
        reply.toolCalls([
          { name: 'list_datasets', arguments: {} },
          { name: 'final_answer', arguments: { text: 'Done.' } },
        ]),
      ],
    });
    const decision = await provider().decide(context());
    expect(decision.kind).toBe('tool');
    expect((decision as Extract<Decision, { kind: 'tool' }>).calls.map((c) => c.name)).toEqual([
      'list_datasets',
      'final_answer',
    ]);
  });

  it('arguments that are not JSON become an input the validator rejects, and replay as valid JSON', async () => {
    await start({
      script: [
        reply.toolCalls([
          { id: 'call_q', name: 'query_data', arguments: '{"datasetId": "lalonde.csv", sql: ' },
        ]),
        reply.content('Sorry.'),
      ],
    });
    const openai = provider();
    const decision = (await openai.decide(context())) as Extract<Decision, { kind: 'tool' }>;
    expect(decision.calls[0]!.input).toEqual({ __unparsed: '{"datasetId": "lalonde.csv", sql: ' });
    expect(validateToolCall('query_data', decision.calls[0]!.input).ok).toBe(false);

    const turns: Turn[] = [
      { kind: 'model', turn: 0, decision },
      toolTurn(0, 'call_q', 'query_data', 'The arguments for query_data are invalid.', false),
    ];
    await openai.decide(context({ turns, turn: 1 }));
    expect(lastRequest().status).toBe(200);
  });

  it('null arguments are a call with no input; arguments that are not an object stay visible to the validator', async () => {
    await start({
      script: [
        reply.toolCalls([
          { id: 'call_l', name: 'list_datasets', arguments: 'null' },
          { id: 'call_d', name: 'describe_dataset', arguments: '42' },
        ]),
      ],
    });
    const decision = (await provider().decide(context())) as Extract<Decision, { kind: 'tool' }>;
    expect(decision.calls.map((call) => call.input)).toEqual([{}, { __unparsed: '42' }]);
    expect(validateToolCall('list_datasets', decision.calls[0]!.input).ok).toBe(true);
    expect(validateToolCall('describe_dataset', decision.calls[1]!.input).ok).toBe(false);
  });

  it('a blank reply is asked again once, and its tokens still count', async () => {
    await start({
      script: [
        reply.blank({ usage: { prompt: 100, completion: 1 } }),
        reply.content('The average is 5,976.', { usage: { prompt: 100, completion: 20 } }),
      ],
    });
    const decision = await provider().decide(context());
    expect(decision).toMatchObject({ kind: 'final', usage: { inputTokens: 200, outputTokens: 21 } });
    expect(double!.requests).toHaveLength(2);
  });

  it('two blank replies end in NoAnswerError', async () => {
    await start({ script: [reply.blank(), reply.blank()] });
    const error = await provider()
      .decide(context())
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NoAnswerError);
    expect((error as Error).message).toBe('The model ended its reply without an answer.');
    expect(double!.requests).toHaveLength(2);
  });

  it('a reply cut at the output limit keeps its text, with a note naming the limit', async () => {
    await start({ script: [reply.cut('The average of re78 is 5,976 for the treated and')] });
    const decision = await provider({ maxTokens: 300 }).decide(context());
    expect(decision).toMatchObject({
      kind: 'final',
      text: "The average of re78 is 5,976 for the treated and\n\n_(The answer was cut off at the model's output limit of 300 tokens.)_",
    });
  });

  it('a tool call cut mid-arguments is asked again, shorter', async () => {
    await start({
      script: [
        reply.cut(null, [
          { name: 'query_data', arguments: '{"datasetId":"lalonde.csv","sql":"SELECT avg(re' },
        ]),
        reply.toolCalls([
          { id: 'call_q', name: 'query_data', arguments: { datasetId: 'lalonde.csv', sql: 'SELECT 1' } },
        ]),
      ],
    });
    const decision = await provider({ maxTokens: 64 }).decide(context());
    expect(decision).toMatchObject({
      kind: 'tool',
      calls: [{ toolUseId: 'call_q', input: { sql: 'SELECT 1' } }],
    });
    const messages = lastRequest().body.messages;
    expect(messages.at(-1).content).toContain('cut off at the output limit of 64 tokens');
  });

  it('a final_answer cut again after asking for less keeps the text written so far, with the note', async () => {
    const cutAnswer = reply.cut(null, [
      { name: 'final_answer', arguments: '{"text": "The average is 5,976 and' },
    ]);
    await start({ script: [cutAnswer, cutAnswer] });
    const decision = await provider({ maxTokens: 32 }).decide(context());
    expect(decision).toMatchObject({
      kind: 'final',
      text: "The average is 5,976 and\n\n_(The answer was cut off at the model's output limit of 32 tokens.)_",
    });
    expect(double!.requests).toHaveLength(2);
  });

  it('a reply cut twice before any text ends in NoAnswerError naming the limit', async () => {
    await start({ script: [reply.cut(''), reply.cut('')] });
    const error = await provider({ maxTokens: 32 })
      .decide(context())
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NoAnswerError);
    expect((error as Error).message).toBe(
      'The model reached its output limit of 32 tokens before it gave an answer.',
    );
  });
});

describe('the OpenAI-compatible provider: errors', () => {
  it('sends the API key as a Bearer token', async () => {
    await start({ apiKey: 'sk-test-123', script: [reply.content('Done.')] });
    await provider({ apiKey: 'sk-test-123' }).decide(context());
    expect(lastRequest().headers.authorization).toBe('Bearer sk-test-123');
  });

  it('a refused API key fails at once with a readable sentence that does not contain the key', async () => {
    await start({ apiKey: 'sk-right', script: [reply.content('never served')] });
    const error = await provider({ apiKey: 'sk-wrong-secret' })
      .decide(context())
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelRejectedError);
    expect((error as Error).message).toBe(
      `The model endpoint at ${double!.url} refused the API key (HTTP 401): Incorrect API key provided.`,
    );
    expect((error as Error).message).not.toContain('sk-wrong-secret');
    expect(double!.requests).toHaveLength(1);
  });

  it('429 with Retry-After waits as asked, then succeeds', async () => {
    await start({
      script: [
        reply.error(429, 'Rate limit reached for requests', { retryAfter: '3' }),
        reply.content('Done.'),
      ],
    });
    const { policy, waits } = quickRetries();
    const decision = await provider({ retry: policy }).decide(context());
    expect(decision).toMatchObject({ kind: 'final', text: 'Done.' });
    expect(waits).toEqual([3000]);
  });

  it('a 500 twice, then success', async () => {
    await start({
      script: [
        reply.error(500, 'model runner crashed'),
        reply.error(500, 'model runner crashed'),
        reply.content('Done.'),
      ],
    });
    const { policy, waits } = quickRetries();
    await expect(provider({ retry: policy }).decide(context())).resolves.toMatchObject({ text: 'Done.' });
    expect(waits).toHaveLength(2);
    expect(double!.requests).toHaveLength(3);
  });

  it('a 503 on every attempt fails with the server message, named by its status', async () => {
    await start({ script: [1, 2, 3].map(() => reply.error(503, 'Service is overloaded')) });
    const error = await provider({ retry: quickRetries(3).policy })
      .decide(context())
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelUnavailableError);
    expect(error).toMatchObject({
      code: 'HTTP 503',
      message: `The model endpoint at ${double!.url} failed (HTTP 503): Service is overloaded`,
    });
  });

  it('a closed port fails, after the retries, with "connection refused"', async () => {
    const closed = await start();
    const url = closed.url;
    await closed.close();
    double = undefined;
    const { policy, waits } = quickRetries(3);
    const error = await createOpenAiProvider({ baseUrl: url, model: 'm', retry: policy })
      .decide(context())
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelUnavailableError);
    expect((error as Error).message).toBe(`Could not reach the model endpoint at ${url}: connection refused`);
    expect(waits).toHaveLength(2);
  });

  it('a dropped connection is retried', async () => {
    await start({ script: [reply.drop(), reply.content('Done.')] });
    await expect(provider().decide(context())).resolves.toMatchObject({ text: 'Done.' });
    expect(double!.requests).toHaveLength(2);
  });

  it('a request the server rejects (400) fails at once with its message', async () => {
    await start({
      script: [
        reply.error(400, "This model's maximum context length is 8192 tokens.", {
          code: 'context_length_exceeded',
        }),
      ],
    });
    const error = await provider()
      .decide(context())
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelRejectedError);
    expect((error as Error).message).toBe(
      "The model endpoint rejected the request (HTTP 400): This model's maximum context length is 8192 tokens.",
    );
    expect(double!.requests).toHaveLength(1);
  });

  it('an unknown model names the model', async () => {
    await start({ models: ['llama3.1:8b'] });
    const error = await provider({ model: 'llama9' })
      .decide(context())
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelRejectedError);
    expect((error as Error).message).toBe(
      'The model endpoint has no model "llama9": The model `llama9` does not exist or you do not have access to it.',
    );
  });

  it('a redirect is not followed: the key goes to the configured host only, and the error names where it pointed', async () => {
    const elsewhere = await startOpenAiDouble({ script: [reply.content('never served')] });
    try {
      const trap = `${elsewhere.url}/chat/completions`;
      await start({ apiKey: 'sk-test-123', script: [reply.redirect(trap)] });
      const error = await provider({ apiKey: 'sk-test-123' })
        .decide(context())
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ModelRejectedError);
      expect((error as Error).message).toBe(
        `The model endpoint at ${double!.url} redirects to ${trap}; Cascade calls only CASCADE_MODEL_BASE_URL, so set it to the address that answers.`,
      );
      expect(elsewhere.requests).toHaveLength(0);
      expect(double!.requests).toHaveLength(1);
    } finally {
      await elsewhere.close();
    }
  });

  it('a base URL without the API version says to check it', async () => {
    await start();
    const root = double!.url.replace(/\/v1$/, '');
    const error = await provider({ baseUrl: root })
      .decide(context())
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelRejectedError);
    expect((error as Error).message).toContain('it usually ends in /v1');
  });

  it('a page that is not JSON (a web UI at the base URL) fails at once', async () => {
    await start({ script: [reply.raw(200, 'text/html', '<!doctype html><title>Open WebUI</title>')] });
    const error = await provider()
      .decide(context())
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelRejectedError);
    expect((error as Error).message).toContain(
      'did not answer like a chat completions API (HTTP 200, text/html)',
    );
    expect(double!.requests).toHaveLength(1);
  });

  it('a server that never answers times out, and the error says how long it waited', async () => {
    await start({ script: [reply.hang(), reply.hang()] });
    const error = await provider({ requestTimeoutMs: 100, retry: quickRetries(2).policy })
      .decide(context())
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelUnavailableError);
    expect((error as Error).message).toBe(`The model endpoint at ${double!.url} did not answer within 0.1 s`);
  });

  it("the step's own signal stops the request, and it is not retried", async () => {
    await start({ script: [reply.hang()] });
    const step = new AbortController();
    const pending = provider()
      .decide(context({ signal: step.signal }))
      .catch((e: unknown) => e);
    await vi.waitFor(() => expect(double!.requests).toHaveLength(1));
    step.abort(new Error('InvokeModel ran out of time'));
    expect(await pending).toMatchObject({ message: 'InvokeModel ran out of time' });
    expect(double!.requests).toHaveLength(1);
  });

  it('a model that refuses max_tokens by name gets max_completion_tokens, from then on', async () => {
    await start({
      script: [
        reply.error(
          400,
          "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.",
          { param: 'max_tokens', code: 'unsupported_parameter' },
        ),
        reply.content('One.'),
        reply.content('Two.'),
      ],
    });
    const openai = provider();
    await expect(openai.decide(context())).resolves.toMatchObject({ text: 'One.' });
    await expect(openai.decide(context())).resolves.toMatchObject({ text: 'Two.' });
    const [refused, first, second] = double!.requests;
    expect(refused!.body.max_tokens).toBe(2048);
    expect(first!.body).toMatchObject({ max_completion_tokens: 2048 });
    expect(first!.body.max_tokens).toBeUndefined();
    expect(second!.body.max_completion_tokens).toBe(2048);
  });
});

describe('the OpenAI-compatible double', () => {
  it('refuses a conversation whose tool call has no result, as the API does', async () => {
    await start({ script: [reply.content('never served')] });
    const decision: Decision = {
      kind: 'tool',
      calls: [
        { toolUseId: 'call_a', name: 'list_datasets', input: {} },
        { toolUseId: 'call_b', name: 'describe_dataset', input: { datasetId: 'x.csv' } },
      ],
    };
    const turns: Turn[] = [
      { kind: 'model', turn: 0, decision },
      toolTurn(0, 'call_a', 'list_datasets', '[]'),
    ];
    const error = await provider()
      .decide(context({ turns, turn: 1 }))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelRejectedError);
    expect((error as Error).message).toContain(
      "must be followed by tool messages responding to each 'tool_call_id'. The following tool_call_ids did not have response messages: call_b",
    );
  });

  it('refuses a tool result that answers no call', async () => {
    await start({ script: [reply.content('never served')] });
    const turns: Turn[] = [toolTurn(0, 'call_x', 'list_datasets', '[]')];
    const error = await provider()
      .decide(context({ turns, turn: 1 }))
      .catch((e: unknown) => e);
    expect((error as Error).message).toContain(
      "messages with role 'tool' must be a response to a preceeding message",
    );
  });
});

describe('the OpenAI-compatible provider: streaming', () => {
  it('streams a plain answer piece by piece; the pieces make the answer, and usage comes from the last chunk', async () => {
    const text = 'The average of re78 is 6,349 for the treated and 4,555 for the others.';
    await start({ script: [reply.content(text, { usage: { prompt: 700, completion: 25 } })] });
    const pieces: string[] = [];
    const decision = await provider().decide(context({ onText: (piece) => pieces.push(piece) }));
    expect(lastRequest().body).toMatchObject({ stream: true, stream_options: { include_usage: true } });
    expect(pieces.length).toBeGreaterThan(3);
    expect(pieces.join('')).toBe(text);
    expect(decision).toEqual({
      kind: 'final',
      text,
      model: 'llama3.1:8b',
      usage: { inputTokens: 700, outputTokens: 25 },
    });
  });

  it("streams a final_answer call's text as its arguments arrive", async () => {
    const text = 'The effect is **1,794** (95 % CI 551 to 3,038).\nMethod: "regression adjustment".';
    await start({ script: [reply.toolCalls([{ id: 'call_f', name: 'final_answer', arguments: { text } }])] });
    const pieces: string[] = [];
    const decision = await provider().decide(context({ onText: (piece) => pieces.push(piece) }));
    expect(pieces.length).toBeGreaterThan(3);
    expect(pieces.join('')).toBe(text);
    expect(decision).toMatchObject({ kind: 'final', text, toolUseId: 'call_f' });
  });

  it('reassembles streamed tool calls from their pieces, in order', async () => {
    await start({
      script: [
        reply.toolCalls([
          { id: 'call_a', name: 'describe_dataset', arguments: { datasetId: 'lalonde.csv' } },
          {
            id: 'call_b',
            name: 'query_data',
            arguments: { datasetId: 'lalonde.csv', sql: 'SELECT avg(re78) FROM data' },
          },
        ]),
      ],
    });
    const pieces: string[] = [];
    const decision = await provider().decide(context({ onText: (piece) => pieces.push(piece) }));
    expect(decision).toMatchObject({
      kind: 'tool',
      calls: [
        { toolUseId: 'call_a', name: 'describe_dataset', input: { datasetId: 'lalonde.csv' } },
        { toolUseId: 'call_b', name: 'query_data', input: { sql: 'SELECT avg(re78) FROM data' } },
      ],
    });
    expect(pieces).toEqual([]);
  });

  it('a stream without usage leaves usage undefined, not zero', async () => {
    await start({ script: [reply.content('Done.', { usage: null })] });
    const decision = await provider().decide(context({ onText: () => {} }));
    expect(decision).toEqual({ kind: 'final', text: 'Done.', model: 'llama3.1:8b' });
  });
});

/** A chat completion body written by hand, for reply shapes the scripted builders do not make. */
const completion = (body: object) => reply.raw(200, 'application/json', JSON.stringify(body));
const choiceOf = (message: object, finishReason = 'stop') => ({
  choices: [{ index: 0, message, finish_reason: finishReason }],
});

/** A server-sent event stream written by hand, line by line, exactly as sent. */
const eventStream = (...lines: string[]) => reply.raw(200, 'text/event-stream', lines.join('\n'));
const chunk = (delta: object | undefined, finishReason: string | null = null) =>
  `data: ${JSON.stringify({ choices: [{ index: 0, ...(delta && { delta }), finish_reason: finishReason }] })}`;

const failure = (pending: Promise<unknown>) => pending.catch((e: unknown) => e);

describe('the OpenAI-compatible provider: options, checked at construction', () => {
  it.each([
    [
      { baseUrl: '127.0.0.1:11434/v1' },
      'The openai provider needs a baseUrl like http://127.0.0.1:11434/v1, not "127.0.0.1:11434/v1"',
    ],
    [
      // Without a scheme, "localhost:" would read as one.
      { baseUrl: 'localhost:11434/v1' },
      'The openai provider needs a baseUrl like http://127.0.0.1:11434/v1, not "localhost:11434/v1"',
    ],
    [{ model: '  ' }, 'The openai provider needs a model'],
    [{ maxTokens: 0 }, 'maxTokens must be a positive integer'],
    [{ maxTokens: 1.5 }, 'maxTokens must be a positive integer'],
    [{ requestTimeoutMs: 0 }, 'requestTimeoutMs must be positive'],
  ] as [Partial<OpenAiOptions>, string][])('refuses %o before any request: %s', (overrides, message) => {
    const fetch = vi.fn<typeof globalThis.fetch>();
    expect(() =>
      createOpenAiProvider({ baseUrl: 'http://127.0.0.1:11434/v1', model: 'm', fetch, ...overrides }),
    ).toThrow(new Error(message));
    expect(fetch).not.toHaveBeenCalled();
  });
});

describe('the OpenAI-compatible provider: replaying the transcript', () => {
  it('replays a call without input as {}, an empty observation as a stand-in, an earlier answer as text, and leaves a blank answer out', async () => {
    await start({ script: [reply.content('Done.')] });
    const turns: Turn[] = [
      { kind: 'model', turn: 0, decision: { kind: 'final', text: 'A first answer.' } },
      { kind: 'model', turn: 1, decision: { kind: 'final', text: '  ' } },
      {
        kind: 'model',
        turn: 2,
        decision: { kind: 'tool', calls: [{ toolUseId: 'call_l', name: 'list_datasets', input: undefined }] },
      },
      toolTurn(2, 'call_l', 'list_datasets', '  '),
    ];
    await provider().decide(context({ turns, turn: 3 }));
    expect(lastRequest().status).toBe(200);
    expect(lastRequest().body.messages.slice(2)).toEqual([
      { role: 'assistant', content: 'A first answer.' },
      {
        role: 'assistant',
        content: null,
        tool_calls: [
          { id: 'call_l', type: 'function', function: { name: 'list_datasets', arguments: '{}' } },
        ],
      },
      { role: 'tool', tool_call_id: 'call_l', content: '(The tool returned nothing.)' },
    ]);
  });

  it('after tool results, the note asking for a shorter reply is a user message of its own', async () => {
    await start({
      script: [
        reply.cut(null, [{ name: 'query_data', arguments: '{"datasetId":"lalonde.csv","sql":"SELECT' }]),
        reply.content('The average is 5,976.'),
      ],
    });
    const turns: Turn[] = [
      {
        kind: 'model',
        turn: 0,
        decision: { kind: 'tool', calls: [{ toolUseId: 'call_d', name: 'describe_dataset', input: {} }] },
      },
      toolTurn(0, 'call_d', 'describe_dataset', '{"columns":["treat","re78"]}'),
    ];
    await provider({ maxTokens: 64 }).decide(context({ turns, turn: 1 }));
    expect(lastRequest().status).toBe(200);
    expect(lastRequest().body.messages.slice(-2)).toEqual([
      { role: 'tool', tool_call_id: 'call_d', content: '{"columns":["treat","re78"]}' },
      {
        role: 'user',
        content: 'Your last reply was cut off at the output limit of 64 tokens. Reply again, much shorter.',
      },
    ]);
  });
});

describe('the OpenAI-compatible provider: reply shapes of other servers', () => {
  it('joins content sent as text parts, counts missing completion tokens as 0, and keeps the requested model when none is named', async () => {
    await start({
      script: [
        completion({
          ...choiceOf({
            role: 'assistant',
            content: [
              { type: 'text', text: 'The average ' },
              { type: 'image_url', image_url: { url: 'x' } },
              { type: 'text', text: 'is 5,976.' },
            ],
          }),
          usage: { prompt_tokens: 321 },
        }),
      ],
    });
    expect(await provider().decide(context())).toEqual({
      kind: 'final',
      text: 'The average is 5,976.',
      model: 'llama3.1:8b',
      usage: { inputTokens: 321, outputTokens: 0 },
    });
  });

  it('reads arguments sent as an object (Ollama), encoded twice, or empty, and names calls sent without an id', async () => {
    await start({
      script: [
        completion(
          choiceOf(
            {
              role: 'assistant',
              content: null,
              tool_calls: [
                {
                  id: 'call_d',
                  type: 'function',
                  function: { name: 'describe_dataset', arguments: { datasetId: 'lalonde.csv' } },
                },
                {
                  type: 'function',
                  function: {
                    name: 'profile',
                    arguments: JSON.stringify(JSON.stringify({ datasetId: 'lalonde.csv' })),
                  },
                },
                { type: 'function', function: { name: 'list_datasets', arguments: '' } },
              ],
            },
            'tool_calls',
          ),
        ),
      ],
    });
    const decision = await provider().decide(context({ turn: 2 }));
    expect(decision).toMatchObject({
      kind: 'tool',
      calls: [
        { toolUseId: 'call_d', name: 'describe_dataset', input: { datasetId: 'lalonde.csv' } },
        { toolUseId: 'call_2_1', name: 'profile', input: { datasetId: 'lalonde.csv' } },
        { toolUseId: 'call_2_2', name: 'list_datasets', input: {} },
      ],
    });
  });

  it('a reply with no choices is a blank reply: asked again once', async () => {
    await start({ script: [completion({ choices: [] }), completion({ choices: [{ index: 0 }] })] });
    const error = await failure(provider().decide(context()));
    expect(error).toBeInstanceOf(NoAnswerError);
    expect((error as Error).message).toBe('The model ended its reply without an answer.');
    expect(double!.requests).toHaveLength(2);
  });

  it('adds the cached tokens of a blank reply and of the one asked again', async () => {
    await start({
      script: [
        reply.blank({ usage: { prompt: 100, completion: 1, cached: 64 } }),
        reply.content('Done.', { usage: { prompt: 100, completion: 5 } }),
      ],
    });
    expect(await provider().decide(context())).toMatchObject({
      usage: { inputTokens: 200, outputTokens: 6, cacheReadTokens: 64 },
    });
  });

  it('an error object in a 200 reply (a proxy relaying a failure) is retried, then the answer is taken', async () => {
    await start({
      script: [
        completion({ error: { message: 'upstream model crashed', type: 'server_error' } }),
        reply.content('Done.'),
      ],
    });
    const { policy, waits } = quickRetries();
    expect(await provider({ retry: policy }).decide(context())).toMatchObject({ text: 'Done.' });
    expect(waits).toHaveLength(1);
  });

  it('an error object in a 200 reply, on every attempt, fails with its message', async () => {
    await start({ script: [completion({ error: 'out of memory' })] });
    const error = await failure(provider({ retry: quickRetries(1).policy }).decide(context()));
    expect(error).toBeInstanceOf(ModelUnavailableError);
    expect(error).toMatchObject({
      code: 'ServerError',
      message: `The model endpoint at ${double!.url} failed: out of memory`,
    });
  });

  it('JSON cut in transit is retried as an incomplete reply', async () => {
    await start({
      script: [
        reply.raw(200, 'application/json', '{"id":"chatcmpl-1","choices":[{"mess'),
        reply.content('Done.'),
      ],
    });
    const { policy, waits } = quickRetries();
    expect(await provider({ retry: policy }).decide(context())).toMatchObject({ text: 'Done.' });
    expect(waits).toHaveLength(1);

    double!.push(reply.raw(200, 'application/json', '{"choices":['));
    const error = await failure(provider({ retry: quickRetries(1).policy }).decide(context()));
    expect(error).toBeInstanceOf(ModelUnavailableError);
    expect(error).toMatchObject({
      code: 'InvalidResponse',
      message: `The model endpoint at ${double!.url} sent an incomplete reply`,
    });
  });

  it('a reply that is not JSON and has no content type says so, and is not retried', async () => {
    await start({ script: [reply.raw(200, '', 'OK')] });
    const error = await failure(provider().decide(context()));
    expect(error).toBeInstanceOf(ModelRejectedError);
    expect((error as Error).message).toContain('(HTTP 200, no content type)');
    expect(double!.requests).toHaveLength(1);
  });
});

describe('the OpenAI-compatible provider: how servers refuse', () => {
  it('a server that wants a key, and got none, says so', async () => {
    await start({ apiKey: 'sk-needed' });
    const error = await failure(provider().decide(context()));
    expect(error).toBeInstanceOf(ModelRejectedError);
    expect((error as Error).message).toMatch(
      new RegExp(`^The model endpoint at ${double!.url} wants an API key \\(HTTP 401\\): You didn't provide`),
    );
    expect(double!.requests).toHaveLength(1);
  });

  it('429 for an exhausted quota fails at once: waiting cannot help', async () => {
    await start({
      script: [
        reply.error(429, 'You exceeded your current quota, please check your plan and billing details.', {
          code: 'insufficient_quota',
        }),
      ],
    });
    const error = await failure(provider().decide(context()));
    expect(error).toBeInstanceOf(ModelRejectedError);
    expect((error as Error).message).toBe(
      `The model endpoint at ${double!.url} refused the request: no quota left: You exceeded your current quota, please check your plan and billing details.`,
    );
    expect(double!.requests).toHaveLength(1);
  });

  it.each([
    [408, 'timed out'],
    [429, 'is busy'],
    [502, 'failed'],
  ])('HTTP %i is worth retrying, and the sentence says the endpoint %s', async (status, what) => {
    await start({ script: [reply.error(status, 'try later')] });
    const error = await failure(provider({ retry: quickRetries(1).policy }).decide(context()));
    expect(error).toBeInstanceOf(ModelUnavailableError);
    expect(error).toMatchObject({
      code: `HTTP ${status}`,
      message: `The model endpoint at ${double!.url} ${what} (HTTP ${status}): try later`,
    });
  });

  it("reads Ollama's own error shape: a model not pulled names the model", async () => {
    await start({
      script: [
        reply.raw(404, 'application/json', '{"error":"model \\"llama9\\" not found, try pulling it first"}'),
      ],
    });
    const error = await failure(provider({ model: 'llama9' }).decide(context()));
    expect(error).toBeInstanceOf(ModelRejectedError);
    expect((error as Error).message).toBe(
      'The model endpoint has no model "llama9": model "llama9" not found, try pulling it first',
    );
  });

  it("reads older vLLM's top-level message", async () => {
    await start({
      script: [
        reply.raw(
          400,
          'application/json',
          JSON.stringify({
            object: 'error',
            message: 'tool_choice must be auto',
            type: 'BadRequestError',
            code: 400,
          }),
        ),
      ],
    });
    const error = await failure(provider().decide(context()));
    expect(error).toBeInstanceOf(ModelRejectedError);
    expect((error as Error).message).toBe(
      'The model endpoint rejected the request (HTTP 400): tool_choice must be auto',
    );
  });

  it("reads a FastAPI server's detail: a 404 without the word model is a wrong base URL", async () => {
    await start({ script: [reply.raw(404, 'application/json', '{"detail":"Not Found"}')] });
    const error = await failure(provider().decide(context()));
    expect(error).toBeInstanceOf(ModelRejectedError);
    expect((error as Error).message).toBe(
      `The model endpoint at ${double!.url} has no chat completions API (HTTP 404): Not Found. Check the base URL: it usually ends in /v1.`,
    );
  });

  it('quotes a plain-text error (Ollama at a path it does not serve)', async () => {
    await start({ script: [reply.raw(404, 'text/plain; charset=utf-8', '404 page not found\n')] });
    const error = await failure(provider().decide(context()));
    expect((error as Error).message).toBe(
      `The model endpoint at ${double!.url} has no chat completions API (HTTP 404): 404 page not found. Check the base URL: it usually ends in /v1.`,
    );
  });

  it("never quotes a proxy's HTML error page, and retries it", async () => {
    await start({
      script: [
        reply.raw(502, 'text/html', '<html><body><h1>502 Bad Gateway</h1></body></html>'),
        reply.raw(502, 'text/html', '<html><body><h1>502 Bad Gateway</h1></body></html>'),
      ],
    });
    const error = await failure(provider({ retry: quickRetries(2).policy }).decide(context()));
    expect(error).toBeInstanceOf(ModelUnavailableError);
    expect((error as Error).message).toBe(`The model endpoint at ${double!.url} failed (HTTP 502)`);
    expect(double!.requests).toHaveLength(2);
  });

  it('a JSON error with no message gives the status alone', async () => {
    await start({ script: [reply.raw(500, 'application/json', '{}')] });
    const error = await failure(provider({ retry: quickRetries(1).policy }).decide(context()));
    expect((error as Error).message).toBe(`The model endpoint at ${double!.url} failed (HTTP 500)`);
  });

  it("waits as OpenAI's retry-after-ms asks", async () => {
    await start({
      script: [
        reply.error(429, 'Rate limit reached', { retryAfterMs: '1250', retryAfter: '2' }),
        reply.content('Done.'),
      ],
    });
    const { policy, waits } = quickRetries();
    await provider({ retry: policy }).decide(context());
    expect(waits).toEqual([1250]);
  });

  it('waits until a Retry-After given as a date, and ignores one that is neither a number nor a date', async () => {
    const until = new Date(Date.now() + 5_000).toUTCString();
    await start({
      script: [
        reply.error(503, 'Overloaded', { retryAfter: until }),
        reply.error(503, 'Overloaded', { retryAfter: 'soon' }),
        reply.content('Done.'),
      ],
    });
    const { policy, waits } = quickRetries();
    await provider({ retry: policy }).decide(context());
    expect(waits).toHaveLength(2);
    expect(waits[0]).toBeGreaterThan(3_000);
    expect(waits[0]).toBeLessThanOrEqual(5_000);
    expect(waits[1]).toBe(0); // the policy's own backoff, which the test's random() makes 0
  });

  it('a model that refuses temperature and then parallel_tool_calls gets neither, from then on', async () => {
    await start({
      script: [
        reply.error(
          400,
          "Unsupported value: 'temperature' does not support 0 with this model. Only the default (1) value is supported.",
          { code: 'unsupported_value' },
        ),
        reply.error(400, "Unsupported parameter: 'parallel_tool_calls' is not supported with this model.", {
          param: 'parallel_tool_calls',
          code: 'unsupported_parameter',
        }),
        reply.content('One.'),
        reply.content('Two.'),
      ],
    });
    const openai = provider();
    await expect(openai.decide(context())).resolves.toMatchObject({ text: 'One.' });
    await expect(openai.decide(context())).resolves.toMatchObject({ text: 'Two.' });
    const [first, second, third, fourth] = double!.requests.map((r) => r.body);
    expect(first).toMatchObject({ temperature: 0, parallel_tool_calls: true });
    expect(second.temperature).toBeUndefined();
    expect(second.parallel_tool_calls).toBe(true);
    for (const body of [third, fourth]) {
      expect(body.temperature).toBeUndefined();
      expect(body.parallel_tool_calls).toBeUndefined();
    }
  });

  it('an unsupported field it cannot leave out fails at once with the server message', async () => {
    await start({
      script: [
        reply.error(400, "Unsupported value: 'tool_choice' does not support 'auto' with this model.", {
          param: 'tool_choice',
          code: 'unsupported_value',
        }),
      ],
    });
    const error = await failure(provider().decide(context()));
    expect(error).toBeInstanceOf(ModelRejectedError);
    expect((error as Error).message).toBe(
      "The model endpoint rejected the request (HTTP 400): Unsupported value: 'tool_choice' does not support 'auto' with this model.",
    );
    expect(double!.requests).toHaveLength(1);
  });

  it('an https base URL at a plain-HTTP server is a network failure naming the TLS error', async () => {
    await start();
    const error = await failure(
      provider({ baseUrl: double!.url.replace('http:', 'https:'), retry: quickRetries(1).policy }).decide(
        context(),
      ),
    );
    expect(error).toBeInstanceOf(ModelUnavailableError);
    expect((error as Error).message).toMatch(
      /^Could not reach the model endpoint at https:\/\/127\.0\.0\.1:\d+\/v1: .*wrong version number/,
    );
  });
});

describe('the OpenAI-compatible provider: streams that go wrong', () => {
  const streamed = (overrides: Partial<ModelContext> = {}) => context({ onText: () => {}, ...overrides });

  it('a connection closed partway through a streamed answer is retried', async () => {
    await start({ script: [reply.dropMidway('The average'), reply.content('The average is 5,976.')] });
    const { policy, waits } = quickRetries();
    const decision = await provider({ retry: policy }).decide(streamed());
    expect(decision).toMatchObject({ kind: 'final', text: 'The average is 5,976.' });
    expect(waits).toHaveLength(1);

    double!.push(reply.dropMidway('The average'));
    const error = await failure(provider({ retry: quickRetries(1).policy }).decide(streamed()));
    expect(error).toBeInstanceOf(ModelUnavailableError);
    expect((error as Error).message).toBe(
      `Could not reach the model endpoint at ${double!.url}: the connection closed before the reply was complete`,
    );
  });

  it.each([
    [
      "llama.cpp's error line",
      'error: {"code":500,"message":"context shift is disabled","type":"server_error"}',
      ': context shift is disabled',
    ],
    [
      'an error chunk',
      'data: {"error":{"message":"The server had an error while processing your request."}}',
      ': The server had an error while processing your request.',
    ],
    ['an error chunk without a message', 'data: {"error":{}}', ''],
  ])('%s mid-stream fails the attempt with the server sentence', async (_, line, said) => {
    await start({ script: [eventStream(chunk({ content: 'The av' }), '', line, '', '')] });
    const error = await failure(provider({ retry: quickRetries(1).policy }).decide(streamed()));
    expect(error).toBeInstanceOf(ModelUnavailableError);
    expect(error).toMatchObject({
      code: 'StreamError',
      message: `The model endpoint at ${double!.url} failed while answering${said}`,
    });
  });

  it('an event that is not JSON is a broken stream, retried', async () => {
    await start({
      script: [
        eventStream(chunk({ content: 'The av' }), '', 'data: {"choices":[{"delta":', '', ''),
        reply.content('Done.'),
      ],
    });
    const { policy, waits } = quickRetries();
    expect(await provider({ retry: policy }).decide(streamed())).toMatchObject({ text: 'Done.' });
    expect(waits).toHaveLength(1);

    double!.push(eventStream('data: not json', '', ''));
    const error = await failure(provider({ retry: quickRetries(1).policy }).decide(streamed()));
    expect(error).toMatchObject({
      code: 'InvalidResponse',
      message: `The model endpoint at ${double!.url} sent a broken stream`,
    });
  });

  it('a stream that ends with neither a finish reason nor [DONE] is incomplete', async () => {
    await start({ script: [eventStream(chunk({ content: 'The average is' }), '', '')] });
    const error = await failure(provider({ retry: quickRetries(1).policy }).decide(streamed()));
    expect(error).toBeInstanceOf(ModelUnavailableError);
    expect(error).toMatchObject({
      code: 'StreamEnded',
      message: `The model endpoint at ${double!.url} ended the stream before the reply was complete`,
    });
  });

  it('reads a stream with other SSE fields, a finish reason but no [DONE], and no newline after its last event', async () => {
    const pieces: string[] = [];
    await start({
      script: [
        eventStream(
          'event: message',
          'id: 1',
          'retry',
          chunk({ content: 'The average ' }),
          '',
          chunk({ content: 'is 5,976.' }),
          '',
          `data: ${JSON.stringify({ choices: [{ index: 0, finish_reason: 'stop' }], usage: { prompt_tokens: 50, completion_tokens: 6 } })}`,
        ),
      ],
    });
    const decision = await provider().decide(streamed({ onText: (piece) => pieces.push(piece) }));
    expect(decision).toEqual({
      kind: 'final',
      text: 'The average is 5,976.',
      model: 'llama3.1:8b',
      usage: { inputTokens: 50, outputTokens: 6 },
    });
    expect(pieces).toEqual(['The average ', 'is 5,976.']);
  });

  it('reassembles streamed calls sent whole without an index: by id, or by position when they have no id', async () => {
    await start({
      script: [
        eventStream(
          chunk({
            tool_calls: [
              {
                id: 'call_d',
                function: { name: 'describe_dataset', arguments: { datasetId: 'lalonde.csv' } },
              },
            ],
          }),
          '',
          chunk({ tool_calls: [{ id: 'call_l', function: { name: 'list_datasets' } }] }),
          '',
          chunk(undefined, 'tool_calls'),
          '',
          'data: [DONE]',
          '',
          '',
        ),
        eventStream(
          chunk({
            tool_calls: [
              { function: { name: 'list_datasets', arguments: '{}' } },
              { function: { name: 'profile', arguments: '{"datasetId":"lalonde.csv"}' } },
            ],
          }),
          '',
          chunk({}, 'tool_calls'),
          '',
          'data: [DONE]',
          '',
          '',
        ),
      ],
    });
    const openai = provider();
    expect(await openai.decide(streamed())).toMatchObject({
      kind: 'tool',
      calls: [
        { toolUseId: 'call_d', name: 'describe_dataset', input: { datasetId: 'lalonde.csv' } },
        { toolUseId: 'call_l', name: 'list_datasets', input: {} },
      ],
    });
    expect(await openai.decide(streamed({ turn: 1 }))).toMatchObject({
      kind: 'tool',
      calls: [
        { toolUseId: 'call_1_0', name: 'list_datasets', input: {} },
        { toolUseId: 'call_1_1', name: 'profile', input: { datasetId: 'lalonde.csv' } },
      ],
    });
  });
});
