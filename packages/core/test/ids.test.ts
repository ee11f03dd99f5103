import { describe, expect, it } from 'vitest';
import { executionIdFor, newSessionIdFor } from '../src';

describe('derived ids', () => {
  it('are stable for the same user and message and differ across users', () => {
    expect(executionIdFor('u1', 'm')).toBe(executionIdFor('u1', 'm'));
    expect(executionIdFor('u1', 'm')).not.toBe(executionIdFor('u2', 'm'));
    expect(newSessionIdFor('u1', 'm')).not.toBe(executionIdFor('u1', 'm'));
    expect(executionIdFor('u1', 'm')).toMatch(/^[0-9a-f-]{36}$/);
  });
});
