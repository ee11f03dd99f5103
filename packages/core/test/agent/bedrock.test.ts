import {
  BedrockRuntimeClient,
  BedrockRuntimeServiceException,
  ConverseCommand,
  type ConverseCommandOutput,
} from '@aws-sdk/client-bedrock-runtime';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import {
  bedrockTools,
  converseMessages,
  createBedrockProvider,
  createProvider,
  decisionFrom,
  type ModelContext,
  toolNames,
} from '../../src';

const client = new BedrockRuntimeClient({ region: 'us-east-1' });
const bedrock = mockClient(client);
afterEach(() => bedrock.reset());

const provider = createBedrockProvider({ client, modelId: 'anthropic.claude-3-5-sonnet' });

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
    { role: 'assistant', content: 'stray assistant first' },
    { role: 'user', content: 'describe lalonde.csv' },
    { role: 'assistant', content: 'It has 10 columns.' },
  ],
  turns: [],
  turn: 0,
  maxSteps: 6,
  ...overrides,
});

/** A Converse response as Bedrock returns it. */
function converse(stopReason: ConverseCommandOutput['stopReason'], content: object[]): ConverseCommandOutput {
  return {
    $metadata: { httpStatusCode: 200 },
    stopReason,
    output: { message: { role: 'assistant', content: content as never } },
    usage: { inputTokens: 512, outputTokens: 48, totalTokens: 560 },
    metrics: { latencyMs: 812 },
  };
}

describe('the Bedrock provider', () => {
  it('sends the tool config built from the tool declarations', async () => {
    bedrock
      .on(ConverseCommand)
      .resolves(
        converse('tool_use', [
          { toolUse: { toolUseId: 'tu1', name: 'describe_dataset', input: { datasetId: 'lalonde.csv' } } },
        ]),
      );
    await provider.decide(context());
    const input = bedrock.commandCalls(ConverseCommand)[0]!.args[0].input;
    expect(input.modelId).toBe('anthropic.claude-3-5-sonnet');
    expect(input.toolConfig?.tools?.map((t) => t.toolSpec?.name)).toEqual(toolNames);
    expect(input.toolConfig?.toolChoice).toEqual({ any: {} });
    const effect = bedrockTools().find((t) => t.toolSpec?.name === 'estimate_effect')!;
    expect(effect.toolSpec?.inputSchema?.json).toMatchObject({
      type: 'object',
      required: ['datasetId', 'treatment', 'outcome'],
      properties: { covariates: { type: 'array' } },
    });
  });

  it('reads a tool_use block as a tool call, keeping any text before it', async () => {
    bedrock.on(ConverseCommand).resolves(
      converse('tool_use', [
        { text: 'I will estimate it.' },
        {
          toolUse: {
            toolUseId: 'tu2',
            name: 'estimate_effect',
            input: { datasetId: 'lalonde.csv', treatment: 'treat', outcome: 're78' },
          },
        },
      ]),
    );
    expect(await provider.decide(context())).toEqual({
      kind: 'tool',
      toolUseId: 'tu2',
      name: 'estimate_effect',
      input: { datasetId: 'lalonde.csv', treatment: 'treat', outcome: 're78' },
      thinking: 'I will estimate it.',
    });
  });

  it('reads final_answer, and a plain end_turn, as the final answer', async () => {
    bedrock
      .on(ConverseCommand)
      .resolvesOnce(
        converse('tool_use', [
          { toolUse: { toolUseId: 'tu3', name: 'final_answer', input: { text: 'The ATE is 1,548.' } } },
        ]),
      )
      .resolvesOnce(converse('end_turn', [{ text: 'Plain answer.' }]));
    expect(await provider.decide(context())).toEqual({
      kind: 'final',
      toolUseId: 'tu3',
      text: 'The ATE is 1,548.',
    });
    expect(await provider.decide(context())).toEqual({ kind: 'final', text: 'Plain answer.' });
  });

  it('keeps a truncated answer and says it was cut short; with no text it is an error', () => {
    expect(decisionFrom(converse('max_tokens', [{ text: 'Partial' }]))).toEqual({
      kind: 'final',
      text: "Partial\n\n_(The answer was cut short: it reached the model's length limit.)_",
    });
    expect(() => decisionFrom(converse('max_tokens', []))).toThrow('ran out of tokens');
  });

  it('reports a guardrail or content filter stop instead of failing', () => {
    expect(decisionFrom(converse('guardrail_intervened', []))).toEqual({
      kind: 'final',
      text: 'The model stopped without an answer (guardrail_intervened).',
    });
    expect(decisionFrom(converse('end_turn', []))).toEqual({
      kind: 'final',
      text: 'The model ended without an answer.',
    });
  });

  it('refuses a tool_use without a tool', () => {
    expect(() => decisionFrom(converse('tool_use', [{ text: 'hmm' }]))).toThrow('without naming it');
  });

  it('lets throttling through, so the state machine retries the step', async () => {
    bedrock.on(ConverseCommand).rejects(
      new BedrockRuntimeServiceException({
        name: 'ThrottlingException',
        $fault: 'client',
        $metadata: { httpStatusCode: 429 },
        message: 'Too many requests',
      }),
    );
    await expect(provider.decide(context())).rejects.toMatchObject({ name: 'ThrottlingException' });
  });

  it('asks for the final answer on the last allowed turn', async () => {
    bedrock
      .on(ConverseCommand)
      .resolves(
        converse('tool_use', [
          { toolUse: { toolUseId: 'x', name: 'final_answer', input: { text: 'done' } } },
        ]),
      );
    await provider.decide(context({ turn: 5 }));
    expect(bedrock.commandCalls(ConverseCommand)[0]!.args[0].input.toolConfig?.toolChoice).toEqual({
      tool: { name: 'final_answer' },
    });
  });
});

describe('converseMessages', () => {
  it('starts with the user, alternates roles, and pairs each tool call with its result', () => {
    const messages = converseMessages(
      context({
        turns: [
          {
            kind: 'model',
            turn: 0,
            decision: {
              kind: 'tool',
              toolUseId: 'a',
              name: 'describe_dataset',
              input: { datasetId: 'lalonde.csv' },
              thinking: 'Looking.',
            },
          },
          {
            kind: 'tool',
            turn: 0,
            toolUseId: 'a',
            name: 'describe_dataset',
            ok: true,
            observation: '{"columns":[]}',
          },
          { kind: 'model', turn: 1, decision: { kind: 'tool', toolUseId: 'b', name: 'profile', input: {} } },
          {
            kind: 'tool',
            turn: 1,
            toolUseId: 'b',
            name: 'profile',
            ok: false,
            observation: 'Invalid arguments',
          },
        ],
      }),
    );
    expect(messages.map((m) => m.role)).toEqual([
      'user',
      'assistant',
      'user',
      'assistant',
      'user',
      'assistant',
      'user',
    ]);
    expect(messages[0]!.content).toEqual([{ text: 'describe lalonde.csv' }]);
    expect(messages[2]!.content?.[0]?.text).toContain(
      'Dataset: lalonde.csv\nColumns: treat (boolean), re78 (numeric)',
    );
    expect(messages[3]!.content).toEqual([
      { text: 'Looking.' },
      { toolUse: { toolUseId: 'a', name: 'describe_dataset', input: { datasetId: 'lalonde.csv' } } },
    ]);
    expect(messages[4]!.content?.[0]?.toolResult).toEqual({
      toolUseId: 'a',
      content: [{ text: '{"columns":[]}' }],
      status: 'success',
    });
    expect(messages[6]!.content?.[0]?.toolResult?.status).toBe('error');
  });

  it('merges neighbouring messages of the same role', () => {
    const messages = converseMessages(
      context({
        history: [
          { role: 'user', content: 'one' },
          { role: 'user', content: 'two' },
        ],
        request: { text: 'three', intent: 'refusal' },
      }),
    );
    expect(messages).toEqual([
      { role: 'user', content: [{ text: 'one' }, { text: 'two' }, { text: 'three' }] },
    ]);
  });

  it('replays a final decision as assistant text', () => {
    const messages = converseMessages(
      context({
        history: [],
        turns: [{ kind: 'model', turn: 0, decision: { kind: 'final', text: 'Done.' } }],
      }),
    );
    expect(messages.at(-1)).toEqual({ role: 'assistant', content: [{ text: 'Done.' }] });
  });
});

describe('createProvider', () => {
  it('builds the provider configuration asks for', () => {
    expect(createProvider({ provider: 'rules' }).name).toBe('rules');
    expect(createProvider({ provider: 'bedrock', modelId: 'm' }, client).name).toBe('bedrock');
    expect(() => createProvider({ provider: 'bedrock' })).toThrow('needs a modelId');
  });
});
