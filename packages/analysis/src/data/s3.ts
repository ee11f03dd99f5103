import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getText, putJson, type S3Location, s3Location } from '@cascade/core/s3-json';
import { BadRequestError, DataNotFoundError } from '../errors';

export const isS3Uri = (value: string) => value.startsWith('s3://');

/** The bucket and key of an S3 URI the request gave; `what` names it in the sentence if it is malformed. */
export function parseS3Uri(uri: string, what = 'The location'): S3Location {
  const location = s3Location(uri);
  if (!location) throw new BadRequestError(`${what} must look like s3://bucket/key; got "${uri}".`);
  return location;
}

/** An S3 client for the environment: path-style addressing when an endpoint is set, as local emulators need. */
export function createS3Client(env: NodeJS.ProcessEnv = process.env): S3Client {
  return new S3Client({ forcePathStyle: Boolean(env.AWS_ENDPOINT_URL_S3 || env.AWS_ENDPOINT_URL) });
}

function notFound(error: unknown, uri: string): never {
  const name = (error as { name?: string }).name;
  if (name === 'NoSuchKey' || name === 'NotFound' || name === 'NoSuchBucket')
    throw new DataNotFoundError(`There is no object at ${uri}.`, { cause: error });
  if (name === 'AccessDenied' || name === 'Forbidden')
    throw new DataNotFoundError(`Reading ${uri} was denied; check the task's permissions.`, { cause: error });
  throw error;
}

/** Streams an object to a local file, so datasets larger than memory never sit in it. */
export async function downloadObject(s3: S3Client, uri: string, path: string): Promise<void> {
  const { bucket, key } = parseS3Uri(uri, 'The data location');
  const response = await s3
    .send(new GetObjectCommand({ Bucket: bucket, Key: key }))
    .catch((error) => notFound(error, uri));
  const body = response.Body as NodeJS.ReadableStream | undefined;
  const out = createWriteStream(path);
  if (body) {
    body.pipe(out);
    await Promise.race([once(out, 'finish'), once(body, 'error').then(([error]) => Promise.reject(error))]);
  } else {
    out.end();
    await once(out, 'finish');
  }
}

export async function readJsonObject(s3: S3Client, uri: string): Promise<unknown> {
  parseS3Uri(uri);
  const text = (await getText(s3, uri).catch((error) => notFound(error, uri))) ?? '';
  try {
    return JSON.parse(text);
  } catch {
    throw new BadRequestError(`${uri} is not valid JSON.`);
  }
}

export async function writeJsonObject(s3: S3Client, uri: string, value: unknown): Promise<void> {
  parseS3Uri(uri, 'The result location');
  await putJson(s3, uri, value);
}
