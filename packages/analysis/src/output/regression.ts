import type { RegressionResult } from '@cascade/core/contract';
import type { ItemOutput } from '@cascade/core/protocol';

/** PLACEHOLDER: being written; not to be committed. */
export function regressionOutput(result: RegressionResult): ItemOutput {
  return { text: result.tool };
}
