export * from './cloud';
export * from './engine';
export { functionArn, localPlaceholders, stepHandlers } from './functions';
export { PortInUseError } from './ports';
export { webServer } from './web';
