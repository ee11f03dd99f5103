import { readdirSync, statSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, relative } from 'node:path';

/** What the infra tests measure built artefacts (the engine layer, the analysis image) with. */

export const KB = 1024;
export const MB = 1024 * KB;

/** Every file under `directory` (no directories), by its path relative to it, sorted. */
export function filesUnder(directory: string): string[] {
  return readdirSync(directory, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(directory, join(entry.parentPath, entry.name)))
    .sort();
}

/** The bytes of the files at `paths` under `directory`. */
export const sizeOf = (directory: string, paths: string[]) =>
  paths.reduce((sum, path) => sum + statSync(join(directory, path)).size, 0);

/** Starts `server` on a free port of 127.0.0.1 and answers its URL. */
export async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}
