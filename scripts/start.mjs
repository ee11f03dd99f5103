// `npm start`: the local cloud, run from its TypeScript source through tsx.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../packages/local/src/cli.ts', import.meta.url));
const child = spawn(process.execPath, ['--import', 'tsx', cli, ...process.argv.slice(2)], {
  stdio: 'inherit',
  env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
});
// Stop signals go to the local cloud, which shuts down its children and exits; this script
// then exits with its code. (A terminal's Ctrl-C reaches both; the cloud stops once.)
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
// npm passes a SIGTERM to its shell, not to this script: when whatever started it goes away,
// stop the cloud as Ctrl-C would (the cloud also watches for this script going away).
const parent = process.ppid;
const watch = setInterval(() => {
  if (process.ppid === parent) return;
  clearInterval(watch);
  child.kill('SIGTERM');
}, 1000);
watch.unref();
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
