import { describe, expect, it } from 'vitest';
import { batchContent, parseBatchFile } from '../src/batch-file';

describe('parseBatchFile', () => {
  it('reads one question per line, with or without an id, skipping blank lines and comments', () => {
    const text =
      '# churn questions\nhow many rows are in churn.csv?\n\nq2: what columns does churn.csv have?\r\n  # indented comment\nwhat is the mean tenure in churn.csv?\n';
    expect(parseBatchFile(text)).toEqual({
      items: [
        { id: 'item-1', input: 'how many rows are in churn.csv?' },
        { id: 'q2', input: 'what columns does churn.csv have?' },
        { id: 'item-3', input: 'what is the mean tenure in churn.csv?' },
      ],
    });
  });

  it('keeps a colon inside a question that does not start with an id', () => {
    expect(parseBatchFile('compare: tenure by churn in churn.csv').items).toEqual([
      { id: 'compare', input: 'tenure by churn in churn.csv' },
    ]);
    expect(parseBatchFile('what is 2:1 odds?').items).toEqual([{ id: 'item-1', input: 'what is 2:1 odds?' }]);
  });

  it('names the line of an id the protocol refuses', () => {
    expect(parseBatchFile('ok: fine\nbad/id: question').problem).toBe(
      'Line 2: the id "bad/id" may use only letters, digits, _ . - (at most 64).',
    );
    expect(parseBatchFile(`${'x'.repeat(65)}: too long an id`).problem).toMatch(/^Line 1: the id/);
  });

  it('names both lines of a repeated id, and an id without a question', () => {
    expect(parseBatchFile('a: one\nb: two\na: three').problem).toBe(
      'Lines 1 and 3 use the same id "a": ids must be unique.',
    );
    expect(parseBatchFile('a:').problem).toBe('Line 1 has an id but no question.');
  });

  it('counts the further problems in the one sentence', () => {
    expect(parseBatchFile('a:\nb:\nc:').problem).toBe(
      'Line 1 has an id but no question (and 2 more problems).',
    );
  });

  it('refuses a file with no questions, one over the item limit and a question over 4,000 characters', () => {
    expect(parseBatchFile('# only a comment\n\n').problem).toBe(
      'The file has no questions: write one per line.',
    );
    expect(parseBatchFile(Array.from({ length: 501 }, (_, i) => `q ${i}`).join('\n')).problem).toBe(
      'The file has 501 questions; a batch may have at most 500.',
    );
    expect(parseBatchFile('y'.repeat(4001)).problem).toBe(
      'Line 1: a question may be at most 4000 characters.',
    );
  });
});

describe('batchContent', () => {
  it("names the batch by its size and first question, as the web client's history shows it", () => {
    expect(
      batchContent([
        { id: 'a', input: 'first?' },
        { id: 'b', input: 'second?' },
      ]),
    ).toBe('Batch of 2 items: first? …');
    expect(batchContent([{ id: 'a', input: 'only?' }])).toBe('Batch of 1 item: only?');
  });
});
