// Starts a worker and never gives it work: the process must still end on its own.
import { startWorker } from '../../src/parallel/worker';

startWorker(new URL('./double-worker.ts', import.meta.url));
console.log('main thread done');
