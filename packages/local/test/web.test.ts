import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { createServer, get, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { webServer } from '../src/web';

let server: Server | undefined;
afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

describe('the web server', () => {
  async function serve() {
    const dist = join(await mkdtemp(join(tmpdir(), 'web-')), 'dist');
    await mkdir(join(dist, 'assets'), { recursive: true });
    // A sibling whose name starts with the served folder's: it must never be served.
    await writeFile(`${dist}.secret.txt`, 'secret');
    await writeFile(join(dist, 'index.html'), '<!doctype html><title>Cascade</title>');
    await writeFile(join(dist, 'assets', 'app-abc.js'), 'console.log(1)');
    const handler = webServer(dist, { websocketUrl: 'ws://127.0.0.1:1/local', region: 'us-east-1' })!;
    server = createServer(handler);
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server!.address() as AddressInfo).port}`;
  }

  it('serves the app, its assets with long caching, and /config.json with the endpoints', async () => {
    const base = await serve();
    const index = await fetch(base);
    expect(index.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await index.text()).toContain('<title>Cascade</title>');
    const asset = await fetch(`${base}/assets/app-abc.js`);
    expect(asset.headers.get('cache-control')).toContain('immutable');
    expect(await fetch(`${base}/config.json`).then((r) => r.json())).toEqual({
      websocketUrl: 'ws://127.0.0.1:1/local',
      region: 'us-east-1',
    });
  });

  it('sends text compressed as the browser accepts (brotli, else gzip, else as is), images as they are', async () => {
    const base = await serve();
    const script = 'console.log(1)';
    const raw = (path: string, acceptEncoding?: string) =>
      new Promise<{ headers: IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
        get(
          `${base}${path}`,
          { headers: acceptEncoding ? { 'accept-encoding': acceptEncoding } : {} },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (chunk: Buffer) => chunks.push(chunk));
            res.on('end', () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }));
          },
        ).on('error', reject);
      });
    const br = await raw('/assets/app-abc.js', 'gzip, deflate, br, zstd');
    expect(br.headers).toMatchObject({ 'content-encoding': 'br', vary: 'accept-encoding' });
    expect(brotliDecompressSync(br.body).toString()).toBe(script);
    const gz = await raw('/assets/app-abc.js', 'gzip;q=1.0, br;q=0');
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gz.body).toString()).toBe(script);
    const plain = await raw('/assets/app-abc.js');
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body.toString()).toBe(script);
    expect(Number(plain.headers['content-length'])).toBe(script.length);
    expect((await raw('/', 'br')).headers).toMatchObject({
      'content-encoding': 'br',
      'cache-control': 'no-cache',
    });
  });

  it('answers client-side routes with the app, and never serves files outside its folder', async () => {
    const base = await serve();
    expect(await fetch(`${base}/sessions/abc`).then((r) => r.text())).toContain('<title>Cascade</title>');
    const traversal = await fetch(`${base}/..%2f..%2f..%2fetc%2fpasswd`).then((r) => r.text());
    expect(traversal).toContain('<title>Cascade</title>');
    const sibling = await fetch(`${base}/..%2fdist.secret.txt`).then((r) => r.text());
    expect(sibling).not.toContain('secret');
    expect(sibling).toContain('<title>Cascade</title>');
  });

  it('is absent when the client has not been built', async () => {
    expect(webServer(await mkdtemp(join(tmpdir(), 'empty-')), {})).toBeUndefined();
  });
});
