import { describe, expect, it } from 'vitest';
import { parseS3Uri, s3Uri } from '../../src/agent/s3-json';

describe('s3 URIs', () => {
  it('round-trip, and anything else is refused', () => {
    expect(parseS3Uri(s3Uri('b', 'k/e.json'))).toEqual({ bucket: 'b', key: 'k/e.json' });
    expect(() => parseS3Uri('https://x')).toThrow('Not an s3:// URI');
  });
});
