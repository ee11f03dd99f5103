import type { Links } from '../../packages/functions/src/resources';
import { provideLinks as provideSstLinks, tableLinks } from '../../packages/local/src/links';
import type { TestDynamo } from './dynamo';

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
