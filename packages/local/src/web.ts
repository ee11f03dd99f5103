import { existsSync, readdirSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import type { IncomingMessage, RequestListener } from 'node:http';
import { extname, isAbsolute, join, normalize, relative, sep } from 'node:path';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';

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

const compressible = new Set(['.html', '.js', '.css', '.json', '.svg', '.map']);
const brotli = promisify(brotliCompress);
const gzipped = promisify(gzip);

type Encoding = 'br' | 'gzip' | 'identity';

/** The best encoding the browser accepts (every current browser takes br over HTTP). */
function encodingFor(request: IncomingMessage): Encoding {
  const accepted = String(request.headers['accept-encoding'] ?? '')
    .split(',')
    .map((part) => part.trim().split(';'))
    .filter(([, q]) => !/^q=0(\.0*)?$/.test(q?.trim() ?? ''))
    .map(([name]) => name!.toLowerCase());
  if (accepted.includes('br')) return 'br';
  if (accepted.includes('gzip')) return 'gzip';
  return 'identity';
}

/**
 * The files' bytes in each encoding, made once per file version: brotli at its highest quality
 * (the bundle is built once and sent many times), gzip for the rest.
 */
function fileCache() {
  const cache = new Map<string, Promise<Buffer>>();
  return async (file: string, encoding: Encoding): Promise<Buffer> => {
    const { mtimeMs, size } = await stat(file);
    const key = `${file}\0${mtimeMs}\0${size}\0${encoding}`;
    let bytes = cache.get(key);
    if (!bytes) {
      bytes = readFile(file).then((body) => {
        if (encoding === 'br')
          return brotli(body, {
            params: {
              [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
              [constants.BROTLI_PARAM_SIZE_HINT]: body.length,
            },
          });
        return encoding === 'gzip' ? gzipped(body, { level: 9 }) : body;
      });
      cache.set(key, bytes);
      bytes.catch(() => cache.delete(key));
    }
    return bytes;
  };
}

/**
 * Serves the built web client, and at `/config.json` the endpoints it should talk to, so one
 * build works against any local cloud (ports chosen at start) as well as on AWS. Text files go
 * out compressed (brotli or gzip, as the browser accepts) and hashed assets are cached for good,
 * as CloudFront serves them deployed.
 */
export function webServer(directory: string, config: Record<string, unknown>): RequestListener | undefined {
  if (!existsSync(join(directory, 'index.html'))) return undefined;
  const bytesOf = fileCache();
  // Compressed while the person signs in, so the first page does not wait for brotli (~1.5 s).
  const assets = join(directory, 'assets');
  const warm = [
    join(directory, 'index.html'),
    ...(existsSync(assets) ? readdirSync(assets).map((name) => join(assets, name)) : []),
  ].filter((file) => compressible.has(extname(file)));
  setImmediate(() => {
    for (const file of warm)
      for (const encoding of ['br', 'gzip'] as const) void bytesOf(file, encoding).catch(() => {});
  });
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
      const encoding = compressible.has(extname(target)) ? encodingFor(request) : 'identity';
      const body = await bytesOf(target, encoding);
      response.writeHead(200, {
        'content-type': types[extname(target)] ?? 'application/octet-stream',
        'content-length': body.length,
        'cache-control': target.includes('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache',
        ...(compressible.has(extname(target)) && { vary: 'accept-encoding' }),
        ...(encoding !== 'identity' && { 'content-encoding': encoding }),
      });
      response.end(request.method === 'HEAD' ? undefined : body);
    } catch {
      response.writeHead(404).end();
    }
  };
}
