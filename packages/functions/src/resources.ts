import type { AgentSettings } from '@cascade/core/agent-settings';
import type { RateLimits } from '@cascade/core/rate-limits';
import { Resource } from 'sst/resource';

/**
 * The resources a handler may be linked to, and what each link carries. SST fills them on AWS
 * and under `sst dev`; the local cloud and tests provide the same through `SST_RESOURCE_<Name>`
 * variables, so no handler knows where it runs.
 */
export interface Links {
  Sessions: { name: string };
  Messages: { name: string };
  Executions: { name: string };
  Items: { name: string };
  Connections: { name: string };
  Locks: { name: string };
  Revocations: { name: string };
  ApiKeys: { name: string };
  Datasets: { name: string };
  AgentStateMachine: { arn: string };
  Api: { managementEndpoint: string };
  Auth: { issuer: string; clientId: string };
  /** The user pool, for its admin API (global sign-out, looking users up). */
  Directory: { userPoolId: string };
  /** How the agent thinks: the provider, its model, and the step budget per item. */
  Agent: AgentSettings;
  /** What one user and one connection may ask (core's chat/limits.ts). */
  RateLimits: RateLimits;
  /** The OpenAI-compatible endpoint's API key (an SST secret; empty when it needs none). */
  ModelApiKey?: { value: string };
  /** The email domains that may sign up (CASCADE_SIGNUP=domains:…), for the pre-sign-up trigger only. */
  SignUp?: { domains: string[] };
}

export function linked<K extends keyof Links>(name: K): Links[K] {
  return (Resource as unknown as Links)[name];
}
