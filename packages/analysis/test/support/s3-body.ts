import { Readable } from 'node:stream';
import type { GetObjectCommandOutput } from '@aws-sdk/client-s3';

/** A GetObject body as the SDK hands it over in Node: a readable stream that can also become a string. */
export function s3Body(content: string | Uint8Array): GetObjectCommandOutput['Body'] {
  const bytes = typeof content === 'string' ? Buffer.from(content) : Buffer.from(content);
  return Object.assign(Readable.from([bytes]), {
    transformToString: async (encoding?: string) => bytes.toString((encoding ?? 'utf8') as BufferEncoding),
    transformToByteArray: async () => new Uint8Array(bytes),
    transformToWebStream: () => {
      throw new Error('not used in these tests');
    },
  }) as unknown as GetObjectCommandOutput['Body'];
}
