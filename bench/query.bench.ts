// query_data's GROUP BY over a seeded 1M-row file against pandas on the same file, in the same run.
// Each side runs in its own process several times, alternating; medians are reported, the load
// (CSV into memory) and the query (the GROUP BY itself) separately. The answers must agree, or
// the bench fails. BENCH_RUNS sets the repetitions (default 5). Target: the query under 1 s.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { queryData } from '@cascade/analysis/engines/query/query-data';
import type { Cell, QueryResult } from '@cascade/core/contract';
import { profileData } from './analysis/data';

const python = '/usr/bin/python3';
const runs = Number(process.env.BENCH_RUNS ?? 5);
const here = (name: string) => fileURLToPath(new URL(`./query/${name}`, import.meta.url));
const targetSeconds = 1;

const sql = `SELECT product, count(*) AS n, avg(x1) AS mean_x1, sum(x2) AS sum_x2, min(x3) AS min_x3,
  max(x4) AS max_x4, stddev_samp(x5) AS sd_x5, median(x6) AS median_x6, count(x9) AS rows_x9
FROM data GROUP BY product ORDER BY product`;

interface Timed {
  loadSeconds: number;
  querySeconds: number;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const run = <T>(command: string, args: string[]) =>
  JSON.parse(execFileSync(command, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })) as T;

console.log('Generating seeded data (cached in the temp directory)…');
const path = await profileData();

const ours: (Timed & { result: QueryResult })[] = [];
const theirs: (Timed & { rows: Cell[][] })[] = [];
for (let i = 0; i < runs; i++) {
  ours.push(run(process.execPath, ['--import', 'tsx', here('query-worker.ts'), path, sql]));
  theirs.push(run(python, [here('groupby.py'), path]));
}

// The whole tool as the task runs it: a child process of its own that loads, locks and queries.
await queryData(path, { sql: 'SELECT 1' }); // builds the child's script once
const isolated: number[] = [];
for (let i = 0; i < runs; i++) {
  const start = performance.now();
  await queryData(path, { sql });
  isolated.push((performance.now() - start) / 1000);
}

const problems: string[] = [];
const result = ours[0]!.result;
const reference = theirs[0]!.rows;
if (result.rows.length !== reference.length)
  problems.push(`${result.rows.length} groups, pandas ${reference.length}`);
for (const [i, row] of reference.entries())
  for (const [j, want] of row.entries()) {
    const got = result.rows[i]?.[j];
    const close =
      typeof want === 'number' && typeof got === 'number'
        ? Math.abs(got - want) <= 1e-9 * Math.max(1, Math.abs(want))
        : got === want;
    if (!close) problems.push(`${row[0]} ${result.columns[j]?.name}: cascade ${got}, pandas ${want}`);
  }

const part = (label: string, cascade: number, pandas: number) =>
  `  ${label.padEnd(22)} cascade ${cascade.toFixed(3)} s   pandas ${pandas.toFixed(3)} s   ratio ${(cascade / pandas).toFixed(2)}×`;
const [load, query] = [median(ours.map((r) => r.loadSeconds)), median(ours.map((r) => r.querySeconds))];
const [readCsv, groupby] = [
  median(theirs.map((r) => r.loadSeconds)),
  median(theirs.map((r) => r.querySeconds)),
];
console.log(
  `GROUP BY product (${result.rowCount} groups, 8 aggregates) over ${path.split('/').at(-1)}, medians of ${runs} alternating runs\n` +
    `${part('load (CSV → memory)', load, readCsv)}\n` +
    `${part('query (engine time)', query, groupby)}   target < ${targetSeconds} s: ${query < targetSeconds ? 'met' : 'missed'}\n` +
    `${part('load + query', load + query, readCsv + groupby)}\n` +
    `  queryData end to end   ${median(isolated).toFixed(3)} s (its own process: start, load, lock, query, answer)`,
);

if (problems.length > 0) {
  console.log(`\nThe answers disagree:\n${problems.map((p) => `  ${p}`).join('\n')}`);
  process.exit(1);
}
console.log('\nEvery group agrees with pandas.');
