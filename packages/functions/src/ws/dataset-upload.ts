import { createUpload } from '@cascade/core';
import { route } from './route';

/** `dataset.upload` (extension): a presigned S3 PUT for a CSV or Parquet file of the user's own. */
export const handler = route('dataset.upload', (request, { deps, caller }) =>
  createUpload(deps, caller, request.payload, request.messageId),
);
