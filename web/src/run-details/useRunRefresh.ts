import { useEffect, useRef, useState } from 'react';
import type { Run } from '../state/chat';
import { throttled } from './throttle';

/** At most one `execution.get` a second while a run's events arrive. */
const refreshIntervalMs = 1000;

export interface RefreshState {
  /** Why the last refresh failed; cleared by the next that works. */
  error?: string;
  /** A refresh has answered since the view opened. */
  loaded: boolean;
}

/**
 * Keeps an open view of a run's recorded state current: asks for it once when opened (a past
 * run's, too), then again as its live `step` and `progress` events arrive and when it ends.
 */
export function useRunRefresh(
  executionId: string,
  run: Pick<Run, 'events' | 'status'> | undefined,
  refresh: (executionId: string) => Promise<void>,
): RefreshState {
  const [state, setState] = useState<RefreshState>({ loaded: false });
  const throttle = useRef<ReturnType<typeof throttled>>(undefined);
  const refreshRef = useRef(refresh);
  refreshRef.current = refresh;

  useEffect(() => {
    const current = throttled(
      () =>
        refreshRef.current(executionId).then(
          () => setState({ loaded: true }),
          (error: unknown) =>
            setState((s) => ({ ...s, error: error instanceof Error ? error.message : String(error) })),
        ),
      refreshIntervalMs,
    );
    throttle.current = current;
    return () => current.stop();
  }, [executionId]);

  // Opened, a new event, or a new status: ask again.
  const moved = `${executionId}:${run?.events ?? 0}:${run?.status}`;
  useEffect(() => {
    if (moved) throttle.current?.request();
  }, [moved]);

  return state;
}

/** The time now, re-read every second while `ticking`: a running step grows on screen. */
export function useNow(ticking: boolean): number {
  const [now, setNow] = useState(Date.now);
  useEffect(() => {
    if (!ticking) return;
    setNow(Date.now());
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [ticking]);
  return now;
}
