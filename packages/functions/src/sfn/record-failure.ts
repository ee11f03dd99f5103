import { recordFailure } from '@cascade/core/agent/steps/record-failure';
import { itemStep } from './handler';

/** The Catch of every item step: the item fails with a readable reason, the batch goes on. */
export const handler = itemStep(recordFailure, { count: () => ({ ItemsFailed: 1 }) });
