import { type TableKey, tables } from '@cascade/core';
import type { Links } from '@cascade/functions/resources';

type TableLinks = Pick<Links, (typeof tables)[TableKey]['name']>;

/** The table links (`Resource.Sessions.name`, …) for the given physical table names. */
export function tableLinks(tableNames: Record<TableKey, string>): TableLinks {
  return Object.fromEntries(
    Object.entries(tables).map(([key, table]) => [table.name, { name: tableNames[key as TableKey] }]),
  ) as TableLinks;
}

/** What the local cloud's functions are linked to, in either back end. */
export interface LocalResources {
  tableNames: Record<TableKey, string>;
  bucket: string;
  stateMachineArn: string;
  /** Where the notifier posts to connections: the gateway's management API for the stage. */
  managementEndpoint: string;
  auth: Links['Auth'];
  userPoolId: string;
  agent: Links['Agent'];
  rateLimits: Links['RateLimits'];
  /** The OpenAI-compatible endpoint's key, linked as the ModelApiKey secret would be. */
  modelApiKey?: string;
}

/** Every link the functions may have, as SST would fill them on AWS. */
export function localLinks(resources: LocalResources): Links {
  return {
    ...tableLinks(resources.tableNames),
    Datasets: { name: resources.bucket },
    AgentStateMachine: { arn: resources.stateMachineArn },
    Api: { managementEndpoint: resources.managementEndpoint },
    Auth: resources.auth,
    Directory: { userPoolId: resources.userPoolId },
    Agent: resources.agent,
    RateLimits: resources.rateLimits,
    ...(resources.modelApiKey && { ModelApiKey: { value: resources.modelApiKey } }),
  };
}

/** The links as SST hands them to a function: `SST_RESOURCE_<Name>` variables, read by `sst/resource`. */
export function linkVariables(links: Links, app: { name: string; stage: string }): Record<string, string> {
  return {
    SST_RESOURCE_App: JSON.stringify(app),
    ...Object.fromEntries(
      Object.entries(links).map(([name, value]) => [`SST_RESOURCE_${name}`, JSON.stringify(value)]),
    ),
  };
}

/** Gives the handlers running in this process their links, as SST does on AWS. Set before any handler runs. */
export function provideLinks(links: Links, app: { name: string; stage: string }) {
  Object.assign(process.env, linkVariables(links, app));
}
