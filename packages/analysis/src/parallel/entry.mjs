// Worker thread entry: loads TypeScript through tsx (as the bin does) and the named module, then
// answers one message: it runs the module's `work(data)` and posts back what it returns.
import { parentPort, workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
const { work } = await import(workerData.module);
parentPort.once('message', async (data) => {
  parentPort.postMessage(await work(data));
});
