import type { LocalCloud, LocalCloudOptions } from '@cascade/local';
import { afterAll, beforeAll } from 'vitest';
import { type Client, connectNewUser, startTestCloud } from './harness';

/** What a suite shares with its tests: its local cloud and its user's connection, once `beforeAll` has run. */
export interface ConnectedSuite {
  cloud: LocalCloud;
  client: Client;
}

/**
 * The setup most suites share, registered as the enclosing `describe`'s (or file's) hooks: a local
 * cloud of its own and a new user's WebSocket connection before the tests, both closed after.
 * `options` may be a function, for options that an earlier `beforeAll` provides (a model double's
 * address); hooks run in order, and the after hooks in reverse.
 */
export function connectedSuite(
  options: Partial<LocalCloudOptions> | (() => Partial<LocalCloudOptions>) = {},
): ConnectedSuite {
  const suite = {} as ConnectedSuite;
  beforeAll(async () => {
    suite.cloud = await startTestCloud(typeof options === 'function' ? options() : options);
    suite.client = await connectNewUser(suite.cloud);
  });
  afterAll(async () => {
    suite.client?.close();
    await suite.cloud?.stop();
  });
  return suite;
}
