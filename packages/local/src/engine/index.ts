import './polyfill';

export * from './bindings';
export * from './mock-config';
export * from './task-tokens';
