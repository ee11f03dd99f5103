import type { ClientAction } from './client';
import type { ServerAction, ServerMessageOf } from './server';

/**
 * The answer each request gets (PROTOCOL.md's table and the README's extensions), echoing the
 * request's messageId, unless the server answers `error`. The routes are typed to return it and
 * clients wait for it, so a new action names its answer here once. `query` is answered with
 * `ack`; its run's events and `response` follow as they happen.
 */
export const answerTo = {
  query: 'ack',
  'sessions.list': 'sessions',
  'session.history': 'history',
  'execution.get': 'execution',
  'execution.trace': 'trace',
  'executions.list': 'executions',
  'execution.cancel': 'execution',
  'datasets.list': 'datasets',
  'dataset.upload': 'upload',
  'key.create': 'key',
  'keys.list': 'keys',
  'key.revoke': 'key',
  'connections.list': 'connections',
  'locks.list': 'locks',
  'signout.everywhere': 'signedOut',
  ping: 'pong',
} as const satisfies Record<ClientAction, ServerAction>;

/** The answer to a request of action `A`. */
export type AnswerTo<A extends ClientAction> = ServerMessageOf<(typeof answerTo)[A]>;
