import { invokeModel } from '@cascade/core/agent/steps/invoke-model';
import { itemStep } from './handler';

/** InvokeModel: the provider chooses the next tool call or the final answer. */
export const handler = itemStep(invokeModel);
