export * from './connections';
export * from './dynamo';
export * from './executions';
export * from './items';
export * from './locks';
export * from './messages';
export * from './rate-limits';
export * from './sessions';
