import { append } from '@cascade/core/agent/steps/append';
import { itemStep } from './handler';

/** Append: store the observation; finish the item or loop back to the model. */
export const handler = itemStep(append);
