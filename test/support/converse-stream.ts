import type { ConverseStreamOutput } from '@aws-sdk/client-bedrock-runtime';

type Block = { text: string } | { toolUse: { toolUseId: string; name: string; input: unknown } };

/**
 * ConverseStream's events for a reply, as the SDK hands them over once it has decoded the event
 * stream: for aws-sdk-client-mock, where a test only needs what the model said, not the wire.
 */
export async function* converseEvents(
  content: Block[],
  stopReason: string,
  usage = { inputTokens: 10, outputTokens: 5, totalTokens: 15 },
): AsyncGenerator<ConverseStreamOutput> {
  yield { messageStart: { role: 'assistant' } };
  for (const [contentBlockIndex, block] of content.entries()) {
    if ('text' in block) {
      yield { contentBlockDelta: { contentBlockIndex, delta: { text: block.text } } };
    } else {
      const { toolUseId, name, input } = block.toolUse;
      yield { contentBlockStart: { contentBlockIndex, start: { toolUse: { toolUseId, name } } } };
      yield {
        contentBlockDelta: { contentBlockIndex, delta: { toolUse: { input: JSON.stringify(input) } } },
      };
    }
    yield { contentBlockStop: { contentBlockIndex } };
  }
  yield { messageStop: { stopReason: stopReason as never } };
  yield { metadata: { usage, metrics: { latencyMs: 5 } } };
}
