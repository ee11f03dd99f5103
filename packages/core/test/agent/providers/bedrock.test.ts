import {
  BedrockRuntimeClient,
  ConverseCommand,
  type ConverseCommandInput,
  type ConverseCommandOutput,
  type Message,
} from '@aws-sdk/client-bedrock-runtime';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  type BedrockDouble,
  blankReply,
  cutReply,
  errorReply,
  finalAnswerReply,
  hangReply,
  type ScriptedReply,
  startBedrockDouble,
  textReply,
  toolReply,
} from '../../../../../test/support/bedrock-double';
import {
  type BedrockOptions,
  bedrockClient,
  bedrockTools,
  converseMessages,
  createBedrockProvider,
} from '../../../src/agent/providers/bedrock';
import { modelCapabilities } from '../../../src/agent/providers/bedrock-models';
import {
  defaultRetryPolicy,
  ModelRejectedError,
  ModelUnavailableError,
  NoAnswerError,
  type RetryPolicy,
} from '../../../src/agent/providers/errors';
import { defaultMaxOutputTokens } from '../../../src/agent/providers/settings';
import type { ModelContext } from '../../../src/agent/providers/types';
import type { Decision, Turn } from '../../../src/agent/run/transcript';
import { toolNames } from '../../../src/agent/tools/declarations';

const claude = 'anthropic.claude-3-5-sonnet-20240620-v1:0';
const nova = 'amazon.nova-pro-v1:0';
const mistralLarge = 'mistral.mistral-large-2407-v1:0';
const mistralSmall = 'mistral.mistral-small-2402-v1:0';
const llama = 'meta.llama3-1-70b-instruct-v1:0';

let double: BedrockDouble;
let client: BedrockRuntimeClient;
let sleeps: number[];
const retry = (): RetryPolicy => ({ ...defaultRetryPolicy, sleep: async (ms) => void sleeps.push(ms) });

beforeEach(async () => {
  double = await startBedrockDouble();
  sleeps = [];
  // The client Cascade builds, pointed at the double the way the local cloud points SDKs at emulators.
  vi.stubEnv('AWS_ENDPOINT_URL_BEDROCK_RUNTIME', double.endpoint);
  client = bedrockClient({
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
});

afterEach(async () => {
  client.destroy();
  vi.unstubAllEnvs();
  await double.close();
});

const provider = (modelId: string, options: Partial<BedrockOptions> = {}) =>
  createBedrockProvider({ client, modelId, retry: retry(), ...options });

const context = (overrides: Partial<ModelContext> = {}): ModelContext => ({
  request: {
    text: 'effect of treat on re78 in lalonde.csv',
    intent: 'effect',
    datasetId: 'lalonde.csv',
    columns: ['treat', 're78'],
    schema: {
      id: 'lalonde.csv',
      columns: [
        { name: 'treat', type: 'boolean', values: ['0', '1'] },
        { name: 're78', type: 'numeric' },
      ],
    },
  },
  history: [
    { role: 'user', content: 'describe lalonde.csv' },
    { role: 'assistant', content: 'It has 10 columns.' },
  ],
  turns: [],
  turn: 0,
  maxSteps: 6,
  ...overrides,
});

/** The transcript after a tool decision, each call answered (the first one failed). */
function afterCalls(decision: Decision, turn = 0): Turn[] {
  if (decision.kind !== 'tool') throw new Error(`expected tool calls, got ${JSON.stringify(decision)}`);
  return [
    { kind: 'model', turn, decision },
    ...decision.calls.map(
      (call, i): Turn => ({
        kind: 'tool',
        turn,
        toolUseId: call.toolUseId,
        name: call.name,
        ok: i > 0,
        observation: i > 0 ? '{"rows":445}' : 'There is no column "re_78".',
      }),
    ),
  ];
}

/** The i-th request the double received, as the Converse input it is. */
const sent = (i: number) => double.requests[i]!.body as unknown as ConverseCommandInput;
const lastMessage = (i: number) => JSON.stringify(sent(i).messages?.at(-1));
const describeCall = toolReply([{ name: 'describe_dataset', input: { datasetId: 'lalonde.csv' } }]);

describe('a two-turn run, under each family the double enforces', () => {
  it.each([
    { modelId: nova, status: true, toolChoice: { any: {} }, system: true },
    { modelId: claude, status: true, toolChoice: { any: {} }, system: true },
    { modelId: `us.${claude}`, status: true, toolChoice: { any: {} }, system: true },
    { modelId: mistralLarge, status: false, toolChoice: { any: {} }, system: true },
    { modelId: mistralSmall, status: false, toolChoice: undefined, system: true },
    { modelId: llama, status: false, toolChoice: undefined, system: true },
    { modelId: 'cohere.command-r-plus-v1:0', status: false, toolChoice: undefined, system: true },
    { modelId: 'example.unknown-model-v1:0', status: false, toolChoice: undefined, system: false },
  ])('$modelId: status $status, system $system', async ({ modelId, status, toolChoice, system }) => {
    double.push(describeCall, finalAnswerReply('The effect is 1,794.'));
    const bedrock = provider(modelId);

    const first = await bedrock.decide(context());
    const second = await bedrock.decide(context({ turn: 1, turns: afterCalls(first) }));

    expect(second).toMatchObject({ kind: 'final', text: 'The effect is 1,794.', model: modelId });
    expect(double.requests.map((r) => r.status)).toEqual([200, 200]);
    const { messages, toolConfig } = sent(1);
    const result = messages?.at(-1)?.content?.[0]?.toolResult;
    expect(result?.toolUseId).toBe((first as Extract<Decision, { kind: 'tool' }>).calls[0]!.toolUseId);
    expect(result?.status).toBe(status ? 'error' : undefined);
    expect(toolConfig?.toolChoice).toEqual(toolChoice);
    expect(sent(1).system !== undefined).toBe(system);
    // Without a system field, the instructions open the first user message.
    if (!system) expect(messages?.[0]?.content?.[0]?.text).toContain('You are Cascade');
  });

  it('sends the tool config built from the tool declarations', async () => {
    double.push(describeCall);
    await provider(claude).decide(context());
    expect(sent(0).toolConfig?.tools?.map((t) => t.toolSpec?.name)).toEqual(toolNames);
    const effect = bedrockTools().find((t) => t.toolSpec?.name === 'estimate_effect')!;
    expect(effect.toolSpec?.inputSchema?.json).toMatchObject({
      type: 'object',
      required: ['datasetId', 'treatment', 'outcome'],
    });
  });

  it('on the last step forces final_answer where the family can, and asks for it where it cannot', async () => {
    double.push(finalAnswerReply('a'), finalAnswerReply('b'), finalAnswerReply('c'));
    const last = context({ turn: 5 });
    await provider(claude).decide(last);
    await provider(mistralLarge).decide(last);
    await provider(llama).decide(last);
    expect(sent(0).toolConfig?.toolChoice).toEqual({ tool: { name: 'final_answer' } });
    expect(sent(1).toolConfig?.toolChoice).toEqual({ any: {} });
    expect(sent(2).toolConfig?.toolChoice).toBeUndefined();
    expect(lastMessage(2)).toContain('last step: call final_answer');
  });

  it('refuses a model that cannot call tools before calling it', async () => {
    await expect(provider('mistral.mistral-7b-instruct-v0:2').decide(context())).rejects.toThrow(
      new ModelRejectedError(
        "Model mistral.mistral-7b-instruct-v0:2 cannot call tools through Bedrock's Converse API, and Cascade's agent needs them. Choose a model with tool use (Claude 3 or later, Amazon Nova, Mistral Large or Small, Llama 3.1 or later, Command R, Jamba 1.5).",
      ),
    );
    expect(double.requests).toEqual([]);
  });
});

describe('reading a reply', () => {
  const decide = async (reply: ScriptedReply, modelId = nova) => {
    double.push(reply);
    return provider(modelId).decide(context());
  };

  it('keeps every tool call of a reply, in order, with the text before them', async () => {
    const decision = await decide(
      toolReply(
        [
          { name: 'describe_dataset', toolUseId: 'one', input: { datasetId: 'lalonde.csv' } },
          { name: 'list_datasets', toolUseId: 'two', input: {} },
        ],
        { text: 'Looking at the data first.' },
      ),
    );
    expect(decision).toMatchObject({
      kind: 'tool',
      thinking: 'Looking at the data first.',
      calls: [
        { toolUseId: 'one', name: 'describe_dataset', input: { datasetId: 'lalonde.csv' } },
        { toolUseId: 'two', name: 'list_datasets', input: {} },
      ],
    });
    // Both calls are answered in one user message on the next turn, which the double checks.
    double.push(finalAnswerReply('Done.'));
    await provider(llama).decide(context({ turn: 1, turns: afterCalls(decision) }));
    expect(double.requests.at(-1)?.status).toBe(200);
    expect(
      sent(1)
        .messages?.at(-1)
        ?.content?.map((b) => b.toolResult?.toolUseId),
    ).toEqual(['one', 'two']);
  });

  it('takes a tool call in an end_turn reply instead of ignoring it', async () => {
    const decision = await decide(
      toolReply([{ name: 'profile', toolUseId: 'p', input: { datasetId: 'lalonde.csv' } }], {
        stopReason: 'end_turn',
      }),
    );
    expect(decision).toMatchObject({ kind: 'tool', calls: [{ toolUseId: 'p', name: 'profile' }] });
  });

  it('reads a lone final_answer with text as the answer', async () => {
    expect(
      await decide(
        toolReply([{ name: 'final_answer', toolUseId: 'fa', input: { text: ' The ATE is 1,548. ' } }]),
      ),
    ).toEqual({
      kind: 'final',
      text: 'The ATE is 1,548.',
      toolUseId: 'fa',
      model: nova,
      usage: { inputTokens: 100, outputTokens: 20 },
    });
  });

  it('keeps a blank final_answer as a tool call, so the agent answers it with an error', async () => {
    const decision = await decide(
      toolReply([{ name: 'final_answer', toolUseId: 'fa', input: { text: '  ' } }]),
    );
    expect(decision).toMatchObject({ kind: 'tool', calls: [{ name: 'final_answer', toolUseId: 'fa' }] });
  });

  it('keeps final_answer made beside other calls as one of the calls', async () => {
    const decision = await decide(
      toolReply([
        { name: 'query_data', toolUseId: 'q', input: { datasetId: 'lalonde.csv', sql: 'SELECT 1' } },
        { name: 'final_answer', toolUseId: 'fa', input: { text: 'Done.' } },
      ]),
    );
    expect(decision).toMatchObject({
      kind: 'tool',
      calls: [{ name: 'query_data' }, { name: 'final_answer' }],
    });
  });

  it('reads plain text with no tool call as the answer', async () => {
    expect(await decide(textReply('Plain answer.'), llama)).toMatchObject({
      kind: 'final',
      text: 'Plain answer.',
    });
  });

  it('asks once more after an empty reply, and adds up the tokens of both replies, cached ones within the input', async () => {
    double.push(blankReply({ inputTokens: 10, outputTokens: 0 }));
    const decision = await decide(
      finalAnswerReply('Second time.', {
        usage: { inputTokens: 12, outputTokens: 4, cacheReadInputTokens: 8 },
      }),
    );
    expect(decision).toMatchObject({
      kind: 'final',
      text: 'Second time.',
      usage: { inputTokens: 30, outputTokens: 4, cacheReadTokens: 8 },
    });
    expect(lastMessage(1)).toContain('Your last reply was empty');
  });

  it('fails with NoAnswerError when the model stays silent', async () => {
    double.push(blankReply());
    await expect(decide(blankReply())).rejects.toThrow(NoAnswerError);
    expect(double.requests).toHaveLength(2);
  });
});

describe('the output limit', () => {
  it('passes maxTokens through, capped at the family maximum', async () => {
    double.push(finalAnswerReply('a'), finalAnswerReply('b'), finalAnswerReply('c'), finalAnswerReply('d'));
    await provider(claude, { maxTokens: 6000 }).decide(context());
    await provider(nova, { maxTokens: 20_000 }).decide(context());
    await provider(llama, { maxTokens: 20_000 }).decide(context());
    await provider('anthropic.claude-3-haiku-20240307-v1:0', { maxTokens: 8192 }).decide(context());
    expect(double.requests.map((r) => (r.body.inferenceConfig as { maxTokens: number }).maxTokens)).toEqual([
      6000, 5000, 2048, 4096,
    ]);
    expect(modelCapabilities(`global.${claude}`).maxOutputTokens).toBe(8192);
  });

  it('asks for the settings default when no maxTokens is given', async () => {
    double.push(finalAnswerReply('a'));
    await provider(claude).decide(context());
    expect(sent(0).inferenceConfig?.maxTokens).toBe(defaultMaxOutputTokens);
  });

  it('keeps an answer cut at the limit, saying where it was cut', async () => {
    double.push(
      cutReply([{ text: 'A long plain answer' }]),
      cutReply([
        { toolUse: { name: 'final_answer', toolUseId: 'fa', input: { text: 'A long final answer' } } },
      ]),
    );
    const bedrock = provider(nova, { maxTokens: 4096 });
    expect(await bedrock.decide(context())).toMatchObject({
      kind: 'final',
      text: "A long plain answer\n\n_(The answer was cut off at the model's output limit of 4096 tokens.)_",
    });
    expect(await bedrock.decide(context())).toMatchObject({
      kind: 'final',
      toolUseId: 'fa',
      text: "A long final answer\n\n_(The answer was cut off at the model's output limit of 4096 tokens.)_",
    });
  });

  it('asks again for a shorter call when the limit cut a tool call mid-input', async () => {
    double.push(
      cutReply([
        { toolUse: { name: 'final_answer', toolUseId: 'fa', rawInput: '{"text": "A very long ans' } },
      ]),
      finalAnswerReply('A shorter answer.'),
    );
    const pieces: string[] = [];
    const decision = await provider(claude).decide(context({ onText: (delta) => pieces.push(delta) }));
    expect(decision).toMatchObject({ kind: 'final', text: 'A shorter answer.' });
    expect(lastMessage(1)).toContain('cut off at 4096 tokens in the middle of a tool call');
    expect(pieces.join('')).toMatch(/A shorter answer\.$/);
  });

  it('fails loudly when the tool call is cut again', async () => {
    const cut = cutReply([{ toolUse: { name: 'query_data', toolUseId: 'q', input: {} } }]);
    double.push(cut, cut);
    await expect(provider(claude).decide(context())).rejects.toThrow(
      "The model's tool call was cut off at its output limit of 4096 tokens, even when asked for a shorter one.",
    );
  });
});

describe('errors', () => {
  it.each([
    'ThrottlingException',
    'ModelErrorException',
    'ModelTimeoutException',
    'ServiceUnavailableException',
  ] as const)('retries %s, then answers', async (name) => {
    double.push(errorReply(name), finalAnswerReply('After a pause.'));
    expect(await provider(nova).decide(context())).toMatchObject({ kind: 'final', text: 'After a pause.' });
    expect(double.requests.map((r) => r.status)).toEqual([expect.any(Number), 200]);
    expect(sleeps).toHaveLength(1);
  });

  it('gives up after the policy attempts, keeping the API name of the failure', async () => {
    double.push(...Array.from({ length: 4 }, () => errorReply('ThrottlingException', 'Too many requests')));
    const failure = provider(nova).decide(context());
    await expect(failure).rejects.toBeInstanceOf(ModelUnavailableError);
    await expect(failure).rejects.toMatchObject({
      code: 'ThrottlingException',
      message: 'Too many requests',
    });
    expect(double.requests).toHaveLength(4);
  });

  it('turns a ValidationException into a sentence at once, without retrying', async () => {
    double.push(errorReply('ValidationException', 'Malformed input request: #: extraneous key [foo]'));
    await expect(provider(nova).decide(context())).rejects.toThrow(
      new ModelRejectedError(
        'The model rejected the request: Malformed input request: #: extraneous key [foo]',
      ),
    );
    expect(double.requests).toHaveLength(1);
  });

  it.each(['AccessDeniedException', 'ResourceNotFoundException'] as const)(
    'names the model and region on %s',
    async (name) => {
      double.push(errorReply(name, "You don't have access to the model with the specified model ID."));
      await expect(provider(nova).decide(context())).rejects.toThrow(
        new ModelRejectedError(
          "No access to model amazon.nova-pro-v1:0 in region us-east-1: You don't have access to the model with the specified model ID.",
        ),
      );
      expect(double.requests).toHaveLength(1);
    },
  );
});

describe('blank text', () => {
  it('never sends a blank text block: not from history, thinking, a final answer or an observation', async () => {
    double.push(finalAnswerReply('Fine.'));
    const turns: Turn[] = [
      {
        kind: 'model',
        turn: 0,
        decision: {
          kind: 'tool',
          thinking: ' ',
          calls: [{ toolUseId: 'a', name: 'final_answer', input: { text: '' } }],
        },
      },
      { kind: 'tool', turn: 0, toolUseId: 'a', name: 'final_answer', ok: false, observation: '' },
    ];
    const history = [
      { role: 'user' as const, content: 'first question' },
      { role: 'assistant' as const, content: '' },
      { role: 'user' as const, content: 'second question' },
      { role: 'assistant' as const, content: '\n' },
    ];
    await provider(claude).decide(context({ history, turns, turn: 1 }));
    expect(double.requests[0]?.status).toBe(200);
    const blocks = (sent(0).messages ?? []).flatMap((m) => m.content ?? []);
    const texts = [
      ...blocks.flatMap((block) => (block.text === undefined ? [] : [block.text])),
      ...blocks.flatMap((block) => block.toolResult?.content?.map((part) => part.text ?? '') ?? []),
    ];
    expect(texts.length).toBeGreaterThan(3);
    expect(texts.filter((text) => !text.trim())).toEqual([]);
  });
});

describe('streaming with onText', () => {
  it('passes the text and the final_answer pieces on as they arrive and returns the same decision', async () => {
    double.push(
      textReply('Checking.', { stopReason: 'end_turn' }),
      toolReply([{ name: 'final_answer', toolUseId: 'fa', input: { text: 'The "mean" is\n4.2.' } }], {
        usage: { inputTokens: 30, outputTokens: 12, cacheWriteInputTokens: 5 },
      }),
    );
    const pieces: string[] = [];
    const bedrock = provider(claude);

    const plain = await bedrock.decide(context({ onText: (delta) => pieces.push(delta) }));
    expect(plain).toMatchObject({ kind: 'final', text: 'Checking.' });
    expect(pieces.join('')).toBe('Checking.');
    expect(pieces.length).toBeGreaterThan(1);

    pieces.length = 0;
    const final = await bedrock.decide(context({ onText: (delta) => pieces.push(delta) }));
    expect(final).toEqual({
      kind: 'final',
      text: 'The "mean" is\n4.2.',
      toolUseId: 'fa',
      model: claude,
      usage: { inputTokens: 35, outputTokens: 12, cacheWriteTokens: 5 },
    });
    expect(pieces.join('')).toBe('The "mean" is\n4.2.');
    expect(double.requests.map((r) => r.operation)).toEqual(['converse-stream', 'converse-stream']);
  });

  it.each([llama, mistralLarge])(
    'asks %s, which refuses tools on ConverseStream, with Converse and shows the answer whole',
    async (modelId) => {
      double.push(finalAnswerReply('Whole answer.'));
      const pieces: string[] = [];
      const decision = await provider(modelId).decide(context({ onText: (delta) => pieces.push(delta) }));
      expect(decision).toMatchObject({ kind: 'final', text: 'Whole answer.' });
      expect(pieces).toEqual(['Whole answer.']);
      expect(double.requests.map((r) => r.operation)).toEqual(['converse']);
    },
  );

  it('streams several tool calls back as calls', async () => {
    double.push(
      toolReply([
        { name: 'describe_dataset', toolUseId: 'd', input: { datasetId: 'lalonde.csv' } },
        { name: 'list_datasets', toolUseId: 'l', input: {} },
      ]),
    );
    const decision = await provider(nova).decide(context({ onText: () => {} }));
    expect(decision).toMatchObject({
      kind: 'tool',
      calls: [
        { toolUseId: 'd', input: { datasetId: 'lalonde.csv' } },
        { toolUseId: 'l', input: {} },
      ],
    });
  });
});

describe('bedrockClient', () => {
  it('lets AWS_ENDPOINT_URL_BEDROCK_RUNTIME win over AWS_ENDPOINT_URL', async () => {
    vi.stubEnv('AWS_ENDPOINT_URL', 'http://127.0.0.1:9');
    const own = bedrockClient({
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
    double.push(finalAnswerReply('Reached the double.'));
    try {
      const decision = await createBedrockProvider({ client: own, modelId: nova }).decide(context());
      expect(decision).toMatchObject({ text: 'Reached the double.' });
    } finally {
      own.destroy();
    }
  });

  it('makes one attempt per send, over HTTP/2', async () => {
    expect(await client.config.maxAttempts()).toBe(1);
    expect(client.config.requestHandler.metadata?.handlerProtocol).toBe('h2');
  });
});

describe('converseMessages', () => {
  const claudeModel = modelCapabilities(claude);
  const texts = (message: Message | undefined) => message?.content?.map((block) => block.text);

  it('starts with the user, alternates roles, and pairs each tool call with its result', () => {
    const messages = converseMessages(
      context({
        history: [
          { role: 'assistant', content: 'stray assistant first' },
          { role: 'user', content: 'describe lalonde.csv' },
          { role: 'assistant', content: 'It has 10 columns.' },
        ],
        turns: afterCalls({
          kind: 'tool',
          thinking: 'Looking.',
          calls: [{ toolUseId: 'a', name: 'describe_dataset', input: { datasetId: 'lalonde.csv' } }],
        }),
      }),
      claudeModel,
    );
    expect(messages.map((m) => m.role)).toEqual(['user', 'assistant', 'user', 'assistant', 'user']);
    expect(texts(messages[0])).toEqual(['describe lalonde.csv']);
    expect(messages[2]!.content?.[0]?.text).toContain(
      'Dataset: lalonde.csv\nColumns: treat (boolean), re78 (numeric)',
    );
    expect(messages[3]!.content).toEqual([
      { text: 'Looking.' },
      { toolUse: { toolUseId: 'a', name: 'describe_dataset', input: { datasetId: 'lalonde.csv' } } },
    ]);
    expect(messages[4]!.content).toEqual([
      { toolResult: { toolUseId: 'a', content: [{ text: 'There is no column "re_78".' }], status: 'error' } },
    ]);
  });

  it('answers a call the agent never ran, and turns a result without a call into text', () => {
    const messages = converseMessages(
      context({
        history: [],
        turns: [
          { kind: 'tool', turn: 0, toolUseId: 'orphan', name: 'profile', ok: true, observation: '{"n":1}' },
          {
            kind: 'model',
            turn: 1,
            decision: { kind: 'tool', calls: [{ toolUseId: 'b', name: 'profile', input: {} }] },
          },
        ],
      }),
      modelCapabilities(llama),
    );
    expect(messages[0]!.content?.map((block) => block.text)).toEqual([
      expect.stringContaining('effect of treat'),
      'An earlier tool result: {"n":1}',
    ]);
    expect(messages.at(-1)).toEqual({
      role: 'user',
      content: [{ toolResult: { toolUseId: 'b', content: [{ text: 'This call was not run.' }] } }],
    });
  });

  it('merges neighbouring messages of the same role and replays a final answer as text', () => {
    const messages = converseMessages(
      context({
        history: [
          { role: 'user', content: 'one' },
          { role: 'user', content: 'two' },
        ],
        request: { text: 'three', intent: 'refusal' },
        turns: [{ kind: 'model', turn: 0, decision: { kind: 'final', text: 'Done.' } }],
      }),
      claudeModel,
    );
    expect(messages).toEqual([
      { role: 'user', content: [{ text: 'one' }, { text: 'two' }, { text: 'three' }] },
      { role: 'assistant', content: [{ text: 'Done.' }] },
    ]);
  });
});

describe('replaying the transcript', () => {
  it("marks a working tool's result success and a failed one's error, for the families that take a status", async () => {
    double.push(
      toolReply([
        { name: 'describe_dataset', toolUseId: 'd', input: { datasetId: 'lalonde.csv' } },
        { name: 'profile', toolUseId: 'p', input: { datasetId: 'lalonde.csv' } },
      ]),
      finalAnswerReply('Done.'),
    );
    const bedrock = provider(claude);
    const first = await bedrock.decide(context());
    await bedrock.decide(context({ turn: 1, turns: afterCalls(first) }));
    expect(double.requests.at(-1)?.status).toBe(200);
    expect(
      sent(1)
        .messages?.at(-1)
        ?.content?.map((b) => [b.toolResult?.toolUseId, b.toolResult?.status]),
    ).toEqual([
      ['d', 'error'],
      ['p', 'success'],
    ]);
  });

  it('drops a blank earlier answer, replays a call without input as {}, and puts a stray result beside the last answered call', () => {
    const messages = converseMessages(
      context({
        history: [],
        turns: [
          { kind: 'model', turn: 0, decision: { kind: 'final', text: ' ' } },
          {
            kind: 'model',
            turn: 1,
            decision: {
              kind: 'tool',
              calls: [
                { toolUseId: 'a', name: 'list_datasets', input: undefined },
                { toolUseId: 'b', name: 'profile', input: { datasetId: 'lalonde.csv' } },
              ],
            },
          },
          {
            kind: 'tool',
            turn: 1,
            toolUseId: 'a',
            name: 'list_datasets',
            ok: true,
            observation: '["lalonde.csv"]',
          },
          { kind: 'tool', turn: 0, toolUseId: 'old', name: 'profile', ok: true, observation: '{"n":1}' },
        ],
      }),
      modelCapabilities(claude),
    );
    expect(messages.map((m) => m.role)).toEqual(['user', 'assistant', 'user']);
    expect(messages[1]!.content?.[0]).toEqual({
      toolUse: { toolUseId: 'a', name: 'list_datasets', input: {} },
    });
    expect(messages[2]!.content).toEqual([
      { toolResult: { toolUseId: 'a', content: [{ text: '["lalonde.csv"]' }], status: 'success' } },
      {
        toolResult: {
          toolUseId: 'b',
          content: [{ text: 'This call was not run.' }, { text: 'An earlier tool result: {"n":1}' }],
          status: 'error',
        },
      },
    ]);
  });

  it('on the last step without toolChoice, the note rides inside the last tool result, where Converse allows no text', async () => {
    double.push(describeCall, finalAnswerReply('Done.'));
    const bedrock = provider(llama);
    const first = await bedrock.decide(context());
    await bedrock.decide(context({ turn: 5, turns: afterCalls(first) }));
    expect(double.requests.at(-1)?.status).toBe(200);
    const result = sent(1).messages?.at(-1)?.content?.at(-1)?.toolResult;
    expect(result?.content?.map((part) => part.text)).toEqual([
      'There is no column "re_78".',
      'This is your last step: call final_answer now with what you have found.',
    ]);
  });

  it('on the last step after an earlier answer, the note is a user message of its own', async () => {
    double.push(finalAnswerReply('Done.'));
    const turns: Turn[] = [{ kind: 'model', turn: 0, decision: { kind: 'final', text: 'A first answer.' } }];
    await provider(llama).decide(context({ turn: 5, turns }));
    expect(double.requests.at(-1)?.status).toBe(200);
    expect(sent(0).messages?.slice(-2)).toEqual([
      { role: 'assistant', content: [{ text: 'A first answer.' }] },
      {
        role: 'user',
        content: [{ text: 'This is your last step: call final_answer now with what you have found.' }],
      },
    ]);
  });
});

describe('more replies at the limit and in the stream', () => {
  it('adds cache writes and cache reads across a reply and the one asked again', async () => {
    double.push(
      blankReply({ inputTokens: 10, outputTokens: 0, cacheWriteInputTokens: 40 }),
      finalAnswerReply('Done.', { usage: { inputTokens: 10, outputTokens: 3, cacheReadInputTokens: 40 } }),
    );
    expect(await provider(claude).decide(context())).toMatchObject({
      usage: { inputTokens: 100, outputTokens: 3, cacheReadTokens: 40, cacheWriteTokens: 40 },
    });
  });

  it('a reply cut at the limit before anything is asked again, and fails loudly the second time', async () => {
    double.push(cutReply([]), finalAnswerReply('Short.'));
    expect(await provider(nova).decide(context())).toMatchObject({ kind: 'final', text: 'Short.' });
    expect(lastMessage(1)).toContain('Your last reply was empty');

    double.push(cutReply([]), cutReply([]));
    await expect(provider(nova, { maxTokens: 1000 }).decide(context())).rejects.toThrow(
      new NoAnswerError('The model reached its output limit of 1000 tokens without any answer.'),
    );
  });

  it('a streamed call whose input arrives empty reads as no input', async () => {
    double.push(toolReply([{ name: 'list_datasets', toolUseId: 'l', rawInput: '' }]));
    const decision = await provider(claude).decide(context({ onText: () => {} }));
    expect(decision).toMatchObject({
      kind: 'tool',
      calls: [{ toolUseId: 'l', name: 'list_datasets', input: {} }],
    });
    expect(double.requests.map((r) => r.operation)).toEqual(['converse-stream']);
  });
});

describe('failures outside the API', () => {
  const quickClient = () =>
    bedrockClient({
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      requestTimeoutMs: 100,
    });

  it('a model that stays silent past the request timeout is retried, then answers', async () => {
    const own = quickClient();
    try {
      double.push(hangReply(), finalAnswerReply('After the wait.'));
      const decision = await provider(nova, { client: own }).decide(context());
      expect(decision).toMatchObject({ kind: 'final', text: 'After the wait.' });
      expect(sleeps).toHaveLength(1);

      double.push(hangReply(), hangReply());
      const failure = provider(nova, { client: own, retry: { ...retry(), attempts: 2 } }).decide(context());
      await expect(failure).rejects.toBeInstanceOf(ModelUnavailableError);
      await expect(failure).rejects.toMatchObject({
        code: 'TimeoutError',
        message: 'Stream timed out because of no activity for 100 ms',
      });
    } finally {
      own.destroy();
    }
  });

  it('an endpoint that refuses the connection is retried, then fails saying Bedrock could not be reached', async () => {
    const closed = await startBedrockDouble();
    await closed.close();
    vi.stubEnv('AWS_ENDPOINT_URL_BEDROCK_RUNTIME', closed.endpoint);
    const own = bedrockClient({
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
    try {
      const failure = provider(nova, { client: own, retry: { ...retry(), attempts: 3 } }).decide(context());
      await expect(failure).rejects.toBeInstanceOf(ModelUnavailableError);
      await expect(failure).rejects.toThrow(/^Could not reach Bedrock: /);
      expect(sleeps).toHaveLength(2);
    } finally {
      own.destroy();
    }
  });

  it("the step's own signal stops the request, and it is not retried", async () => {
    double.push(hangReply());
    const step = new AbortController();
    const pending = provider(nova).decide(context({ signal: step.signal }));
    await vi.waitFor(() => expect(double.requests).toHaveLength(1));
    step.abort(new Error('InvokeModel ran out of time'));
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
    expect(sleeps).toEqual([]);
    expect(double.requests).toHaveLength(1);
  });

  it("missing credentials fail at once with the SDK's own sentence, before any request", async () => {
    // No credentials anywhere the SDK's chain looks: environment, files, containers, web identity, EC2.
    for (const name of [
      'AWS_ACCESS_KEY_ID',
      'AWS_SECRET_ACCESS_KEY',
      'AWS_SESSION_TOKEN',
      'AWS_PROFILE',
      'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI',
      'AWS_CONTAINER_CREDENTIALS_FULL_URI',
      'AWS_WEB_IDENTITY_TOKEN_FILE',
      'AWS_ROLE_ARN',
    ])
      vi.stubEnv(name, '');
    vi.stubEnv('AWS_SHARED_CREDENTIALS_FILE', '/nonexistent/credentials');
    vi.stubEnv('AWS_CONFIG_FILE', '/nonexistent/config');
    vi.stubEnv('AWS_EC2_METADATA_DISABLED', 'true');
    const own = bedrockClient({ region: 'us-east-1' });
    try {
      await expect(provider(nova, { client: own }).decide(context())).rejects.toMatchObject({
        name: 'CredentialsProviderError',
        message: 'Could not load credentials from any providers',
      });
      expect(sleeps).toEqual([]);
      expect(double.requests).toEqual([]);
    } finally {
      own.destroy();
    }
  });
});

describe('errors from other request handlers (aws-sdk-client-mock)', () => {
  const answered: ConverseCommandOutput = {
    output: {
      message: {
        role: 'assistant',
        content: [{ toolUse: { toolUseId: 'fa', name: 'final_answer', input: { text: 'Done.' } } }],
      },
    },
    stopReason: 'tool_use',
    usage: { inputTokens: 10, outputTokens: 2, totalTokens: 12 },
    metrics: { latencyMs: 1 },
    $metadata: {},
  };

  it('a connection reset on an HTTP/1.1 client (socket hang up) is retried, then answered', async () => {
    const own = new BedrockRuntimeClient({ region: 'us-east-1' });
    const bedrock = mockClient(own);
    try {
      bedrock
        .on(ConverseCommand)
        .rejectsOnce(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }))
        .resolvesOnce(answered);
      expect(await provider(nova, { client: own }).decide(context())).toMatchObject({ text: 'Done.' });
      expect(sleeps).toHaveLength(1);

      bedrock.on(ConverseCommand).rejects(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }));
      await expect(
        provider(nova, { client: own, retry: { ...retry(), attempts: 1 } }).decide(context()),
      ).rejects.toMatchObject({
        name: 'ModelUnavailableError',
        code: 'ECONNRESET',
        message: 'Could not reach Bedrock: socket hang up',
      });
    } finally {
      bedrock.restore();
    }
  });

  it('names the region as unknown when the client cannot say which it is', async () => {
    const own = new BedrockRuntimeClient({
      region: async () => {
        throw new Error('Region is missing');
      },
    });
    const bedrock = mockClient(own);
    try {
      bedrock.on(ConverseCommand).rejects(
        Object.assign(new Error("You don't have access to the model with the specified model ID."), {
          name: 'AccessDeniedException',
        }),
      );
      await expect(provider(nova, { client: own }).decide(context())).rejects.toThrow(
        new ModelRejectedError(
          "No access to model amazon.nova-pro-v1:0 in region unknown: You don't have access to the model with the specified model ID.",
        ),
      );
    } finally {
      bedrock.restore();
    }
  });
});
