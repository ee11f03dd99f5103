// The command line as this process: what bin/cascade-analysis.mjs runs from the sources and the
// task image runs bundled (scripts/build-task.mjs).
import { main } from './main';

const code = await main(process.argv.slice(2));
// Task mode ends the process outright: after a cancellation DuckDB may still be mid-query.
if (process.argv[2] === 'task') process.exit(code);
process.exitCode = code;
