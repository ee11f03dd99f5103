import { describe, expect, it } from 'vitest';
import { answerTextStream, partialAnswerText } from '../../../src/agent/providers/stream-text';

describe('the text of a final_answer call while its arguments stream in', () => {
  it('decodes the text so far, escapes included, and waits for an escape cut in half', () => {
    expect(partialAnswerText('{"te')).toBeUndefined();
    expect(partialAnswerText('{"text": "The mean')).toBe('The mean');
    expect(partialAnswerText('{"text":"a\\nb \\"q\\" \\u00e9')).toBe('a\nb "q" é');
    expect(partialAnswerText('{"text":"tab\\')).toBe('tab');
    expect(partialAnswerText('{"text":"x\\u00')).toBe('x');
    expect(partialAnswerText('{"text":"done", "other": "not this"}')).toBe('done');
  });

  it('emits only what the reader has not seen, however the JSON is cut', () => {
    const json = JSON.stringify({ text: 'Churn is **26.5 %**.\nOn "basic": 31 %.' });
    for (const size of [1, 2, 3, 7, json.length]) {
      const pieces: string[] = [];
      const feed = answerTextStream((delta) => pieces.push(delta));
      for (let at = 0; at < json.length; at += size) feed(json.slice(at, at + size));
      expect(pieces.join(''), `pieces of ${size}`).toBe('Churn is **26.5 %**.\nOn "basic": 31 %.');
    }
  });
});
