import { useCallback, useEffect, useRef, useState } from 'react';
import type { ConnectionStatus } from '../net/connection';
import { type Announced, runAnnouncement } from '../state/announce';
import type { Run } from '../state/chat';

/**
 * What the polite live region says: a run's start, each quarter of a batch and its end, once
 * each; so is a lost connection, and its return. `n` makes a repeated sentence new.
 */
export function useAnnouncements(
  run: Run | undefined,
  status: ConnectionStatus,
): { text: string; n: number } {
  const [announcement, setAnnouncement] = useState({ text: '', n: 0 });
  const say = useCallback((text: string) => setAnnouncement((a) => ({ text, n: a.n + 1 })), []);

  const runAnnounced = useRef<Announced | undefined>(undefined);
  useEffect(() => {
    if (!run) return;
    const { text, announced } = runAnnouncement(runAnnounced.current, run);
    runAnnounced.current = announced;
    if (text) say(text);
  }, [run, say]);

  const connectionLost = useRef(false);
  useEffect(() => {
    if (status.state === 'waiting' && !connectionLost.current) say('Connection lost; retrying.');
    if (status.state === 'open' && connectionLost.current) say('Connected again.');
    if (status.state === 'waiting' || status.state === 'open')
      connectionLost.current = status.state === 'waiting';
  }, [status.state, say]);

  return announcement;
}
