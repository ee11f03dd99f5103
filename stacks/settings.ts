import { type AgentSettings, agentSettings as readAgentSettings } from '@cascade/core/agent-settings';

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

/** Where the sample datasets and their catalog live (the analysis package); seeded into samples/. */
export const samplesDirectory = 'packages/analysis/datasets';
