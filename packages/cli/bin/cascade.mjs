#!/usr/bin/env node
// Runs the TypeScript sources directly through tsx, so a fresh clone needs no build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/main.ts');
// Writes to pipes, files and terminals are synchronous on Linux and macOS, so nothing is lost.
process.exit(await main(process.argv.slice(2)));
