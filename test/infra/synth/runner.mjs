// Runs the built SST app (build.ts) under Pulumi's runtime mocks, in a process of its own, and
// prints every resource it registers (type, name, parent, inputs) as one JSON document.
// Usage: node runner.mjs <app.mjs> <platform dir> <output.json>
// Nothing reaches AWS: resources and data-source calls are answered here, and the few calls the
// platform makes to the SST CLI (function builds, the bootstrap bucket) by a local RPC server.
import { mkdirSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const [appPath, platform, outputPath] = process.argv.slice(2).map((arg) => resolve(arg));
const require = createRequire(join(platform, 'package.json'));
const pulumi = require('@pulumi/pulumi');

const region = 'us-east-1';
const account = '123456789012';
const resources = [];
const calls = [];
/** What each function asked the CLI to build: its handler, links, runtime and build properties. */
const builds = [];

const slug = (name) =>
  name
    .replace(/[^A-Za-z0-9-]/g, '')
    .toLowerCase()
    .slice(0, 48);

/** Outputs AWS would compute, shaped like the real ones where the stacks or SST read them. */
function stateOf(type, name, inputs) {
  const physical = inputs.name ?? `${slug(name)}-abc123`;
  const [pkg, module] = type.split(':');
  const service = (module ?? '').split('/')[0];
  const arn = `arn:aws:${service}:${region}:${account}:${slug(name)}`;
  const state = { ...inputs, arn, name: physical };
  switch (type) {
    case 'aws:lambda/function:Function':
      return {
        ...state,
        arn: `arn:aws:lambda:${region}:${account}:function:${physical}`,
        invokeArn: `arn:aws:apigateway:${region}:lambda:path/2015-03-31/functions/arn:aws:lambda:${region}:${account}:function:${physical}/invocations`,
        qualifiedArn: `arn:aws:lambda:${region}:${account}:function:${physical}:$LATEST`,
        version: '$LATEST',
      };
    case 'aws:lambda/layerVersion:LayerVersion':
      return {
        ...state,
        layerArn: `arn:aws:lambda:${region}:${account}:layer:${inputs.layerName}`,
        arn: `arn:aws:lambda:${region}:${account}:layer:${inputs.layerName}:1`,
        version: '1',
      };
    case 'aws:dynamodb/table:Table':
      return { ...state, arn: `arn:aws:dynamodb:${region}:${account}:table/${physical}` };
    case 'aws:s3/bucket:Bucket':
    case 'aws:s3/bucketV2:BucketV2': {
      const bucket = inputs.bucket ?? `${slug(name)}-bucket`;
      return {
        ...state,
        bucket,
        arn: `arn:aws:s3:::${bucket}`,
        bucketRegionalDomainName: `${bucket}.s3.${region}.amazonaws.com`,
      };
    }
    case 'aws:apigatewayv2/api:Api':
      return {
        ...state,
        arn: `arn:aws:apigateway:${region}::/apis/wsapi123`,
        executionArn: `arn:aws:execute-api:${region}:${account}:wsapi123`,
        apiEndpoint: `wss://wsapi123.execute-api.${region}.amazonaws.com`,
      };
    case 'aws:apigatewayv2/stage:Stage':
      return { ...state, invokeUrl: `wss://wsapi123.execute-api.${region}.amazonaws.com/${inputs.name}` };
    case 'aws:sfn/stateMachine:StateMachine':
      return { ...state, arn: `arn:aws:states:${region}:${account}:stateMachine:${physical}` };
    case 'aws:ecs/cluster:Cluster':
      return { ...state, arn: `arn:aws:ecs:${region}:${account}:cluster/${physical}` };
    case 'aws:ecs/taskDefinition:TaskDefinition':
      return { ...state, arn: `arn:aws:ecs:${region}:${account}:task-definition/${inputs.family}:1` };
    case 'aws:iam/role:Role':
      return { ...state, arn: `arn:aws:iam::${account}:role/${physical}` };
    case 'aws:cognito/userPool:UserPool':
      return {
        ...state,
        id: `${region}_Pool12345`,
        arn: `arn:aws:cognito-idp:${region}:${account}:userpool/${region}_Pool12345`,
        endpoint: `cognito-idp.${region}.amazonaws.com/${region}_Pool12345`,
      };
    case 'aws:cloudfront/distribution:Distribution':
      return { ...state, domainName: 'd111111abcdef8.cloudfront.net' };
    case 'random:index/randomBytes:RandomBytes':
      return {
        ...state,
        base64: Buffer.alloc(inputs.length ?? 32, 1).toString('base64'),
        hex: '01'.repeat(inputs.length ?? 32),
      };
    case 'docker-build:index:Image':
      return {
        ...state,
        ref: `${account}.dkr.ecr.${region}.amazonaws.com/sst-asset:${slug(name)}@sha256:${'0'.repeat(64)}`,
        digest: `sha256:${'0'.repeat(64)}`,
      };
    default:
      return pkg === 'aws' || pkg === 'random' || pkg === 'tls' || pkg === 'command' ? state : { ...inputs };
  }
}

/** IAM's JSON for getPolicyDocument's statements, so the tests read every policy the same way. */
function policyJson(inputs) {
  const statement = (inputs.statements ?? []).map((s) => ({
    ...(s.sid && { Sid: s.sid }),
    Effect: s.effect ?? 'Allow',
    ...(s.actions && { Action: s.actions }),
    ...(s.notActions && { NotAction: s.notActions }),
    ...(s.resources && { Resource: s.resources }),
    ...(s.notResources && { NotResource: s.notResources }),
    ...(s.principals && {
      Principal: Object.fromEntries(s.principals.map((p) => [p.type, p.identifiers])),
    }),
    ...(s.conditions && {
      Condition: s.conditions.reduce((all, c) => {
        all[c.test] = { ...all[c.test], [c.variable]: c.values };
        return all;
      }, {}),
    }),
  }));
  const json = JSON.stringify({ Version: '2012-10-17', Statement: statement });
  return { ...inputs, json, minifiedJson: json, id: 'policy' };
}

pulumi.runtime.setMocks(
  {
    newResource({ type, name, inputs, id }) {
      const { id: stateId, ...state } = stateOf(type, name, inputs);
      resources.push({ type, name, inputs });
      // An import id, else what AWS would name it; "" would leave the id unknown.
      return { id: id || stateId || `${slug(name)}-id`, state };
    },
    call({ token, inputs }) {
      calls.push(token);
      switch (token) {
        case 'aws:iam/getPolicyDocument:getPolicyDocument':
          return policyJson(inputs);
        case 'aws:index/getRegion:getRegion':
          return { id: region, name: region, region, endpoint: `ec2.${region}.amazonaws.com` };
        case 'aws:index/getCallerIdentity:getCallerIdentity':
          return { id: account, accountId: account, arn: `arn:aws:iam::${account}:user/ci`, userId: 'CI' };
        case 'aws:index/getPartition:getPartition':
          return {
            id: 'aws',
            partition: 'aws',
            dnsSuffix: 'amazonaws.com',
            reverseDnsPrefix: 'com.amazonaws',
          };
        case 'aws:index/getAvailabilityZones:getAvailabilityZones':
          return {
            id: region,
            names: [`${region}a`, `${region}b`, `${region}c`],
            zoneIds: ['use1-az1', 'use1-az2', 'use1-az3'],
          };
        case 'aws:ecr/getAuthorizationToken:getAuthorizationToken':
          return {
            id: account,
            proxyEndpoint: `https://${account}.dkr.ecr.${region}.amazonaws.com`,
            userName: 'AWS',
            password: 'password',
            authorizationToken: 'token',
          };
        default:
          return { id: token };
      }
    },
  },
  'cascade',
  'ci',
  false,
);

/** The SST CLI's RPC, for what the platform asks it during a deploy. */
const bundles = join(process.env.SYNTH_WORK ?? '/tmp', 'bundles');
const server = http.createServer((request, response) => {
  let body = '';
  request.on('data', (chunk) => {
    body += chunk;
  });
  request.on('end', () => {
    const { method, params } = JSON.parse(body);
    const [args] = params;
    let result;
    let error = null;
    if (method === 'Runtime.Build') {
      builds.push({
        functionID: args.functionID,
        handler: args.handler,
        links: args.links ?? {},
        runtime: args.runtime,
        properties: args.properties ?? {},
      });
      // The real CLI bundles the handler with esbuild (the bundle test does that); a stub will do here.
      const out = join(bundles, args.functionID);
      mkdirSync(out, { recursive: true });
      writeFileSync(join(out, 'bundle.mjs'), 'export const handler = async () => {};\n');
      result = { handler: `bundle.${args.handler.split('.').pop()}`, out, errors: [], sourcemaps: [] };
    } else if (method === 'Provider.Aws.Bootstrap') {
      result = {
        asset: 'sst-asset-bucket',
        assetEcrRegistryId: account,
        assetEcrUrl: `${account}.dkr.ecr.${region}.amazonaws.com/sst-asset`,
        state: 'sst-state-bucket',
        appsyncHttp: '',
        appsyncRealtime: '',
      };
    } else if (method === 'Provider.Aws.Appsync') {
      // `sst dev`'s live bridge.
      result = {
        http: 'https://bridge.appsync-api.test/event',
        realtime: 'wss://bridge.appsync-realtime-api.test/event',
      };
    } else if (method === 'Runtime.AddTarget') {
      builds.push({ functionID: args.functionID, handler: args.handler, links: args.links ?? {}, dev: true });
      result = {};
    } else {
      error = `rpc: can't find method ${method}`;
    }
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ id: 0, result, error }));
  });
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
process.env.SST_SERVER = `http://127.0.0.1:${server.address().port}`;

const started = Date.now();
let outputs;
let failure;
try {
  const { synth } = await import(pathToFileURL(appPath).href);
  outputs = await pulumi.runtime.runInPulumiStack(synth);
  // Components create resources inside apply() callbacks after run() returns; wait until the
  // engine is idle and no resource has been registered for a while.
  let seen = -1;
  for (let quiet = 0; quiet < 5; ) {
    await pulumi.runtime.disconnect();
    await new Promise((resolve) => setTimeout(resolve, 100));
    quiet = resources.length === seen ? quiet + 1 : 0;
    seen = resources.length;
  }
} catch (error) {
  failure = error instanceof Error ? `${error.message}\n${error.stack}` : String(error);
}
server.close();

/** Inputs as plain JSON: outputs resolved by now, assets by their path. */
async function plain(value) {
  if (value === null || value === undefined) return value;
  if (Array.isArray(value)) return Promise.all(value.map(plain));
  if (typeof value === 'object') {
    if (value.__pulumiAsset) return { asset: await value.path };
    if (value.__pulumiArchive) return { archive: await value.path };
    const entries = await Promise.all(Object.entries(value).map(async ([k, v]) => [k, await plain(v)]));
    return Object.fromEntries(entries);
  }
  return value;
}
writeFileSync(
  outputPath,
  JSON.stringify(
    {
      resources: await plain(resources),
      builds,
      calls,
      outputs: (await plain(outputs)) ?? null,
      failure: failure ?? null,
      ms: Date.now() - started,
    },
    null,
    1,
  ),
);
process.exit(failure ? 1 : 0);
