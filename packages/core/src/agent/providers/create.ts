import type { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { bedrockClient, createBedrockProvider } from './bedrock';
import { createOpenAiProvider } from './openai';
import { createRulesPlanner } from './rules';
import type { AgentSettings } from './settings';
import type { ModelProvider } from './types';

/** The handlers build the Bedrock client themselves, to trace it. */
export { bedrockClient };

export interface ProviderClients {
  bedrock?: BedrockRuntimeClient;
  /** The OpenAI-compatible endpoint's key (deployed: the ModelApiKey secret). */
  apiKey?: string;
  fetch?: typeof fetch;
}

/** The provider the settings chose (see settings.ts), with the clients it needs. */
export function createProvider(settings: AgentSettings, clients: ProviderClients = {}): ModelProvider {
  switch (settings.provider) {
    case 'rules':
      return createRulesPlanner();
    case 'bedrock':
      return createBedrockProvider({
        client: clients.bedrock ?? bedrockClient(),
        modelId: settings.modelId,
        maxTokens: settings.maxOutputTokens,
      });
    case 'openai':
      return createOpenAiProvider({
        baseUrl: settings.baseUrl,
        model: settings.modelId,
        maxTokens: settings.maxOutputTokens,
        // A slow local model writing a long answer, well inside InvokeModel's 300 s.
        requestTimeoutMs: 120_000,
        ...(clients.apiKey && { apiKey: clients.apiKey }),
        ...(clients.fetch && { fetch: clients.fetch }),
      });
  }
}
