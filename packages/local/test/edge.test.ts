import { describe, expect, it } from 'vitest';
import { serviceOf } from '../src/edge/service';
import { frameSizeGuard } from '../src/gateway/frames';

const sigv4 = (service: string) =>
  `AWS4-HMAC-SHA256 Credential=AKID/20261122/us-east-1/${service}/aws4_request, SignedHeaders=host, Signature=abc`;

describe('edge routing', () => {
  it.each([
    [{ headers: { authorization: sigv4('dynamodb') }, url: '/' }, 'dynamodb'],
    [{ headers: { authorization: sigv4('s3') }, url: '/bucket/key' }, 's3'],
    [{ headers: { authorization: sigv4('states') }, url: '/' }, 'states'],
    [{ headers: { authorization: sigv4('execute-api') }, url: '/local/@connections/abc%3D' }, 'execute-api'],
    [
      {
        headers: {},
        url: '/bucket/key?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AK%2F20261122%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Signature=x',
      },
      's3',
    ],
    [
      { headers: { 'x-amz-target': 'AWSCognitoIdentityProviderService.InitiateAuth' }, url: '/' },
      'cognito-idp',
    ],
    [{ headers: { 'x-amz-target': 'DynamoDB_20120810.GetItem' }, url: '/' }, 'dynamodb'],
    [{ headers: { 'x-amz-target': 'AWSStepFunctions.ListExecutions' }, url: '/' }, 'states'],
    [{ headers: {}, url: '/local_abc/.well-known/jwks.json' }, 'cognito-idp'],
    [{ headers: {}, url: '/@connections/abc' }, 'execute-api'],
    [{ headers: {}, url: '/' }, undefined],
    [{ headers: { authorization: sigv4('lambda') }, url: '/' }, 'lambda'],
    [{ headers: { authorization: sigv4('sqs') }, url: '/' }, undefined],
  ])('%j → %s', (request, service) => {
    expect(serviceOf(request as never)).toBe(service);
  });
});

/** A client frame: FIN + text opcode, masked, with the given payload length. */
function frame(length: number): Buffer {
  const header =
    length < 126
      ? Buffer.from([0x81, 0x80 | length])
      : length < 65536
        ? Buffer.from([0x81, 0x80 | 126, length >> 8, length & 0xff])
        : Buffer.concat([
            Buffer.from([0x81, 0x80 | 127]),
            (() => {
              const b = Buffer.alloc(8);
              b.writeBigUInt64BE(BigInt(length));
              return b;
            })(),
          ]);
  return Buffer.concat([header, Buffer.alloc(4), Buffer.alloc(length)]);
}

describe('frameSizeGuard', () => {
  it('lets frames up to the limit through, across chunk boundaries', () => {
    const oversize: number[] = [];
    const guard = frameSizeGuard(1000, (n) => oversize.push(n));
    const stream = Buffer.concat([frame(10), frame(1000), frame(125), frame(126)]);
    for (let i = 0; i < stream.length; i += 7) guard(stream.subarray(i, i + 7));
    expect(oversize).toEqual([]);
  });

  it('reports the first frame over the limit, whatever length encoding it uses', () => {
    for (const length of [1001, 70_000]) {
      const oversize: number[] = [];
      const guard = frameSizeGuard(1000, (n) => oversize.push(n));
      const stream = Buffer.concat([frame(5), frame(length).subarray(0, 20)]);
      guard(stream.subarray(0, 9));
      guard(stream.subarray(9));
      expect(oversize).toEqual([length]);
    }
  });
});
