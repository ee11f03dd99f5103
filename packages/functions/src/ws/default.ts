import { route } from './route';

/**
 * `$default`: API Gateway sends here whatever matches no route (bad JSON, unknown actions).
 * The shared parsing answers those with BAD_REQUEST naming the problem.
 */
export const handler = route('$default', async () => undefined);
