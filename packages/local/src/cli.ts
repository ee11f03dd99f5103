import { existsSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { type RateLimits, rateLimitsFrom } from '@cascade/core';
import { type AgentSettings, agentSettings, SettingsError } from '@cascade/core/agent-settings';
import { type SignUpPolicy, signUpPolicyFrom } from '@cascade/core/sign-up-policy';
import { type LocalCloud, startLocalCloud } from './cloud';
import { BlockedPortError, PortInUseError } from './ports';
import { stepConcurrencyFor } from './stepfunctions/service';

/**
 * `npm start`: the local cloud in the foreground. Ports and the data directory come from the
 * environment (CASCADE_EDGE_PORT, CASCADE_WS_PORT, CASCADE_WEB_PORT, CASCADE_DATA_DIR); the agent
 * uses the offline planner unless CASCADE_AGENT_PROVIDER names a model provider (README, "Models").
 */
const { values } = parseArgs({
  options: {
    fresh: { type: 'boolean', default: false },
    'aws-endpoint': { type: 'string' },
    help: { type: 'boolean', default: false },
  },
  allowPositionals: false,
});

if (values.help) {
  console.log(`Usage: npm start [-- --fresh]

  --fresh                wipe the local cloud's data (.cascade/) before starting
  --aws-endpoint <url>   LocalStack mode: DynamoDB, S3, Lambda and Step Functions from LocalStack
                         at <url>; Cognito, the WebSocket gateway and the task runner stay local

Environment: CASCADE_EDGE_PORT (4566), CASCADE_WS_PORT (4510), CASCADE_WEB_PORT (4600),
CASCADE_DATA_DIR (.cascade), CASCADE_AGENT_PROVIDER (rules | bedrock | openai), CASCADE_MODEL_ID,
CASCADE_MODEL_BASE_URL and CASCADE_MODEL_API_KEY (openai), CASCADE_MAX_OUTPUT_TOKENS (4096),
CASCADE_MAX_STEPS (8), AWS_ENDPOINT_URL_BEDROCK_RUNTIME (a Bedrock-compatible gateway),
CASCADE_SIGNUP (open | invite | domains:<domain,…>; open).`);
  process.exit(0);
}

const root = resolve(import.meta.dirname, '../../..');
const port = (name: string, fallback: number) => {
  const value = process.env[name];
  if (value === undefined || value === '') return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0 || parsed > 65535) {
    console.error(`${name}=${value} is not a port number (0–65535).`);
    process.exit(1);
  }
  return parsed;
};

let agent: AgentSettings;
let rateLimits: RateLimits;
let signUp: SignUpPolicy;
try {
  agent = agentSettings(process.env, 'rules');
  rateLimits = rateLimitsFrom(process.env);
  // Open locally unless asked, so a developer can try a deployment's policy before deploying it.
  signUp = signUpPolicyFrom(process.env, 'open');
  stepConcurrencyFor(process.env);
} catch (error) {
  if (!(error instanceof SettingsError)) throw error;
  console.error(`The local cloud will not start: ${error.message}`);
  process.exit(1);
}

/**
 * Stop requests count from the first moment: one that arrives while the cloud is still starting
 * waits for it to be up, then stops it, so no emulator is left running without its parent.
 */
let cloud: LocalCloud | undefined;
let stopping: Promise<void> | undefined;
let stopCode: number | undefined;
const stop = (code: number) => {
  stopCode ??= code;
  if (!cloud || stopping) return;
  const running = cloud;
  stopping = (async () => {
    console.log('\nStopping the local cloud…');
    await running.stop();
    process.exit(stopCode);
  })();
};
process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));
// The process that started this one went away without telling it (killed, or its terminal
// closed): stop too, rather than hold the ports and the emulators with no one to stop them.
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) stop(0);
}, 1000).unref();

const started = Date.now();
try {
  cloud = await startLocalCloud({
    root,
    ...(process.env.CASCADE_DATA_DIR && { dataDirectory: process.env.CASCADE_DATA_DIR }),
    fresh: values.fresh,
    ...(values['aws-endpoint'] && { awsEndpoint: values['aws-endpoint'] }),
    ports: {
      edge: port('CASCADE_EDGE_PORT', 4566),
      websocket: port('CASCADE_WS_PORT', 4510),
      web: port('CASCADE_WEB_PORT', 4600),
    },
    agent,
    rateLimits,
    signUp,
    ...(process.env.CASCADE_MODEL_API_KEY && { modelApiKey: process.env.CASCADE_MODEL_API_KEY }),
    log: (line) => console.log(line),
  });
} catch (error) {
  console.error(
    error instanceof PortInUseError || error instanceof BlockedPortError
      ? error.message
      : `The local cloud could not start: ${(error as Error).message}`,
  );
  process.exit(1);
}

if (stopCode !== undefined) {
  stop(stopCode);
  await stopping;
}
const e = cloud.endpoints;
const row = (label: string, value: string) => `  ${label.padEnd(16)}${value}`;
console.log(
  [
    '',
    `Cascade local cloud — ready in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    '',
    row(
      'Web client',
      e.webUrl ??
        (existsSync(resolve(root, 'web')) ? 'not built (npm run build -w web)' : 'not part of this checkout'),
    ),
    row('WebSocket', `${e.websocketUrl}?token=<Cognito ID token> (or ?apiKey=<personal API key>)`),
    row('AWS endpoint', `${e.edgeUrl}   (AWS_ENDPOINT_URL for SDKs; --endpoint-url for the AWS CLI)`),
    row('Region', e.region),
    row('User pool', `${e.userPoolId}   app client ${e.userPoolClientId}`),
    row('State machine', e.stateMachineArn),
    row('Bucket', e.bucket),
    row(
      'Agent',
      agent.provider === 'rules'
        ? 'the offline planner (CASCADE_AGENT_PROVIDER=bedrock or openai for a language model)'
        : agent.provider === 'openai'
          ? `openai · ${agent.modelId} at ${agent.baseUrl}`
          : `bedrock · ${agent.modelId}${process.env.AWS_ENDPOINT_URL_BEDROCK_RUNTIME ? ` at ${process.env.AWS_ENDPOINT_URL_BEDROCK_RUNTIME}` : ''}`,
    ),
    ...(e.awsEndpoint
      ? [row('LocalStack', `${e.awsEndpoint}   (DynamoDB, S3, Lambda, Step Functions)`)]
      : []),
    row(
      'Data',
      `${relative(process.cwd(), cloud.dataDirectory) || '.'}/   (npm start -- --fresh or npm run reset wipes it)`,
    ),
    ...(signUp.mode === 'domains'
      ? [row('Sign-up', `only addresses at ${signUp.domains.join(', ')} (CASCADE_SIGNUP)`)]
      : []),
    '',
    ...(signUp.mode === 'invite'
      ? [
          'Sign-up is invite-only (CASCADE_SIGNUP=invite): create a user with',
          `  aws cognito-idp admin-create-user --endpoint-url ${e.edgeUrl} --user-pool-id ${e.userPoolId} --username <email> --message-action SUPPRESS`,
          `  aws cognito-idp admin-set-user-password --endpoint-url ${e.edgeUrl} --user-pool-id ${e.userPoolId} --username <email> --password <password> --permanent`,
          'then sign in with it in the web client. Ctrl-C stops everything.',
        ]
      : [
          'Sign up in the web client (or with `aws cognito-idp sign-up`): the confirmation code is printed',
          'here, as Cognito would email it. Ctrl-C stops everything.',
        ]),
    '',
  ].join('\n'),
);

cloud.onCrash((message) => {
  console.error(message);
  stop(1);
});
