export * from './cancel-execution';
export * from './conclude';
export * from './deps';
export * from './limits';
export * from './rate-limit-settings';
export * from './read-models';
export * from './start-query';
export * from './views';
