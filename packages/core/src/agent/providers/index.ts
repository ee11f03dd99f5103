import { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { createBedrockProvider } from './bedrock';
import { createRulesPlanner } from './rules';
import type { ModelProvider } from './types';

export * from './bedrock';
export * from './rules';
export * from './types';

export interface ProviderConfig {
  provider: 'bedrock' | 'rules';
  modelId?: string;
}

/** The provider configuration chose. Bedrock needs a model id; the planner needs nothing. */
export function createProvider(config: ProviderConfig, bedrock?: BedrockRuntimeClient): ModelProvider {
  if (config.provider === 'rules') return createRulesPlanner();
  if (!config.modelId) throw new Error('The bedrock provider needs a modelId');
  return createBedrockProvider({ client: bedrock ?? new BedrockRuntimeClient({}), modelId: config.modelId });
}
