import './polyfill';

export * from './bindings';
export * from './concurrency';
export * from './mock-config';
export * from './task-tokens';
