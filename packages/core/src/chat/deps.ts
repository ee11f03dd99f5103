import type { UserDirectory } from '../auth/directory';
import type { DatasetCatalog } from '../datasets/catalog';
import type { Notifier } from '../notifier/notifier';
import type { Orchestrator } from '../orchestration/orchestrator';
import type { ApiKeysRepository } from '../repositories/api-keys';
import type { ConnectionsRepository } from '../repositories/connections';
import type { ExecutionsRepository } from '../repositories/executions';
import type { ItemsRepository } from '../repositories/items';
import type { LocksRepository } from '../repositories/locks';
import type { MessagesRepository } from '../repositories/messages';
import type { RevocationsRepository } from '../repositories/revocations';
import type { SessionsRepository } from '../repositories/sessions';
import type { RateLimiter } from './limits';

/** Everything the chat use cases touch, injected so each can be tested against fakes or emulators. */
export interface ChatDeps {
  sessions: SessionsRepository;
  messages: MessagesRepository;
  executions: ExecutionsRepository;
  items: ItemsRepository;
  connections: ConnectionsRepository;
  locks: LocksRepository;
  datasets: DatasetCatalog;
  orchestrator: Orchestrator;
  notifier: Notifier;
  /** Per-user and per-connection limits (limits.ts). */
  limits: RateLimiter;
  revocations: RevocationsRepository;
  apiKeys: ApiKeysRepository;
  /** The user pool's admin side: global sign-out and looking users up. */
  directory: UserDirectory;
}

/** The signed-in caller, as the authorizer established it. */
export interface Caller {
  userId: string;
  tenantId: string;
  email?: string;
  /** How the connection signed in; an API key may not mint keys or end sign-ins. */
  via?: 'token' | 'apiKey';
}

export const runPolicy = {
  /** The state machine's own TimeoutSeconds (statemachines/agent.asl.json): no run lasts longer. */
  timeoutSeconds: 60 * 60,
  /**
   * A session's lock, and a run's place among the user's runs, outlive the longest possible run,
   * so a live run keeps both without renewing them and a crash frees them.
   */
  sessionLockSeconds: 65 * 60,
  defaultMaxConcurrency: 10,
} as const;
