import { type TableKey, tables } from '@cascade/core';
import type { Links } from '@cascade/functions/resources';

type TableLinks = Pick<Links, (typeof tables)[TableKey]['name']>;

/** The table links (`Resource.Sessions.name`, …) for the given physical table names. */
export function tableLinks(tableNames: Record<TableKey, string>): TableLinks {
  return Object.fromEntries(
    Object.entries(tables).map(([key, table]) => [table.name, { name: tableNames[key as TableKey] }]),
  ) as TableLinks;
}

/**
 * Gives the handlers running in this process their resources the way SST does on AWS:
 * `SST_RESOURCE_<Name>` variables read by `sst/resource`. Set before any handler runs.
 */
export function provideLinks(links: Links, app: { name: string; stage: string }) {
  process.env.SST_RESOURCE_App = JSON.stringify(app);
  for (const [name, value] of Object.entries(links))
    process.env[`SST_RESOURCE_${name}`] = JSON.stringify(value);
}
