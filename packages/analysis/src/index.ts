export { type AnalysisRequest, type AnalysisResult, runAnalysis } from './analysis';
export type { DatabaseOptions } from './data/database';
export { type CatalogEntry, samples, writeSamples } from './datasets/samples';
export type { Balance } from './engines/causal/balance';
export { estimateEffect, estimateFromStudy } from './engines/causal/estimate-effect';
export type { Overlap } from './engines/causal/overlap';
export {
  type EffectResult,
  type EffectSpec,
  type Estimate,
  type Method,
  methods,
} from './engines/causal/types';
export { profileCsv } from './engines/profile/profile';
export type { ColumnProfile, ColumnType, ProfileResult } from './engines/profile/types';
export * from './errors';
export { toItemOutput } from './output/item-output';
export { Job } from './task/job';
export { runTask, type TaskDependencies, type TaskOutcome } from './task/run-task';
