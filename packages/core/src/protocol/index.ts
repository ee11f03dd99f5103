export * from './answers';
export * from './client';
export * from './codes';
export * from './dataset-files';
export * from './limits';
export { type ParseResult, parseClientMessage } from './parse';
export * from './server';
