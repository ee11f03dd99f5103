/**
 * The data bucket's layout, declared once: the stacks grant and expire by these prefixes, the
 * dataset catalog and the agent build their keys with these functions, and the local cloud
 * seeds the samples where the catalog finds them.
 */
export const bucketPrefixes = {
  /** The shared sample datasets, seeded at deploy (and by the local cloud). */
  samples: 'samples/',
  /** Each user's uploads, under `users/<userId>/`. */
  users: 'users/',
  /** An analysis's job for the Fargate task, one per tool call. */
  jobs: 'jobs/',
  /** An analysis's result, written by the task or by Dispatch. */
  results: 'results/',
} as const;

export type BucketPrefix = (typeof bucketPrefixes)[keyof typeof bucketPrefixes];

/** How many days the bucket keeps an object under a prefix that expires (its lifecycle rules). */
export const expiresAfterDays: Partial<Record<BucketPrefix, number>> = {
  [bucketPrefixes.jobs]: 7,
  [bucketPrefixes.results]: 30,
};

/** Where a sample file lives. */
export const sampleKey = (file: string) => `${bucketPrefixes.samples}${file}`;

/** The data dictionary (column aliases for the planner) that sits beside a dataset. */
export const dictionaryKey = (datasetKey: string) => `${datasetKey}.dictionary.json`;

/** The folder of one user's uploads. */
export const userPrefix = (userId: string) => `${bucketPrefixes.users}${userId}/`;

/** An analysis's job and result, by `<executionId>/<itemId>/<turn>`. */
export const jobKey = (analysis: string) => `${bucketPrefixes.jobs}${analysis}.json`;
export const resultKey = (analysis: string) => `${bucketPrefixes.results}${analysis}.json`;
