import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';

/**
 * JSON documents in S3, for the agent and the analysis task alike. Jobs and results travel as
 * `s3://bucket/key` pointers, never inline.
 */

export interface S3Location {
  bucket: string;
  key: string;
}

export function s3Uri(bucket: string, key: string): string {
  return `s3://${bucket}/${key}`;
}

/** The bucket and key of `s3://bucket/key`; undefined for anything else, so each caller says what it expected. */
export function s3Location(uri: string): S3Location | undefined {
  const match = /^s3:\/\/([^/]+)\/(.+)$/.exec(uri);
  return match ? { bucket: match[1]!, key: match[2]! } : undefined;
}

export function parseS3Uri(uri: string): S3Location {
  const location = s3Location(uri);
  if (!location) throw new Error(`Not an s3:// URI: ${uri}`);
  return location;
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

/** An object's text; undefined when it has no body. */
export async function getText(s3: S3Client, uri: string): Promise<string | undefined> {
  const { bucket, key } = parseS3Uri(uri);
  const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return out.Body?.transformToString('utf-8');
}

export async function getJson<T>(s3: S3Client, uri: string): Promise<T> {
  return JSON.parse((await getText(s3, uri)) ?? 'null') as T;
}
