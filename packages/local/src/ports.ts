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
