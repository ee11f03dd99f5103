export { formatNumber, formatSigned, significant } from '@cascade/core/contract';

/** A share as a whole percentage for reports ("12%"), one decimal below 10 %. */
export const percent = (share: number) => `${(100 * share).toFixed(share < 0.1 ? 1 : 0)}%`;
