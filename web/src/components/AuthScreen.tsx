import { passwordProblems, passwordRules } from '@cascade/core/password-policy';
import { type FormEvent, type InputHTMLAttributes, useEffect, useRef, useState } from 'react';
import type { Auth } from '../auth/cognito';
import { AuthError } from '../auth/cognito';

type Mode = 'signIn' | 'signUp' | 'confirm';

export interface AuthScreenProps {
  auth: Auth;
  signIn: (email: string, password: string) => Promise<void>;
  /** Shown when the session ended on its own (e.g. the refresh token expired). */
  reason?: string;
  /** The local cloud prints codes in its terminal instead of emailing them. */
  local: boolean;
}

/** Create an account, confirm it with the emailed code, sign in. */
export function AuthScreen({ auth, signIn, reason, local }: AuthScreenProps) {
  const [mode, setMode] = useState<Mode>('signIn');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const [error, setError] = useState<string | undefined>(reason);
  const [info, setInfo] = useState<string>();
  const [busy, setBusy] = useState(false);
  const form = useRef<HTMLFormElement>(null);

  // Another form (sign up, confirm, sign in) replaces the one the focus was in: it goes to the first
  // field left to fill, never to the page's body.
  const shownMode = useRef(mode);
  useEffect(() => {
    if (shownMode.current === mode) return;
    shownMode.current = mode;
    const fields = [...(form.current?.querySelectorAll('input') ?? [])];
    (fields.find((field) => !field.value) ?? fields[0])?.focus();
  }, [mode]);

  const switchTo = (next: Mode) => {
    setMode(next);
    setError(undefined);
    setInfo(undefined);
  };

  const run = async (action: () => Promise<void>) => {
    setBusy(true);
    setError(undefined);
    // A message from before would contradict whatever this action ends with.
    setInfo(undefined);
    try {
      await action();
    } catch (caught) {
      const failure = caught instanceof AuthError ? caught : new AuthError(String(caught), 'other');
      setError(failure.message);
      if (failure.problem === 'unconfirmed') setMode('confirm');
    } finally {
      setBusy(false);
    }
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (busy) return;
    const address = email.trim();
    // What Cognito would refuse is said here, without a round trip.
    const missing = checkFields(mode, address, password, code.trim());
    if (missing) {
      setInfo(undefined);
      return setError(missing);
    }
    if (mode === 'signIn') return void run(() => signIn(address, password));
    if (mode === 'signUp')
      return void run(async () => {
        const { confirmed } = await auth.signUp(address, password);
        if (confirmed) return signIn(address, password);
        setMode('confirm');
        setInfo(
          local
            ? `We sent a confirmation code to ${address}. Running locally? The code is printed in the terminal of npm start.`
            : `We sent a confirmation code to ${address}. Enter it below.`,
        );
      });
    return void run(async () => {
      await auth.confirm(address, code.trim());
      if (password) return signIn(address, password);
      setMode('signIn');
      setInfo('Your account is confirmed. Sign in to continue.');
    });
  };

  const title =
    mode === 'signIn' ? 'Sign in' : mode === 'signUp' ? 'Create your account' : 'Confirm your account';
  return (
    <main className="auth">
      <div className="auth-card">
        <div className="brand large">
          <span className="logo" aria-hidden="true" />
          Cascade
        </div>
        <p className="tagline">Ask questions about your data, one at a time or a batch at once.</p>
        <h1>{title}</h1>
        <form ref={form} onSubmit={submit} noValidate>
          <Field
            label="Email"
            value={email}
            onChange={setEmail}
            busy={busy}
            type="email"
            autoComplete="username"
          />
          {mode !== 'confirm' && (
            <Field
              label="Password"
              value={password}
              onChange={setPassword}
              busy={busy}
              type="password"
              autoComplete={mode === 'signUp' ? 'new-password' : 'current-password'}
              {...(mode === 'signUp' && { 'aria-describedby': 'password-rules' })}
            />
          )}
          {mode === 'signUp' && (
            <p id="password-rules" className="field-hint">
              Use {passwordRules.join(', ')}.
            </p>
          )}
          {mode === 'confirm' && (
            <Field
              label="Confirmation code"
              value={code}
              onChange={setCode}
              busy={busy}
              inputMode="numeric"
              autoComplete="one-time-code"
            />
          )}
          {error && (
            <p className="form-error" role="alert">
              {error}
            </p>
          )}
          {info && (
            <p className="form-info" role="status">
              {info}
            </p>
          )}
          {/* aria-disabled, not disabled: a disabled button drops the keyboard focus to the page. */}
          <button type="submit" className="button primary wide" aria-disabled={busy}>
            {mode === 'signIn' ? 'Sign in' : mode === 'signUp' ? 'Sign up' : 'Confirm'}
          </button>
        </form>
        <div className="auth-switch">
          {mode === 'signIn' && (
            <>
              <span>New to Cascade?</span>
              <button type="button" className="button ghost" onClick={() => switchTo('signUp')}>
                Create account
              </button>
            </>
          )}
          {mode === 'signUp' && (
            <>
              <span>Have an account?</span>
              <button type="button" className="button ghost" onClick={() => switchTo('signIn')}>
                Back to sign in
              </button>
            </>
          )}
          {mode === 'confirm' && (
            <>
              <button
                type="button"
                className="button ghost"
                aria-disabled={busy || !email.trim()}
                onClick={() =>
                  !busy &&
                  email.trim() &&
                  void run(async () => {
                    await auth.resendCode(email.trim());
                    setInfo(
                      local
                        ? 'Your code is printed again in the terminal of npm start.'
                        : `We sent a new code to ${email.trim()}.`,
                    );
                  })
                }
              >
                Send a new code
              </button>
              <button type="button" className="button ghost" onClick={() => switchTo('signIn')}>
                Back to sign in
              </button>
            </>
          )}
        </div>
      </div>
    </main>
  );
}

/** The sentence for a form Cognito would refuse, or undefined when it can be sent. */
export function checkFields(mode: Mode, email: string, password: string, code: string): string | undefined {
  if (!email) return 'Enter your email address.';
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) return `"${email}" is not an email address.`;
  if (mode === 'confirm') return /^\d{6}$/.test(code) ? undefined : 'Enter the 6-digit code we sent you.';
  if (!password) return 'Enter your password.';
  if (mode === 'signUp') {
    const problems = passwordProblems(password);
    if (problems.length > 0) return `Choose a password with ${passwordRules.join(', ')}.`;
  }
  return undefined;
}

type FieldProps = Omit<InputHTMLAttributes<HTMLInputElement>, 'value' | 'onChange'> & {
  label: string;
  value: string;
  onChange: (value: string) => void;
  /** While the form is being sent, its fields are read-only. */
  busy: boolean;
};

/** A labelled, required field of the form; the rest of `input` says what kind (type, autocomplete…). */
function Field({ label, value, onChange, busy, ...input }: FieldProps) {
  return (
    <label className="field">
      <span>{label}</span>
      <input {...input} required value={value} onChange={(e) => onChange(e.target.value)} readOnly={busy} />
    </label>
  );
}
