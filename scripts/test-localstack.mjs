// `npm run test:localstack`: the integration suite against LocalStack mode, or a clear skip.
import { spawn } from 'node:child_process';

const endpoint = process.env.CASCADE_TEST_AWS_ENDPOINT ?? 'http://127.0.0.1:4566';
const answering = await fetch(`${endpoint}/_localstack/health`, { signal: AbortSignal.timeout(3000) }).then(
  (response) => response.ok,
  () => false,
);
if (!answering) {
  console.log(
    `Skipping the LocalStack suite: LocalStack does not answer at ${endpoint}. Start it with \`docker compose up -d\` in localstack/ (see localstack/README.md), or set CASCADE_TEST_AWS_ENDPOINT.`,
  );
  process.exit(0);
}
// One file at a time: every test cloud provisions the same LocalStack resources (tables, bucket,
// functions, state machine), so two files at once would overwrite each other's.
const child = spawn('npx', ['vitest', 'run', '--project', 'integration', '--no-file-parallelism'], {
  stdio: 'inherit',
  env: { ...process.env, CASCADE_TEST_AWS_ENDPOINT: endpoint },
});
child.on('exit', (code) => process.exit(code ?? 1));
