import { describe, expect, it } from 'vitest';
import { operationOf, RequestMeter } from '../src/meter';

const request = (method: string, url: string, headers: Record<string, string> = {}) => ({
  method,
  url,
  headers,
});

describe('the request meter', () => {
  it('names DynamoDB, Step Functions and Cognito operations by their X-Amz-Target', () => {
    expect(
      operationOf(request('POST', '/', { 'x-amz-target': 'DynamoDB_20120810.UpdateItem' }), 'dynamodb'),
    ).toBe('UpdateItem');
    expect(
      operationOf(request('POST', '/', { 'x-amz-target': 'AWSStepFunctions.SendTaskHeartbeat' }), 'states'),
    ).toBe('SendTaskHeartbeat');
  });

  it('names S3 operations by method and path, as S3 does', () => {
    expect(operationOf(request('GET', '/bucket/users/u/a.csv'), 's3')).toBe('GetObject');
    expect(operationOf(request('HEAD', '/bucket/users/u/a.csv'), 's3')).toBe('HeadObject');
    expect(operationOf(request('PUT', '/bucket/jobs/e/i/000.json?x-id=PutObject'), 's3')).toBe('PutObject');
    expect(operationOf(request('DELETE', '/bucket/k'), 's3')).toBe('DeleteObject');
    expect(operationOf(request('GET', '/bucket?list-type=2&prefix=users%2F'), 's3')).toBe('ListObjectsV2');
    expect(operationOf(request('POST', '/bucket?delete'), 's3')).toBe('DeleteObjects');
    expect(operationOf(request('PUT', '/bucket/big.csv?partNumber=1&uploadId=x'), 's3')).toBe(
      'MultipartUpload',
    );
    expect(operationOf(request('PUT', '/bucket'), 's3')).toBe('PUTBucket');
  });

  it('names the management API and Lambda calls', () => {
    expect(operationOf(request('POST', '/local/@connections/abc'), 'execute-api')).toBe('PostToConnection');
    expect(operationOf(request('DELETE', '/local/@connections/abc'), 'execute-api')).toBe('DeleteConnection');
    expect(operationOf(request('POST', '/2015-03-31/functions/f/invocations'), 'lambda')).toBe('Invoke');
  });

  it('adds up counts by key', () => {
    const meter = new RequestMeter();
    meter.count('dynamodb:GetItem');
    meter.count('dynamodb:GetItem');
    meter.count('states:StateTransition', 3);
    expect(meter.snapshot()).toEqual({ 'dynamodb:GetItem': 2, 'states:StateTransition': 3 });
  });
});
