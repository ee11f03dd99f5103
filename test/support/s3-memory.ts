import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  NoSuchKey,
  NotFound,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';

/** What the SDK's streaming body offers, for the parts callers use. */
function body(bytes: Buffer) {
  return Object.assign(Readable.from([bytes]), {
    transformToString: async (encoding: BufferEncoding = 'utf8') => bytes.toString(encoding),
    transformToByteArray: async () => new Uint8Array(bytes),
  }) as never;
}

interface StoredObject {
  body: Buffer;
  metadata: Record<string, string>;
}

/**
 * S3 as a map, behind aws-sdk-client-mock: Put, Get (with byte ranges), Head and List behave
 * like the service for the calls Cascade makes, so handlers can be tested without an emulator.
 */
export function memoryS3() {
  const objects = new Map<string, StoredObject>();
  const id = (bucket?: string, key?: string) => `${bucket}/${key}`;
  const mock = mockClient(S3Client);
  const faults: Error[] = [];
  /** Throws the next injected fault, if any: how tests make S3 misbehave once. */
  const fault = () => {
    const error = faults.shift();
    if (error) throw error;
  };
  const etag = (body: Buffer) => `"${createHash('md5').update(body).digest('hex')}"`;
  const missing = (key?: string) =>
    new NoSuchKey({ $metadata: { httpStatusCode: 404 }, message: `No such key: ${key}` });

  mock.on(PutObjectCommand).callsFake(async (input) => {
    fault();
    const body =
      typeof input.Body === 'string' ? Buffer.from(input.Body) : Buffer.from(input.Body as Uint8Array);
    objects.set(id(input.Bucket, input.Key), { body, metadata: input.Metadata ?? {} });
    return {};
  });
  mock.on(HeadObjectCommand).callsFake(async (input) => {
    fault();
    const object = objects.get(id(input.Bucket, input.Key));
    if (!object) throw new NotFound({ $metadata: { httpStatusCode: 404 }, message: 'NotFound' });
    return { ContentLength: object.body.length, Metadata: object.metadata, ETag: etag(object.body) };
  });
  mock.on(GetObjectCommand).callsFake(async (input) => {
    fault();
    const object = objects.get(id(input.Bucket, input.Key));
    if (!object) throw missing(input.Key);
    const range = /^bytes=(\d+)-(\d+)$/.exec(input.Range ?? '');
    const start = range ? Number(range[1]) : 0;
    const end = range ? Math.min(Number(range[2]), object.body.length - 1) : object.body.length - 1;
    const slice = object.body.subarray(start, end + 1);
    return {
      Body: body(slice),
      ContentLength: slice.length,
      Metadata: object.metadata,
      ...(range && { ContentRange: `bytes ${start}-${end}/${object.body.length}` }),
    };
  });
  mock.on(ListObjectsV2Command).callsFake(async (input) => {
    fault();
    const prefix = `${input.Bucket}/${input.Prefix ?? ''}`;
    const contents = [...objects.entries()]
      .filter(([key]) => key.startsWith(prefix))
      .map(([key, object]) => ({ Key: key.slice(`${input.Bucket}/`.length), Size: object.body.length }))
      .sort((a, b) => a.Key.localeCompare(b.Key));
    return { Contents: contents, KeyCount: contents.length };
  });

  return {
    mock,
    /** The next S3 call fails with this error. */
    failNext(error: Error) {
      faults.push(error);
    },
    put(bucket: string, key: string, body: string | Uint8Array, metadata: Record<string, string> = {}) {
      objects.set(id(bucket, key), { body: Buffer.from(body), metadata });
    },
    json<T>(bucket: string, key: string): T | undefined {
      const object = objects.get(id(bucket, key));
      return object && (JSON.parse(object.body.toString('utf8')) as T);
    },
    keys(prefix = ''): string[] {
      return [...objects.keys()].filter((k) => k.startsWith(prefix)).sort();
    },
  };
}
