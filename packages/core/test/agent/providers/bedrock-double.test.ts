import {
  BedrockRuntimeClient,
  ConverseCommand,
  type ConverseCommandInput,
  ConverseStreamCommand,
  type ToolConfiguration,
} from '@aws-sdk/client-bedrock-runtime';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type BedrockDouble,
  errorReply,
  startBedrockDouble,
  textReply,
  toolReply,
} from '../../../../../test/support/bedrock-double';

/** The double is the specification the provider is tested against: these tests pin what it enforces. */

let double: BedrockDouble;
let client: BedrockRuntimeClient;

beforeEach(async () => {
  double = await startBedrockDouble();
  client = new BedrockRuntimeClient({
    endpoint: double.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  });
});

afterEach(async () => {
  client.destroy();
  await double.close();
});

const tools: ToolConfiguration = {
  tools: [{ toolSpec: { name: 'final_answer', inputSchema: { json: { type: 'object' } } } }],
};

const converse = (modelId: string, input: Partial<ConverseCommandInput>) =>
  client.send(
    new ConverseCommand({
      modelId,
      messages: [{ role: 'user', content: [{ text: 'How many rows?' }] }],
      ...input,
    }),
  );

describe('the Bedrock double', () => {
  it('answers Converse over HTTP/2 from its script, with usage', async () => {
    double.push(textReply('42 rows.', { usage: { inputTokens: 12, outputTokens: 3 } }));
    const output = await converse('amazon.nova-pro-v1:0', {});
    expect(output.output?.message?.content).toEqual([{ text: '42 rows.' }]);
    expect(output.usage).toMatchObject({ inputTokens: 12, outputTokens: 3, totalTokens: 15 });
    expect(double.requests).toMatchObject([
      { operation: 'converse', modelId: 'amazon.nova-pro-v1:0', status: 200 },
    ]);
  });

  it('fails a rule the way the service does: a ValidationException with its sentence', async () => {
    await expect(
      converse('mistral.mistral-large-2407-v1:0', {
        toolConfig: { ...tools, toolChoice: { tool: { name: 'final_answer' } } },
      }),
    ).rejects.toMatchObject({
      name: 'ValidationException',
      message:
        "This model doesn't support the toolConfig.toolChoice.tool field. Remove toolConfig.toolChoice.tool and try again.",
      $metadata: { httpStatusCode: 400 },
    });
    expect(double.requests[0]?.status).toBe(400);
  });

  it.each([
    [
      'a blank text block',
      'amazon.nova-pro-v1:0',
      { messages: [{ role: 'user', content: [{ text: ' ' }] }] },
      'is blank',
    ],
    [
      'a system prompt to Mistral 7B',
      'mistral.mistral-7b-instruct-v0:2',
      { system: [{ text: 'Be brief.' }] },
      'system',
    ],
    [
      'toolChoice.any to Llama',
      'meta.llama3-1-70b-instruct-v1:0',
      { toolConfig: { ...tools, toolChoice: { any: {} } } },
      'toolChoice.any',
    ],
    [
      'maxTokens over the family limit',
      'meta.llama3-1-70b-instruct-v1:0',
      { inferenceConfig: { maxTokens: 4096 } },
      'model limit of 2048',
    ],
    [
      'a toolResult status to Mistral',
      'mistral.mistral-large-2407-v1:0',
      {
        toolConfig: tools,
        messages: [
          { role: 'user', content: [{ text: 'Go' }] },
          { role: 'assistant', content: [{ toolUse: { toolUseId: 'a', name: 'final_answer', input: {} } }] },
          {
            role: 'user',
            content: [{ toolResult: { toolUseId: 'a', content: [{ text: 'no' }], status: 'error' } }],
          },
        ],
      },
      'toolResult.status',
    ],
    [
      'a toolUse without its result',
      'anthropic.claude-3-5-sonnet-20240620-v1:0',
      {
        toolConfig: tools,
        messages: [
          { role: 'user', content: [{ text: 'Go' }] },
          {
            role: 'assistant',
            content: [
              { toolUse: { toolUseId: 'a', name: 'final_answer', input: {} } },
              { toolUse: { toolUseId: 'b', name: 'final_answer', input: {} } },
            ],
          },
          { role: 'user', content: [{ toolResult: { toolUseId: 'a', content: [{ text: 'ok' }] } }] },
        ],
      },
      'for the following Ids: b',
    ],
    [
      'text beside tool results',
      'anthropic.claude-3-5-sonnet-20240620-v1:0',
      {
        toolConfig: tools,
        messages: [
          { role: 'user', content: [{ text: 'Go' }] },
          { role: 'assistant', content: [{ toolUse: { toolUseId: 'a', name: 'final_answer', input: {} } }] },
          {
            role: 'user',
            content: [{ toolResult: { toolUseId: 'a', content: [{ text: 'ok' }] } }, { text: 'and?' }],
          },
        ],
      },
      'cannot be provided in the same turn',
    ],
    [
      'roles that do not alternate',
      'amazon.nova-pro-v1:0',
      {
        messages: [
          { role: 'user', content: [{ text: 'one' }] },
          { role: 'user', content: [{ text: 'two' }] },
        ],
      },
      'must alternate',
    ],
  ] as [string, string, Partial<ConverseCommandInput>, string][])(
    'rejects %s',
    async (_, modelId, input, message) => {
      double.push(textReply('unused'));
      await expect(converse(modelId, input)).rejects.toMatchObject({
        name: 'ValidationException',
        message: expect.stringContaining(message),
      });
      expect(double.remaining()).toBe(1);
    },
  );

  it('refuses tools on ConverseStream for a family without streaming tool use', async () => {
    double.push(textReply('unused'));
    const stream = client.send(
      new ConverseStreamCommand({
        modelId: 'meta.llama3-3-70b-instruct-v1:0',
        messages: [{ role: 'user', content: [{ text: 'Go' }] }],
        toolConfig: tools,
      }),
    );
    await expect(stream).rejects.toMatchObject({
      name: 'ValidationException',
      message: "This model doesn't support tool use in streaming mode.",
    });
  });

  it('fails with each scripted service error and its HTTP status', async () => {
    double.push(errorReply('ThrottlingException', 'Too many requests'), errorReply('ModelErrorException'));
    await expect(converse('amazon.nova-lite-v1:0', {})).rejects.toMatchObject({
      name: 'ThrottlingException',
      message: 'Too many requests',
      $metadata: { httpStatusCode: 429 },
    });
    await expect(converse('amazon.nova-lite-v1:0', {})).rejects.toMatchObject({
      name: 'ModelErrorException',
      $metadata: { httpStatusCode: 424 },
    });
  });

  it('streams text and tool input as ConverseStream events', async () => {
    double.push(
      toolReply([{ name: 'final_answer', toolUseId: 'fa', input: { text: 'The mean is 4.2.' } }], {
        text: 'Answering now.',
        usage: { inputTokens: 50, outputTokens: 9, cacheReadInputTokens: 30 },
      }),
    );
    const output = await client.send(
      new ConverseStreamCommand({
        modelId: 'us.anthropic.claude-3-5-sonnet-20240620-v1:0',
        messages: [{ role: 'user', content: [{ text: 'Mean?' }] }],
        toolConfig: tools,
      }),
    );
    const text: string[] = [];
    const input: string[] = [];
    const seen: string[] = [];
    for await (const event of output.stream!) {
      seen.push(Object.keys(event).find((key) => key !== '$unknown')!);
      if (event.contentBlockDelta?.delta?.text) text.push(event.contentBlockDelta.delta.text);
      if (event.contentBlockDelta?.delta?.toolUse?.input)
        input.push(event.contentBlockDelta.delta.toolUse.input);
      if (event.contentBlockStart)
        expect(event.contentBlockStart.start?.toolUse).toEqual({ toolUseId: 'fa', name: 'final_answer' });
      if (event.metadata) expect(event.metadata.usage).toMatchObject({ cacheReadInputTokens: 30 });
    }
    expect(text.join('')).toBe('Answering now.');
    expect(JSON.parse(input.join(''))).toEqual({ text: 'The mean is 4.2.' });
    expect(seen[0]).toBe('messageStart');
    expect(seen.slice(-2)).toEqual(['messageStop', 'metadata']);
  });
});
