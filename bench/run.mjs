// Runs every benchmark: bench/setup.sh first (reference tools), then each bench/*.bench.* file in turn.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2);
const benches = readdirSync(here)
  .filter((name) => /\.bench\.(mjs|js|ts|mts)$/.test(name))
  .filter((name) => only.length === 0 || only.some((word) => name.includes(word)))
  .sort();

if (existsSync(join(here, 'setup.sh'))) {
  const setup = spawnSync('bash', [join(here, 'setup.sh')], { stdio: 'inherit' });
  if (setup.status !== 0) process.exit(setup.status ?? 1);
}

let failed = 0;
for (const name of benches) {
  console.log(`\n▶ ${name}`);
  const loader = /\.m?ts$/.test(name) ? ['--import', 'tsx'] : [];
  const result = spawnSync(process.execPath, [...loader, join(here, name)], { stdio: 'inherit' });
  if (result.status !== 0) {
    failed++;
    console.log(`✗ ${name} exited with ${result.status ?? result.signal}`);
  }
}
process.exit(failed > 0 ? 1 : 0);
