#!/usr/bin/env node
// Runs the TypeScript sources directly through tsx, so a fresh clone needs no build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
const code = await main(process.argv.slice(2));
// Task mode ends the process outright: after a cancellation DuckDB may still be mid-query.
if (process.argv[2] === 'task') process.exit(code);
process.exitCode = code;
