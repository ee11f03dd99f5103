import { useEffect } from 'react';

/** The session the URL names (`#/session/<id>`), if any. */
export const sessionFromHash = () => /^#\/session\/([0-9a-f-]{36})$/i.exec(location.hash)?.[1];

/**
 * The open session lives in the URL, so a reload comes back to it and Back returns to the one
 * before; Back and Forward open the session the URL then names. `openSession` must be stable.
 */
export function useSessionInUrl(
  activeSessionId: string | undefined,
  openSession: (sessionId?: string) => void,
): void {
  useEffect(() => {
    const hash = activeSessionId ? `#/session/${activeSessionId}` : '';
    if (location.hash !== hash) history.pushState(null, '', `${location.pathname}${location.search}${hash}`);
  }, [activeSessionId]);

  useEffect(() => {
    const follow = () => {
      const sessionId = sessionFromHash();
      if (sessionId !== activeSessionId) openSession(sessionId);
    };
    window.addEventListener('popstate', follow);
    return () => window.removeEventListener('popstate', follow);
  }, [activeSessionId, openSession]);
}
