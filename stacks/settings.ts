import {
  type AgentSettings,
  agentSettings as readAgentSettings,
  SettingsError,
} from '@cascade/core/agent-settings';
import { type RateLimits, rateLimitsFrom } from '@cascade/core/rate-limits';

/**
 * Settings read from the environment of `sst deploy` / `sst dev` (no secrets: a model id and an
 * endpoint are configuration; an OpenAI-compatible endpoint's key is the ModelApiKey secret).
 * The same reading `npm start` does, so both refuse a setting that cannot work, with one sentence.
 */
export type { AgentSettings };

/** Deploy-time settings: Bedrock unless CASCADE_AGENT_PROVIDER says otherwise. */
export function agentSettings(env: Record<string, string | undefined> = process.env): AgentSettings {
  return readAgentSettings(env, 'bedrock');
}

/** Deploy-time rate limits (CASCADE_LIMIT_*), the same reading `npm start` does; the RateLimits link carries them. */
export function rateLimits(env: Record<string, string | undefined> = process.env): RateLimits {
  return rateLimitsFrom(env);
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
