export * from './errors';
export * from './format';
export * from './inputs';
export * from './methods';
export * from './reading';
export * from './results';
export * from './sql';
