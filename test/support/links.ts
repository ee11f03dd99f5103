import type { RateLimits } from '@cascade/core/rate-limits';
import type { Links } from '@cascade/functions/resources';
import { provideLinks as provideSstLinks, tableLinks } from '@cascade/local/links';
import type { TestDynamo } from './dynamo';

/** Limits no test reaches by accident: the suites that test the limits set their own. */
export const unlimited: RateLimits = {
  queriesPerMinute: 100_000,
  concurrentRuns: 100_000,
  messagesPerMinute: 100_000,
  connectionsPerUser: 100_000,
};

/**
 * Gives handlers their links the way SST does, through `SST_RESOURCE_<Name>` variables, and
 * points their DynamoDB client at the test tables. Call before the first handler runs: SST reads
 * the variables once.
 */
export function provideLinks(
  dynamo: TestDynamo,
  rest: Omit<Links, keyof ReturnType<typeof tableLinks>>,
): Links {
  process.env.AWS_ENDPOINT_URL_DYNAMODB = dynamo.endpoint;
  const links: Links = { ...tableLinks(dynamo.tableNames), ...rest };
  provideSstLinks(links, { name: 'cascade', stage: 'test' });
  return links;
}
