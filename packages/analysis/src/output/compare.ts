import type { CompareResult } from '@cascade/core/contract';
import type { ItemOutput } from '@cascade/core/protocol';

/** PLACEHOLDER: being written; not to be committed. */
export function compareOutput(result: CompareResult): ItemOutput {
  return { text: result.tool };
}
