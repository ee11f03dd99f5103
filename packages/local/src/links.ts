import type { Links } from '@cascade/functions/resources';

/**
 * Gives the handlers running in this process their resources the way SST does on AWS:
 * `SST_RESOURCE_<Name>` variables read by `sst/resource`. Set before any handler runs.
 */
export function provideLinks(links: Links, app: { name: string; stage: string }) {
  process.env.SST_RESOURCE_App = JSON.stringify(app);
  for (const [name, value] of Object.entries(links))
    process.env[`SST_RESOURCE_${name}`] = JSON.stringify(value);
}
