import { SettingsError } from '../agent/providers/settings';

/**
 * Who may create an account, read from CASCADE_SIGNUP the same way by `sst deploy` (the user
 * pool's settings and its pre-sign-up trigger) and by `npm start` (the local edge's Cognito front):
 * - `open`: anyone with an email address they can confirm;
 * - `invite`: only administrators create users (AdminCreateUser); SignUp is refused;
 * - `domains:example.com,example.org`: self sign-up only with an address at one of these domains.
 *   A domain matches exactly, case-insensitively: `example.com` does not admit `eu.example.com`
 *   (list each subdomain that may sign up), since a subdomain's mail may be run by someone else.
 *
 * An account an administrator creates is always allowed: the policy is about strangers.
 */
export type SignUpPolicy = { mode: 'open' } | { mode: 'invite' } | { mode: 'domains'; domains: string[] };

export type SignUpMode = SignUpPolicy['mode'];

/** A host name of letters, digits and hyphens, with a dot; no wildcard, no `@`, no trailing dot. */
const domainName = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$/;

/** The policy from `env`; `fallback` when CASCADE_SIGNUP is unset (invite on a protected stage, else open). */
export function signUpPolicyFrom(
  env: Record<string, string | undefined>,
  fallback: 'open' | 'invite',
): SignUpPolicy {
  const raw = env.CASCADE_SIGNUP?.trim();
  if (!raw) return { mode: fallback };
  if (raw === 'open' || raw === 'invite') return { mode: raw };
  if (!raw.startsWith('domains:'))
    throw new SettingsError(
      `CASCADE_SIGNUP must be open, invite or domains:<domain,…> (e.g. domains:example.com,example.org), not "${raw}".`,
    );
  const listed = raw
    .slice('domains:'.length)
    .split(',')
    .map((domain) => domain.trim().toLowerCase())
    .filter(Boolean);
  if (listed.length === 0)
    throw new SettingsError(
      'CASCADE_SIGNUP=domains: needs at least one email domain, e.g. domains:example.com.',
    );
  const wrong = listed.find((domain) => !domainName.test(domain));
  if (wrong)
    throw new SettingsError(
      `CASCADE_SIGNUP lists "${wrong}", which is not an email domain such as example.com (no @, no wildcard: each domain matches exactly, so list every subdomain that may sign up).`,
    );
  return { mode: 'domains', domains: [...new Set(listed)] };
}

/** The domain of an email address, lower-cased; undefined when it is not an address. */
export function emailDomainOf(email: string): string | undefined {
  const at = email.lastIndexOf('@');
  if (at <= 0 || at === email.length - 1) return undefined;
  return email.slice(at + 1).toLowerCase();
}

/** Whether `email` is at one of `domains`, exactly (see SignUpPolicy). */
export function emailDomainAllowed(email: string, domains: readonly string[]): boolean {
  const domain = emailDomainOf(email);
  return domain !== undefined && domains.includes(domain);
}

const listed = (domains: readonly string[]) =>
  domains.length === 1 ? domains[0]! : `${domains.slice(0, -1).join(', ')} or ${domains[domains.length - 1]}`;

/**
 * Why the pre-sign-up trigger refuses `email`, or undefined when it may sign up. Cognito shows the
 * trigger's error to the person as "PreSignUp failed with error <this>." (it adds the prefix and
 * the full stop), so the sentence stands alone and ends without one.
 */
export function signUpRefusal(domains: readonly string[], email: string | undefined): string | undefined {
  if (email !== undefined && emailDomainAllowed(email, domains)) return undefined;
  return `Sign-up is open to email addresses at ${listed(domains)} only; ask an administrator if you need an account`;
}

/** How Cognito words a pre-sign-up trigger's error (a UserLambdaValidationException's message). */
export const preSignUpPrefix = 'PreSignUp failed with error ';
export const preSignUpFailure = (refusal: string) => `${preSignUpPrefix}${refusal}.`;

/** Cognito's answer to SignUp when only administrators create users (NotAuthorizedException). */
export const adminOnlySignUpMessage = 'SignUp is not permitted for this user pool';
