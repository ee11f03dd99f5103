import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { expect, it } from 'vitest';
import { platform, root, tsc } from './platform';

/**
 * sst.config.ts and stacks/ use SST's globals (`sst`, `aws`, `$interpolate`…), which exist only
 * in the generated platform, so they are checked by the platform's own TypeScript with its
 * tsconfig (stacks/tsconfig.json), not by the repository's typecheck.
 */
it('sst.config.ts and every stack typecheck against the SST platform', () => {
  const result = spawnSync(tsc, ['-p', 'stacks/tsconfig.json', '--listFiles'], {
    cwd: root,
    encoding: 'utf8',
    timeout: 110_000,
  });
  const lines = result.stdout.split('\n').filter(Boolean);
  const errors = lines.filter((line) => /error TS\d+/.test(line));
  expect(errors).toEqual([]);
  expect(result.status).toBe(0);

  // The check covered the config, every stack and SST's global declarations.
  const checked = new Set(lines.map((file) => relative(root, file)));
  const stacks = readdirSync(join(root, 'stacks'))
    .filter((file) => file.endsWith('.ts'))
    .map((file) => `stacks/${file}`);
  expect(stacks.length).toBeGreaterThanOrEqual(8);
  for (const file of ['sst.config.ts', ...stacks, relative(root, join(platform, 'config.d.ts'))])
    expect(checked, file).toContain(file);
});
