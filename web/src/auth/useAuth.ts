import { useCallback, useEffect, useRef, useState } from 'react';
import { type Auth, AuthError } from './cognito';
import { loadTokens, refreshDelay, saveTokens, type Tokens } from './tokens';

export interface AuthState {
  tokens: Tokens | undefined;
  /** Why the person was signed out, if it was not their choice. */
  signedOutReason: string | undefined;
  signIn(email: string, password: string): Promise<void>;
  signOut(reason?: string): void;
  /** An ID token good for at least another minute, refreshed first if need be (always, with `renew`). */
  freshIdToken(renew?: boolean): Promise<string>;
}

/** Keeps the Cognito tokens (in localStorage, so a reload stays signed in) and refreshes them before they expire. */
export function useAuth(auth: Auth, storage: Storage = localStorage): AuthState {
  const [tokens, setTokens] = useState<Tokens | undefined>(() => loadTokens(storage));
  const [signedOutReason, setSignedOutReason] = useState<string>();
  const current = useRef(tokens);
  const refreshing = useRef<Promise<Tokens> | undefined>(undefined);

  const update = useCallback(
    (next: Tokens | undefined) => {
      current.current = next;
      saveTokens(next, storage);
      setTokens(next);
    },
    [storage],
  );

  const signOut = useCallback(
    (reason?: string) => {
      update(undefined);
      setSignedOutReason(reason);
      // The open session is this user's: whoever signs in next starts from no session.
      if (location.hash) history.replaceState(null, '', `${location.pathname}${location.search}`);
    },
    [update],
  );

  const refresh = useCallback((): Promise<Tokens> => {
    const held = current.current;
    if (!held) return Promise.reject(new AuthError('You are signed out.', 'expired'));
    refreshing.current ??= auth
      .refresh(held)
      .then(
        (next) => {
          if (current.current?.refreshToken === held.refreshToken) update(next);
          return next;
        },
        (error: AuthError) => {
          // A network failure keeps the tokens (they may still work); anything else ends the session.
          if (error.problem !== 'network') signOut(error.message);
          throw error;
        },
      )
      .finally(() => {
        refreshing.current = undefined;
      });
    return refreshing.current;
  }, [auth, update, signOut]);

  useEffect(() => {
    if (!tokens) return;
    const timer = setTimeout(() => void refresh().catch(() => undefined), refreshDelay(tokens.expiresAt));
    return () => clearTimeout(timer);
  }, [tokens, refresh]);

  const freshIdToken = useCallback(
    async (renew = false) => {
      const held = current.current;
      if (!held) throw new AuthError('You are signed out.', 'expired');
      if (!renew && held.expiresAt - Date.now() > 60_000) return held.idToken;
      return (await refresh()).idToken;
    },
    [refresh],
  );

  const signIn = useCallback(
    async (email: string, password: string) => {
      const next = await auth.signIn(email, password);
      setSignedOutReason(undefined);
      update(next);
    },
    [auth, update],
  );

  return { tokens, signedOutReason, signIn, signOut, freshIdToken };
}
