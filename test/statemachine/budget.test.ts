import { BedrockRuntimeClient, ConverseStreamCommand } from '@aws-sdk/client-bedrock-runtime';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, describe, expect, it } from 'vitest';
import { converseEvents } from '../support/converse-stream';
import { useStateMachineHarness } from './harness';

/** The Bedrock provider, with a mocked model that never stops calling tools. */
const bedrock = mockClient(BedrockRuntimeClient);
const h = useStateMachineHarness({
  provider: 'bedrock',
  modelId: 'anthropic.claude-3-5-sonnet-20240620-v1:0',
  maxSteps: 3,
  maxOutputTokens: 4096,
});
afterAll(() => {
  bedrock.restore();
});

describe('the step budget', () => {
  it('stops a model that never finishes after maxSteps turns and fails only that item', async () => {
    let call = 0;
    bedrock.on(ConverseStreamCommand).callsFake(async () => ({
      stream: converseEvents(
        [
          {
            toolUse: {
              toolUseId: `t${call++}`,
              name: 'describe_dataset',
              input: { datasetId: 'lalonde.csv' },
            },
          },
        ],
        'tool_use',
      ),
    }));
    const { executionId } = await h.run({ content: 'Tell me everything about lalonde.csv' });
    expect((await h.executions.get(executionId))?.status).toBe('FAILED');
    const [item] = await h.items.list(executionId);
    expect(item?.error).toBe('The agent did not reach an answer within 3 steps.');
    expect(bedrock.commandCalls(ConverseStreamCommand)).toHaveLength(3);
    // The last allowed turn asks the model for its answer.
    const last = bedrock.commandCalls(ConverseStreamCommand)[2]!.args[0].input;
    expect(last.toolConfig?.toolChoice).toEqual({ tool: { name: 'final_answer' } });
    // Each turn after the first carries the previous tool results back to the model.
    expect(last.messages?.filter((m) => m.content?.some((c) => c.toolResult))).toHaveLength(2);
  });
});
