import { describe, expect, it } from 'vitest';
import { trimHistory } from '../../../src/agent/steps/history';

describe('what a model is sent', () => {
  it('trims the conversation: long answers cut with a note, oldest messages dropped first, blanks left out', () => {
    const long = 'x'.repeat(5_000);
    const messages = [
      { role: 'user' as const, content: 'oldest question' },
      { role: 'assistant' as const, content: long },
      { role: 'user' as const, content: 'second question' },
      { role: 'assistant' as const, content: '   ' },
      { role: 'user' as const, content: 'latest question' },
    ];
    const trimmed = trimHistory(messages, { messageChars: 4_000, totalChars: 4_050 });
    expect(trimmed.map((m) => m.content.slice(0, 15))).toEqual(['second question', 'latest question']);
    const roomy = trimHistory(messages);
    expect(roomy).toHaveLength(4);
    expect(roomy[1]!.content).toMatch(/^x{4000}\n\n\(…the rest of this message is left out\)$/);
  });
});
