export * from './cloud';
export * from './engine';
export { PortInUseError } from './ports';
export { webServer } from './web';
