import type { S3Client } from '@aws-sdk/client-s3';
import { z } from 'zod';
import { AnalysisRequest } from '../analysis';
import { parseS3Uri, readJsonObject } from '../data/s3';
import { BadRequestError } from '../errors';

/** The job document a task's JOB_URI points at: one analysis, and where its full result goes. */
export const Job = z.intersection(AnalysisRequest, z.object({ resultUri: z.string().startsWith('s3://') }));
export type Job = z.infer<typeof Job>;

export async function loadJob(s3: S3Client, jobUri: string | undefined): Promise<Job> {
  if (!jobUri)
    throw new BadRequestError('JOB_URI is not set; it must point at the job document as s3://bucket/key.');
  parseS3Uri(jobUri, 'JOB_URI');
  const parsed = Job.safeParse(await readJsonObject(s3, jobUri));
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path.join('.') || 'the document';
    throw new BadRequestError(`The job document at ${jobUri} is invalid: ${field}: ${issue.message}.`);
  }
  return parsed.data;
}
