import { fileURLToPath } from 'node:url';

/**
 * packages/analysis/datasets, where the sample datasets and their catalog are kept: written by
 * `npm run datasets`, read by the tests. (The local cloud and the stacks name it from the repository's root.)
 */
export const samplesDirectory = fileURLToPath(new URL('../../datasets/', import.meta.url));
