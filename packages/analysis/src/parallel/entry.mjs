// Worker thread entry: loads TypeScript through tsx (as the bin does), runs the named module's
// `work(data)` and posts back what it returns.
import { parentPort, workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
const { module, data } = workerData;
const { work } = await import(module);
parentPort.postMessage(await work(data));
