import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';

/** `s3://bucket/key` ↔ its parts. Jobs and results travel as these pointers, never inline. */
export function s3Uri(bucket: string, key: string): string {
  return `s3://${bucket}/${key}`;
}

export function parseS3Uri(uri: string): { bucket: string; key: string } {
  const match = /^s3:\/\/([^/]+)\/(.+)$/.exec(uri);
  if (!match) throw new Error(`Not an s3:// URI: ${uri}`);
  return { bucket: match[1]!, key: match[2]! };
}

export async function putJson(s3: S3Client, uri: string, value: unknown): Promise<void> {
  const { bucket, key } = parseS3Uri(uri);
  await s3.send(
    new PutObjectCommand({
      Bucket: bucket,
      Key: key,
      Body: JSON.stringify(value),
      ContentType: 'application/json',
    }),
  );
}

export async function getJson<T>(s3: S3Client, uri: string): Promise<T> {
  const { bucket, key } = parseS3Uri(uri);
  const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return JSON.parse((await out.Body?.transformToString('utf-8')) ?? 'null') as T;
}
