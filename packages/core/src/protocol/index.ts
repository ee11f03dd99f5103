export * from './client';
export * from './codes';
export * from './limits';
export { type ParseResult, parseClientMessage } from './parse';
export * from './server';
