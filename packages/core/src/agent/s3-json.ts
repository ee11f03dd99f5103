/** The agent's jobs and results as JSON in S3: one implementation, shared with the analysis task. */
export { getJson, parseS3Uri, putJson, s3Uri } from '../data/s3-json';
