/** What a signed-in person holds. */
export interface Tokens {
  idToken: string;
  accessToken: string;
  refreshToken: string;
  /** When the ID token expires, in ms since the epoch. */
  expiresAt: number;
  email: string;
}

/** The claims of a JWT, read without verifying it (the server verifies; the client only schedules). */
export function jwtClaims(token: string): Record<string, unknown> {
  const part = token.split('.')[1];
  if (!part) return {};
  try {
    const base64 = part.replace(/-/g, '+').replace(/_/g, '/');
    const padded = base64 + '='.repeat((4 - (base64.length % 4)) % 4);
    const bytes = Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
    return JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>;
  } catch {
    return {};
  }
}

export function tokenExpiry(idToken: string, fallbackSeconds = 3600): number {
  const exp = jwtClaims(idToken).exp;
  return typeof exp === 'number' ? exp * 1000 : Date.now() + fallbackSeconds * 1000;
}

/** Refresh this long before the ID token expires. */
export const refreshMarginMs = 5 * 60 * 1000;

/** When to refresh: five minutes early, or halfway through a short-lived token, never in the past. */
export function refreshDelay(expiresAt: number, now = Date.now()): number {
  const left = expiresAt - now;
  const early = left > 2 * refreshMarginMs ? left - refreshMarginMs : left / 2;
  return Math.max(1000, Math.min(early, 2 ** 31 - 1));
}

const storageKey = 'cascade.auth';

export function loadTokens(storage: Storage = localStorage): Tokens | undefined {
  try {
    const value = JSON.parse(storage.getItem(storageKey) ?? 'null') as Partial<Tokens> | null;
    if (value?.idToken && value.refreshToken && value.accessToken && value.email && value.expiresAt)
      return value as Tokens;
  } catch {
    // A damaged entry counts as signed out.
  }
  return undefined;
}

export function saveTokens(tokens: Tokens | undefined, storage: Storage = localStorage): void {
  if (tokens) storage.setItem(storageKey, JSON.stringify(tokens));
  else storage.removeItem(storageKey);
}
