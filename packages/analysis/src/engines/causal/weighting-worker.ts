// Run in a worker thread (see parallel/worker.ts): some weighting estimators beside the others.
export { weighting as work } from './weighting';
