/** Where the client finds Cognito and the WebSocket API. */
export interface ClientConfig {
  region: string;
  userPoolId: string;
  userPoolClientId: string;
  websocketUrl: string;
  /** Set by the local cloud; absent on AWS, where the SDK uses the regional Cognito endpoint. */
  cognitoEndpoint?: string;
}

type Env = Record<string, string | boolean | undefined>;

function complete(value: Partial<ClientConfig>): value is ClientConfig {
  return Boolean(value.region && value.userPoolId && value.userPoolClientId && value.websocketUrl);
}

/** The build-time settings of a static deploy (no /config.json there). */
export function configFromEnv(env: Env): Partial<ClientConfig> {
  const text = (name: string) =>
    typeof env[name] === 'string' && env[name] ? (env[name] as string) : undefined;
  const config: Partial<ClientConfig> = {
    region: text('VITE_REGION'),
    userPoolId: text('VITE_USER_POOL_ID'),
    userPoolClientId: text('VITE_USER_POOL_CLIENT_ID'),
    websocketUrl: text('VITE_WEBSOCKET_URL'),
  };
  const endpoint = text('VITE_COGNITO_ENDPOINT');
  if (endpoint) config.cognitoEndpoint = endpoint;
  return config;
}

/**
 * Reads `/config.json` (the local cloud serves it with the ports it chose), falling back to the
 * `VITE_*` variables baked in at build time. A static host may answer any path with index.html,
 * so anything that is not a complete JSON config counts as absent.
 */
export async function loadConfig(
  env: Env = import.meta.env,
  fetchConfig: typeof fetch = fetch,
): Promise<ClientConfig> {
  try {
    const response = await fetchConfig('/config.json', { cache: 'no-store' });
    if (response.ok) {
      const served = (await response.json()) as Partial<ClientConfig>;
      if (complete(served)) return served;
    }
  } catch {
    // No config.json: a static deploy.
  }
  const fromEnv = configFromEnv(env);
  if (complete(fromEnv)) return fromEnv;
  throw new Error(
    'This client has no configuration: /config.json is missing and VITE_REGION, VITE_USER_POOL_ID, VITE_USER_POOL_CLIENT_ID and VITE_WEBSOCKET_URL were not set at build time. Start it with `npm start`.',
  );
}
