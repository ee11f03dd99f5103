import {
  type AgentSettings,
  agentSettings as readAgentSettings,
  SettingsError,
} from '@cascade/core/agent-settings';
import { type RateLimits, rateLimitsFrom } from '@cascade/core/rate-limits';
import { type SignUpPolicy, signUpPolicyFrom } from '@cascade/core/sign-up-policy';

/**
 * Settings read from the environment of `sst deploy` / `sst dev` (no secrets: a model id and an
 * endpoint are configuration; an OpenAI-compatible endpoint's key is the ModelApiKey secret).
 * The same reading `npm start` does, so both refuse a setting that cannot work, with one sentence.
 */
export type { AgentSettings, SignUpPolicy };

/** Deploy-time settings: Bedrock unless CASCADE_AGENT_PROVIDER says otherwise. */
export function agentSettings(env: Record<string, string | undefined> = process.env): AgentSettings {
  return readAgentSettings(env, 'bedrock');
}

/** Deploy-time rate limits (CASCADE_LIMIT_*), the same reading `npm start` does; the RateLimits link carries them. */
export function rateLimits(env: Record<string, string | undefined> = process.env): RateLimits {
  return rateLimitsFrom(env);
}

/**
 * Whether a stage is protected (CASCADE_PROTECT=true|false; by default only the stage named
 * `production` is): it keeps its tables, bucket and user pool when removed (`removal: retain`),
 * `sst remove` (and `sst dev`) refuse it, and the tables and the user pool have AWS's deletion
 * protection on. Read once, by sst.config.ts's app(); the stacks read the answer from `$app.protect`.
 */
export function protectedStage(
  stage: string | undefined,
  env: Record<string, string | undefined> = process.env,
): boolean {
  const raw = env.CASCADE_PROTECT?.trim().toLowerCase();
  if (!raw) return stage === 'production';
  if (raw === 'true' || raw === 'false') return raw === 'true';
  throw new SettingsError(`CASCADE_PROTECT must be true or false, not "${env.CASCADE_PROTECT}".`);
}

/**
 * Who may create an account (CASCADE_SIGNUP, core's sign-up-policy.ts): invite-only by default on a
 * protected stage, where strangers would otherwise spend Bedrock and Fargate money; open elsewhere.
 */
export function signUpPolicy(
  protect: boolean,
  env: Record<string, string | undefined> = process.env,
): SignUpPolicy {
  return signUpPolicyFrom(env, protect ? 'invite' : 'open');
}

/** Cognito sending its email through the stage's own SES identity rather than its default sender. */
export interface CognitoEmail {
  /** The From header: `no-reply@example.com` or `Cascade <no-reply@example.com>`. */
  from: string;
  /** The verified SES identity (the address or its domain) that sends it. */
  identityArn: string;
}

const sesIdentityArn = /^arn:aws[a-z-]*:ses:[a-z0-9-]+:\d{12}:identity\/([^/\s]+)$/;

/**
 * CASCADE_SES_FROM and CASCADE_SES_IDENTITY_ARN, both or neither; undefined leaves Cognito's default
 * sender, which sends at most 50 emails a day for the whole AWS account. The identity must cover
 * the From address (be that address, its domain or a parent domain), or SES refuses every message.
 */
export function cognitoEmail(
  env: Record<string, string | undefined> = process.env,
): CognitoEmail | undefined {
  const from = env.CASCADE_SES_FROM?.trim();
  const identityArn = env.CASCADE_SES_IDENTITY_ARN?.trim();
  if (!from && !identityArn) return undefined;
  if (!from || !identityArn)
    throw new SettingsError(
      'CASCADE_SES_FROM and CASCADE_SES_IDENTITY_ARN go together: the From address and the ARN of the verified SES identity that sends it.',
    );
  const address = (/<([^<>\s]+@[^<>\s]+)>\s*$/.exec(from)?.[1] ?? from).toLowerCase();
  if (!/^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$/.test(address))
    throw new SettingsError(
      `CASCADE_SES_FROM must be an email address, or a name with one in <>, not "${from}".`,
    );
  const identity = sesIdentityArn.exec(identityArn)?.[1]?.toLowerCase();
  if (!identity)
    throw new SettingsError(
      `CASCADE_SES_IDENTITY_ARN must be an SES identity's ARN (arn:aws:ses:<region>:<account>:identity/<address or domain>), not "${identityArn}".`,
    );
  const domain = address.slice(address.lastIndexOf('@') + 1);
  if (identity !== address && identity !== domain && !domain.endsWith(`.${identity}`))
    throw new SettingsError(
      `CASCADE_SES_IDENTITY_ARN names the identity ${identity}, which does not cover CASCADE_SES_FROM's ${address}: use that address or its domain.`,
    );
  return { from, identityArn };
}

/** Where the sample datasets and their catalog live (the analysis package); seeded into samples/. */
export const samplesDirectory = 'packages/analysis/datasets';

/** Where a deployed model step connects: the OpenAI-compatible endpoint's host and port. */
export interface ModelEndpoint {
  host: string;
  port: number;
  /** The host is an IPv4 address: the security group can name it exactly. */
  address?: string;
}

/**
 * The host and port of CASCADE_MODEL_BASE_URL, for the network rules of the step that calls it.
 * An endpoint on the deploying machine (localhost, 127.x, ::1) is refused: no deployed function
 * can reach it.
 */
export function modelEndpoint(baseUrl: string): ModelEndpoint {
  const url = new URL(baseUrl);
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost') || /^127\./.test(host) || host === '::1')
    throw new SettingsError(
      `CASCADE_MODEL_BASE_URL is ${baseUrl}, on this machine; a deployed function cannot reach it. Name a host the stage's VPC can reach.`,
    );
  if (host.includes(':'))
    throw new SettingsError(
      `CASCADE_MODEL_BASE_URL names an IPv6 address (${host}); the stage's VPC is IPv4 only. Name an IPv4 address or a host name.`,
    );
  const port = url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
  const address = /^\d{1,3}(\.\d{1,3}){3}$/.test(host) ? host : undefined;
  return { host, port, ...(address && { address }) };
}

/**
 * CASCADE_ALARM_EMAIL: who hears of the stage's alarms (SNS asks that address to confirm the
 * subscription once). Unset, the alarms still fire into the topic; subscribe to it later.
 */
export function alarmEmail(env: Record<string, string | undefined> = process.env): string | undefined {
  const email = env.CASCADE_ALARM_EMAIL?.trim();
  if (!email) return undefined;
  if (!/^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$/.test(email))
    throw new SettingsError(`CASCADE_ALARM_EMAIL must be one email address, not "${email}".`);
  return email;
}
