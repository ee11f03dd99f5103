import { createServer } from 'node:net';

/** A port already taken, with the variable that moves it: the sentence a newcomer needs. */
export class PortInUseError extends Error {
  override name = 'PortInUseError';
  constructor(
    readonly port: number,
    readonly variable: string,
  ) {
    super(
      `Port ${port} on 127.0.0.1 is already in use. Stop whatever holds it, or choose another port with ${variable}=<port>.`,
    );
  }
}

/**
 * The ports the Fetch standard blocks ("bad ports"): Node's fetch and every browser refuse them,
 * so a local cloud there would fail every sign-in (its JWKS cannot be fetched) with no clear error.
 */
export const fetchBlockedPorts = new Set([
  1, 7, 9, 11, 13, 15, 17, 19, 20, 21, 22, 23, 25, 37, 42, 43, 53, 69, 77, 79, 87, 95, 101, 102, 103, 104,
  109, 110, 111, 113, 115, 117, 119, 123, 135, 137, 139, 143, 161, 179, 389, 427, 465, 512, 513, 514, 515,
  526, 530, 531, 532, 540, 548, 554, 556, 563, 587, 601, 636, 989, 990, 993, 995, 1719, 1720, 1723, 2049,
  3659, 4045, 4190, 5060, 5061, 6000, 6566, 6665, 6666, 6667, 6668, 6669, 6679, 6697, 10080,
]);

/** A port fetch and browsers refuse, with the variable that moves it. */
export class BlockedPortError extends Error {
  override name = 'BlockedPortError';
  constructor(
    readonly port: number,
    readonly variable: string,
  ) {
    super(
      `Port ${port} is one that browsers and Node's fetch refuse to connect to (the Fetch standard's "bad ports"), so nothing could reach the local cloud there. Choose another port with ${variable}=<port>.`,
    );
  }
}

/** Resolves once something listens; rejects with PortInUseError if the port is taken. */
export function listenOn(
  server: {
    listen(port: number, host: string): unknown;
    once(event: string, fn: (...args: never[]) => void): unknown;
    address(): unknown;
  },
  port: number,
  variable: string,
): Promise<number> {
  if (fetchBlockedPorts.has(port)) return Promise.reject(new BlockedPortError(port, variable));
  return new Promise((resolve, reject) => {
    server.once('error', ((error: NodeJS.ErrnoException) => {
      reject(error.code === 'EADDRINUSE' ? new PortInUseError(port, variable) : error);
    }) as never);
    server.once('listening', (() => resolve((server.address() as { port: number }).port)) as never);
    server.listen(port, '127.0.0.1');
  });
}

/** A port nothing listens on right now, for internal services and tests. */
export async function freePort(): Promise<number> {
  const server = createServer();
  const port = await listenOn(server, 0, 'an internal port');
  await new Promise((resolve) => server.close(resolve));
  return port;
}
