import type { ServerMessageOf } from '@cascade/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type OpenAiDouble, reply, startOpenAiDouble } from '../support/openai-double';
import { connectedSuite } from './connected-suite';
import { askQuestion } from './harness';

/**
 * A language model behind the whole local cloud, as `CASCADE_AGENT_PROVIDER=openai npm start`
 * runs it: the model is a scripted double of the chat completions API that enforces its rules,
 * so every request the agent sends must be one the real API accepts. (One local cloud per file:
 * its handlers keep their clients for the life of the process, as Lambda's do.)
 */

describe('an OpenAI-compatible model through the local cloud', () => {
  let model: OpenAiDouble;
  beforeAll(async () => {
    model = await startOpenAiDouble({ apiKey: 'sk-local-test', models: ['llama3.1:8b'] });
  });
  afterAll(() => model?.close());
  // Registered after the double's hooks: starts once it listens, stops before it closes.
  const suite = connectedSuite(() => ({
    agent: {
      provider: 'openai',
      baseUrl: model.url,
      modelId: 'llama3.1:8b',
      maxSteps: 6,
      maxOutputTokens: 4096,
    },
    modelApiKey: 'sk-local-test',
  }));

  it('runs the tools the model calls, streams its answer, and reports the provider, model and tokens', async () => {
    model.push(
      reply.toolCalls(
        [
          { name: 'describe_dataset', arguments: { datasetId: 'churn.csv' } },
          { name: 'list_datasets', arguments: {} },
        ],
        { usage: { prompt: 1800, completion: 60 } },
      ),
      reply.content('churn.csv has **12 columns**, among them `plan`, `region` and `churned`.', {
        usage: { prompt: 2600, completion: 30, cached: 1500 },
      }),
    );
    const { ack, response } = await askQuestion(suite.client, 'how many columns does churn.csv have?');

    expect(response).toMatchObject({
      status: 'SUCCEEDED',
      answeredBy: { provider: 'openai', model: 'llama3.1:8b' },
      usage: { inputTokens: 4400, outputTokens: 90, modelCalls: 2, cacheReadTokens: 1500 },
      items: [
        { output: { text: 'churn.csv has **12 columns**, among them `plan`, `region` and `churned`.' } },
      ],
    });
    // The second request answers both calls, and every request carried the key.
    expect(model.requests.map((r) => r.status)).toEqual([200, 200]);
    expect(model.requests.every((r) => r.headers.authorization === 'Bearer sk-local-test')).toBe(true);
    const tools = model.requests[1]!.body.messages.filter((m: { role: string }) => m.role === 'tool');
    expect(tools).toHaveLength(2);
    expect(tools[0].content).toContain('customer_id');
    // The answer arrived as it was written, and the pieces make the whole.
    const deltas = suite.client.messages.filter(
      (m): m is ServerMessageOf<'delta'> => m.action === 'delta' && m.executionId === ack.executionId,
    );
    expect(deltas.length).toBeGreaterThan(0);
    expect(deltas.map((d) => d.text).join('')).toBe(response.items[0]!.output!.text);
  });

  it("fails the item with the endpoint's own reason when the model rejects the request", async () => {
    model.push(reply.error(400, "This model's maximum context length is 8192 tokens."));
    const { response } = await askQuestion(suite.client, 'what is the average monthly fee in churn.csv?');
    expect(response).toMatchObject({ status: 'FAILED' });
    expect(response.items[0]!.error).toMatch(/rejected the request.*maximum context length is 8192 tokens/);
  });
});
