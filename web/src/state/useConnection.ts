import type { ServerMessage } from '@cascade/core/protocol';
import { useEffect, useMemo, useState } from 'react';
import { Connection, type ConnectionStatus } from '../net/connection';

/**
 * One connection to the server for as long as the component is mounted, with its status; it
 * reconnects at once when the browser comes back online. `onMessage` must be stable.
 */
export function useConnection(
  websocketUrl: string,
  token: (renew?: boolean) => Promise<string>,
  onMessage: (message: ServerMessage) => void,
): { connection: Connection; status: ConnectionStatus } {
  const [status, setStatus] = useState<ConnectionStatus>({ state: 'connecting', attempt: 0 });
  const connection = useMemo(
    () => new Connection({ url: websocketUrl, token, onMessage, onStatus: setStatus }),
    [websocketUrl, token, onMessage],
  );
  useEffect(() => {
    connection.start();
    const online = () => connection.retryNow();
    window.addEventListener('online', online);
    return () => {
      window.removeEventListener('online', online);
      connection.stop();
    };
  }, [connection]);
  return { connection, status };
}
