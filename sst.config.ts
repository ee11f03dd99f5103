/// <reference path="./.sst/platform/config.d.ts" />

/**
 * Cascade on AWS. Each concern lives in stacks/: storage, auth, api, orchestration, web; each
 * returns what the next needs. What every function may touch is declared in
 * stacks/functions.ts and becomes its links and IAM statements (stacks/permissions.ts).
 */
export default $config({
  app(input) {
    return {
      name: 'cascade',
      home: 'aws',
      removal: input?.stage === 'production' ? 'retain' : 'remove',
      protect: input?.stage === 'production',
      providers: { aws: { version: '7.20.0' } },
    };
  },
  async run() {
    const { linksCarryNamesOnly } = await import('./stacks/lambda');
    const { storage } = await import('./stacks/storage');
    const { auth } = await import('./stacks/auth');
    const { gateway, limits, routes } = await import('./stacks/api');
    const { orchestration } = await import('./stacks/orchestration');
    const { site } = await import('./stacks/web');

    linksCarryNamesOnly();
    const data = storage();
    const identity = auth();
    const api = gateway();
    const agent = orchestration({
      storage: data,
      resources: {
        links: {
          ...data.tables,
          Datasets: data.bucket,
          Api: api,
          Auth: identity.link,
          RateLimits: limits(),
        },
        arns: {
          tables: Object.fromEntries(
            Object.entries(data.tables).map(([name, table]) => [name, table.arn]),
          ) as Record<keyof typeof data.tables, $util.Output<string>>,
          bucket: data.bucket.arn,
          api: api.nodes.api.executionArn,
        },
      },
    });
    routes(api, agent.resources);
    const { web } = site({ api, auth: identity, storage: data });

    return {
      web: web.url,
      websocket: api.url,
      region: identity.region,
      userPool: identity.userPool.id,
      userPoolClient: identity.webClient.id,
      datasets: data.bucket.name,
      stateMachine: agent.machine.arn,
    };
  },
});
