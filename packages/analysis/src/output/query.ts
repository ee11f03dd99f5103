import type { QueryResult } from '@cascade/core/contract';
import type { ItemOutput } from '@cascade/core/protocol';

/** PLACEHOLDER: being written; not to be committed. */
export function queryOutput(result: QueryResult): ItemOutput {
  return { text: result.tool };
}
