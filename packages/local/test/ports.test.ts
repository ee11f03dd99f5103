import { createServer, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort, listenOn, PortInUseError } from '../src/ports';

let server: Server | undefined;
afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

describe('ports', () => {
  it('names the port and the variable when a port is taken', async () => {
    const port = await freePort();
    server = createServer();
    await listenOn(server, port, 'X_PORT');
    const second = createServer();
    const error = await listenOn(second, port, 'CASCADE_EDGE_PORT').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PortInUseError);
    expect((error as Error).message).toBe(
      `Port ${port} on 127.0.0.1 is already in use. Stop whatever holds it, or choose another port with CASCADE_EDGE_PORT=<port>.`,
    );
  });
});
