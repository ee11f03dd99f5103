export * from './cloud';
export * from './engine';
export { PortInUseError } from './ports';
