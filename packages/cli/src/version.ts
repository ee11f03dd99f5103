import { createRequire } from 'node:module';

/** This client's version, from its package.json: what the User-Agent and `cascade --version` say. */
export const version: string = (createRequire(import.meta.url)('../package.json') as { version: string })
  .version;
