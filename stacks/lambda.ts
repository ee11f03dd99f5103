import {
  type LambdaDefinition,
  type LinkName,
  linksOf,
  type TableName,
  tablesOf,
} from '@cascade/functions/definitions';
import { bundling, engineBundling } from './functions';
import { type AppArns, functionStatements, functionTracingStatement } from './permissions';

/**
 * Turns a function's definition (functions.ts) into SST's function arguments: it is linked to
 * exactly the resources its access names, and its role holds exactly the statements
 * permissions.ts derives from that access, plus the one every function needs for its X-Ray trace.
 */

type Linkable = { getSSTLink(): unknown; urn: $util.Output<string> };

/** What functions can be linked to and granted, as far as it exists at the time of the call. */
export interface FunctionResources {
  links: Partial<Record<LinkName, Linkable>>;
  arns: Partial<Omit<AppArns<$util.Input<string>>, 'tables'>> & {
    tables?: Partial<Record<TableName, $util.Input<string>>>;
  };
  /** The engine layer's version ARN, for functions that run the analysis engine. */
  engineLayer?: $util.Input<string>;
}

export const join = (arn: $util.Input<string>, suffix: string): $util.Input<string> =>
  $interpolate`${arn}${suffix}`;

export function functionArgs(
  definition: LambdaDefinition,
  resources: FunctionResources,
): sst.aws.FunctionArgs {
  const links = linksOf(definition.access).map((name) => {
    const link = resources.links[name];
    if (!link) throw new Error(`${definition.handler} needs the ${name} link, which does not exist yet`);
    return link;
  });
  const { access } = definition;
  const needed: (keyof AppArns<unknown>)[] = [
    ...(access.datasets ? (['bucket'] as const) : []),
    ...(access.stateMachine?.length ? (['stateMachine', 'executions'] as const) : []),
    ...(access.notify || access.disconnect ? (['api'] as const) : []),
    ...(access.cognito?.length ? (['userPool'] as const) : []),
    ...(access.agent === 'model' ? (['model'] as const) : []),
  ];
  const missing = [
    ...needed.filter((key) => resources.arns[key] === undefined),
    ...(Object.keys(tablesOf(access)) as TableName[]).filter((name) => !resources.arns.tables?.[name]),
  ];
  if (missing.length > 0)
    throw new Error(`${definition.handler} needs ${missing.join(', ')}, which do not exist yet`);
  const permissions = [
    ...functionStatements(access, resources.arns as AppArns<$util.Input<string>>, join),
    functionTracingStatement,
  ];
  if (definition.engine && !resources.engineLayer)
    throw new Error(`${definition.handler} runs the analysis engine and needs the engine layer`);
  const external = [...bundling.external, ...(definition.engine ? engineBundling.external : [])];
  return {
    handler: definition.handler,
    runtime: bundling.runtime,
    architecture: definition.engine ? engineBundling.architecture : bundling.architecture,
    timeout: definition.timeout,
    memory: definition.memory,
    ...(definition.engine && {
      layers: [resources.engineLayer!],
      // A copy: SST adds its own variables to the object it is given. Under `sst dev` the function
      // runs on the developer's machine, where no layer is unpacked in /opt.
      ...(!$dev && { environment: { ...engineBundling.environment } }),
    }),
    nodejs: {
      format: bundling.format,
      minify: bundling.minify,
      esbuild: { external },
    },
    link: links,
    permissions,
    logging: { retention: '1 month', format: 'json' },
    // Active X-Ray tracing, which SST's Function has no option of its own for: Lambda records each
    // invocation, and the functions' tracer (packages/functions/src/observability.ts) its AWS calls.
    transform: { function: { tracingConfig: { mode: 'Active' } } },
  };
}

/**
 * SST's own links also grant broad permissions (`dynamodb:*` on a linked table, `s3:*` on a
 * linked bucket, every method on `@connections`). Cascade's links carry names only; what a
 * function may do comes from its access (permissions.ts).
 */
export function linksCarryNamesOnly() {
  sst.Linkable.wrap(sst.aws.Dynamo, (table) => ({ properties: { name: table.name } }));
  sst.Linkable.wrap(sst.aws.Bucket, (bucket) => ({ properties: { name: bucket.name } }));
  sst.Linkable.wrap(sst.aws.ApiGatewayWebSocket, (api) => ({
    properties: { url: api.url, managementEndpoint: api.managementEndpoint },
  }));
}
