/**
 * The user pool's password policy, declared once: the stacks give it to Cognito, the local cloud
 * enforces it in front of cognito-local (which enforces none), and the web client shows the
 * rules and checks a password before it calls Cognito.
 */
export const passwordPolicy = {
  minimumLength: 10,
  requireLowercase: true,
  requireUppercase: true,
  requireNumbers: true,
  requireSymbols: false,
} as const;

/** The rules as a person reads them, in the sign-up form. */
export const passwordRules = [
  `at least ${passwordPolicy.minimumLength} characters`,
  'an upper-case and a lower-case letter',
  'a number',
] as const;

/**
 * What a password lacks, in Cognito's own words ("Password not long enough", …); empty when it
 * conforms. The first problem is what Cognito reports.
 */
export function passwordProblems(password: string): string[] {
  const problems: string[] = [];
  if ([...password].length < passwordPolicy.minimumLength) problems.push('Password not long enough');
  if (passwordPolicy.requireUppercase && !/[A-Z]/.test(password))
    problems.push('Password must have uppercase characters');
  if (passwordPolicy.requireLowercase && !/[a-z]/.test(password))
    problems.push('Password must have lowercase characters');
  if (passwordPolicy.requireNumbers && !/[0-9]/.test(password))
    problems.push('Password must have numeric characters');
  return problems;
}
