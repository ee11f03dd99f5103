import { parseItem } from '@cascade/core';
import { itemStep } from './handler';

/** Parse: the item's question as a structured request. */
export const handler = itemStep(parseItem);
