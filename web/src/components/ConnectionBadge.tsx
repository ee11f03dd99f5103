import { useEffect, useState } from 'react';
import type { ConnectionStatus } from '../net/connection';

/** The connection's state in the top bar, with a countdown to the next attempt while offline. */
export function ConnectionBadge({ status }: { status: ConnectionStatus }) {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    if (status.state !== 'waiting') return;
    const timer = setInterval(() => setNow(Date.now()), 500);
    return () => clearInterval(timer);
  }, [status]);
  const text =
    status.state === 'open'
      ? 'Connected'
      : status.state === 'waiting'
        ? `Offline · retrying in ${Math.max(0, Math.ceil((status.retryAt - now) / 1000))} s`
        : status.state === 'connecting'
          ? status.attempt > 0
            ? 'Reconnecting…'
            : 'Connecting…'
          : 'Disconnected';
  // Not a live region: the countdown would be read out every second. Changes are announced once, elsewhere.
  return (
    <span className={`connection connection-${status.state}`}>
      <span className="dot" aria-hidden="true" />
      {text}
    </span>
  );
}
