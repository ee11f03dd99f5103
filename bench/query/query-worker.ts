// One query_data in a fresh process, timed in two parts: loading the CSV (with the lock-down) and
// the query itself, which starts when the engine reports its first statement. Prints
// {loadSeconds, querySeconds, result}.
import { queryDataInProcess } from '@cascade/analysis/engines/query/run-query';

const [path, sql] = process.argv.slice(2) as [string, string];
const start = performance.now();
let statement: number | undefined;
const result = await queryDataInProcess(path, { sql }, {}, () => {
  statement ??= performance.now();
});
const end = performance.now();
process.stdout.write(
  JSON.stringify({
    loadSeconds: (statement! - start) / 1000,
    querySeconds: (end - statement!) / 1000,
    result,
  }),
);
