import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { RequestListener } from 'node:http';
import { extname, isAbsolute, join, normalize, relative, sep } from 'node:path';

const types: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.map': 'application/json',
};

/**
 * Serves the built web client, and at `/config.json` the endpoints it should talk to, so one
 * build works against any local cloud (ports chosen at start) as well as on AWS.
 */
export function webServer(directory: string, config: Record<string, unknown>): RequestListener | undefined {
  if (!existsSync(join(directory, 'index.html'))) return undefined;
  return async (request, response) => {
    let path: string;
    try {
      path = decodeURIComponent(new URL(request.url ?? '/', 'http://localhost').pathname);
    } catch {
      return response
        .writeHead(400, { 'content-type': 'text/plain' })
        .end('Bad request: a malformed URL escape.');
    }
    if (path === '/config.json') {
      response.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      return response.end(JSON.stringify(config));
    }
    const file = normalize(join(directory, path));
    // A prefix test would also admit siblings such as `site/dist.secret.txt` next to `site/dist`.
    const rel = relative(directory, file);
    const within = rel !== '' && rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel);
    const inside = within && existsSync(file) && extname(file) !== '';
    // Anything that is not a file is a client-side route: answer with the app.
    const target = inside ? file : join(directory, 'index.html');
    try {
      const body = await readFile(target);
      response.writeHead(200, {
        'content-type': types[extname(target)] ?? 'application/octet-stream',
        'cache-control': target.includes('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache',
      });
      response.end(body);
    } catch {
      response.writeHead(404).end();
    }
  };
}
