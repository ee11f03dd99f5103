import { describe, expect, it } from 'vitest';
import {
  ConflictError,
  NotFoundError,
  PayloadTooLargeError,
  RateLimitedError,
  toProtocolError,
  UnauthorizedError,
  ValidationError,
} from '../src/errors';

describe('toProtocolError', () => {
  it.each([
    [new ValidationError('bad', { field: 'x' }), 'BAD_REQUEST'],
    [new UnauthorizedError('who?'), 'UNAUTHORIZED'],
    [new NotFoundError('gone'), 'NOT_FOUND'],
    [new ConflictError('busy'), 'CONFLICT'],
    [new PayloadTooLargeError('big'), 'PAYLOAD_TOO_LARGE'],
    [new RateLimitedError('slow', 5), 'RATE_LIMITED'],
  ])('maps %o to %s with its own message', (error, code) => {
    expect(toProtocolError(error)).toMatchObject({ code, message: error.message });
  });

  it('keeps the details a domain error carries', () => {
    expect(toProtocolError(new ValidationError('bad', { field: 'payload.content' })).details).toEqual({
      field: 'payload.content',
    });
    expect(toProtocolError(new NotFoundError('gone'))).not.toHaveProperty('details');
  });

  it('turns AWS throttling into RATE_LIMITED', () => {
    const error = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    expect(toProtocolError(error)).toEqual({
      code: 'RATE_LIMITED',
      message: 'The service is busy right now; try again in a few seconds.',
      retryAfterSeconds: 5,
    });
  });

  it('says nothing about internals for anything else', () => {
    const error = new TypeError(
      "Cannot read properties of undefined (reading 'Items') at /var/task/index.js:1",
    );
    const body = toProtocolError(error);
    expect(body).toEqual({
      code: 'INTERNAL',
      message: 'Something went wrong on our side; please try again.',
    });
    expect(toProtocolError('a string')).toEqual(body);
  });

  it('names domain errors after their class', () => {
    expect(new ConflictError('x').name).toBe('ConflictError');
    expect(new RateLimitedError('slow', 5)).toMatchObject({ name: 'RateLimitedError', retryAfterSeconds: 5 });
  });
});
