import type { ServerMessageOf } from '@cascade/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type BedrockDouble,
  errorReply,
  finalAnswerReply,
  startBedrockDouble,
  toolReply,
} from '../support/bedrock-double';
import { connectedSuite } from './connected-suite';
import { askQuestion } from './harness';

/**
 * Bedrock behind the whole local cloud, as `CASCADE_AGENT_PROVIDER=bedrock npm start` runs it with
 * a Bedrock-compatible gateway: the model is a scripted double of Converse over HTTP/2 that
 * enforces the API's rules for the model's family, so every request must be one Bedrock accepts.
 */

describe('Bedrock through the local cloud, at the endpoint AWS_ENDPOINT_URL_BEDROCK_RUNTIME names', () => {
  let bedrock: BedrockDouble;
  const before = process.env.AWS_ENDPOINT_URL_BEDROCK_RUNTIME;
  const modelId = 'us.amazon.nova-pro-v1:0';

  beforeAll(async () => {
    bedrock = await startBedrockDouble();
    // The local cloud points AWS_ENDPOINT_URL at its emulators; the service's own variable wins.
    process.env.AWS_ENDPOINT_URL_BEDROCK_RUNTIME = bedrock.endpoint;
  });
  afterAll(async () => {
    await bedrock?.close();
    if (before === undefined) delete process.env.AWS_ENDPOINT_URL_BEDROCK_RUNTIME;
    else process.env.AWS_ENDPOINT_URL_BEDROCK_RUNTIME = before;
  });
  // Registered after the double's hooks: starts once it listens, stops before it closes.
  const suite = connectedSuite({
    agent: { provider: 'bedrock', modelId, maxSteps: 6, maxOutputTokens: 4096 },
  });

  it('answers with the tools Nova calls, streaming the answer, with every request valid for Nova', async () => {
    const answer = 'lalonde.csv has **445 rows**: 185 treated and 260 controls.';
    bedrock.push(
      toolReply(
        [
          { name: 'describe_dataset', input: { datasetId: 'lalonde.csv' } },
          { name: 'list_datasets', input: {} },
        ],
        { usage: { inputTokens: 2100, outputTokens: 70 } },
      ),
      finalAnswerReply(answer, {
        usage: { inputTokens: 3000, outputTokens: 40, cacheReadInputTokens: 2000 },
      }),
    );
    const { ack, response } = await askQuestion(suite.client, 'how many rows does lalonde.csv have?');
    // Converse counts cache reads apart from inputTokens; the run's input is the whole prompt.
    expect(response).toMatchObject({
      status: 'SUCCEEDED',
      answeredBy: { provider: 'bedrock', model: modelId },
      usage: { inputTokens: 7100, outputTokens: 110, modelCalls: 2, cacheReadTokens: 2000 },
      items: [{ output: { text: answer } }],
    });
    expect(bedrock.requests.map((r) => [r.operation, r.modelId, r.status])).toEqual([
      ['converse-stream', modelId, 200],
      ['converse-stream', modelId, 200],
    ]);
    const deltas = suite.client.messages.filter(
      (m): m is ServerMessageOf<'delta'> => m.action === 'delta' && m.executionId === ack.executionId,
    );
    expect(deltas.map((d) => d.text).join('')).toBe(answer);
  });

  it('rides out throttling and a model error, then fails a rejected request at once with its reason', async () => {
    bedrock.push(
      errorReply('ThrottlingException', 'Too many requests, please wait before trying again.'),
      errorReply('ModelErrorException', 'The model returned an error.'),
      finalAnswerReply('churn.csv has 2,000 rows.'),
    );
    const first = await askQuestion(suite.client, 'how many rows does churn.csv have?');
    expect(first.response).toMatchObject({
      status: 'SUCCEEDED',
      items: [{ output: { text: 'churn.csv has 2,000 rows.' } }],
    });

    const before = bedrock.requests.length;
    bedrock.push(errorReply('ValidationException', 'A conversation must start with a user message.'));
    const second = await askQuestion(suite.client, 'how many rows does lalonde.csv have?');
    expect(second.response).toMatchObject({ status: 'FAILED' });
    expect(second.response.items[0]!.error).toBe(
      'The model rejected the request: A conversation must start with a user message.',
    );
    expect(bedrock.requests.length - before).toBe(1);
  });

  it('fails the item at once, naming the model and region, when the account has no access to it', async () => {
    bedrock.push(
      errorReply('AccessDeniedException', "You don't have access to the model with the specified model ID."),
    );
    const { response } = await askQuestion(suite.client, 'how many rows does churn.csv have?');
    expect(response).toMatchObject({ status: 'FAILED' });
    expect(response.items[0]!.error).toMatch(
      /^No access to model us\.amazon\.nova-pro-v1:0 in region us-east-1/,
    );
    expect(bedrock.remaining()).toBe(0);
  });
});
