import type { Auth } from './auth';
import type { Storage } from './storage';

/** Vite's dev server, where `sst dev` runs the web client; it may be opened by either name. */
const devOrigin = 'http://localhost:5173';
export const devOrigins = [devOrigin, 'http://127.0.0.1:5173'];

/**
 * The web client: a static Vite build on CloudFront, told at build time where to sign in and
 * connect through its VITE_ settings. The data bucket accepts the browser's presigned PUTs
 * from the site's origin only.
 */
export function site(input: { api: sst.aws.ApiGatewayWebSocket; auth: Auth; storage: Storage }) {
  const { api, auth, storage } = input;
  const web = new sst.aws.StaticSite('Web', {
    path: 'web',
    build: { command: 'npm run build', output: 'dist' },
    environment: {
      VITE_REGION: auth.region,
      VITE_USER_POOL_ID: auth.userPool.id,
      VITE_USER_POOL_CLIENT_ID: auth.webClient.id,
      VITE_WEBSOCKET_URL: api.url,
    },
    // SST writes a declaration of these variables; keep it out of the web package's sources.
    vite: { types: '../.sst/web-env.d.ts' },
    // Under `sst dev`, Vite's dev server (`npm run dev` in web/) is the site.
    dev: { command: 'npm run dev', url: devOrigin },
  });

  const origins = $dev ? devOrigins : web.url.apply((url) => [url]);
  new aws.s3.BucketCorsConfiguration('DatasetsUploadCors', {
    bucket: storage.bucket.name,
    corsRules: [
      {
        allowedMethods: ['PUT'],
        allowedOrigins: origins,
        allowedHeaders: ['content-type'],
        exposeHeaders: ['ETag'],
        maxAgeSeconds: 3600,
      },
    ],
  });

  return { web };
}
