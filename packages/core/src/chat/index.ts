export * from './cancel-execution';
export * from './conclude';
export * from './deps';
export * from './read-models';
export * from './start-query';
export * from './views';
