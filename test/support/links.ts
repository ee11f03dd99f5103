import type { Links } from '../../packages/functions/src/resources';
import type { TestDynamo } from './dynamo';

/**
 * Gives handlers their links the way SST does, through `SST_RESOURCE_<Name>` variables, and
 * points their DynamoDB client at the test tables. Call before the first handler runs: SST reads
 * the variables once.
 */
export function provideLinks(
  dynamo: TestDynamo,
  rest: Omit<Links, 'Sessions' | 'Messages' | 'Executions' | 'Items' | 'Connections' | 'Locks'>,
): Links {
  process.env.AWS_ENDPOINT_URL_DYNAMODB = dynamo.endpoint;
  const links: Links = {
    Sessions: { name: dynamo.tableNames.sessions },
    Messages: { name: dynamo.tableNames.messages },
    Executions: { name: dynamo.tableNames.executions },
    Items: { name: dynamo.tableNames.items },
    Connections: { name: dynamo.tableNames.connections },
    Locks: { name: dynamo.tableNames.locks },
    ...rest,
  };
  process.env.SST_RESOURCE_App = JSON.stringify({ name: 'cascade', stage: 'test' });
  for (const [name, value] of Object.entries(links))
    process.env[`SST_RESOURCE_${name}`] = JSON.stringify(value);
  return links;
}
