import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { type Auth, AuthError, describeAuthError } from '../src/auth/cognito';
import { jwtClaims, refreshDelay } from '../src/auth/tokens';
import { AuthScreen } from '../src/components/AuthScreen';

const cognitoError = (name: string, message = '') => Object.assign(new Error(message), { name });

function fakeAuth(overrides: Partial<Auth> = {}): Auth {
  return {
    signUp: vi.fn(async () => ({ confirmed: false })),
    confirm: vi.fn(async () => undefined),
    resendCode: vi.fn(async () => undefined),
    signIn: vi.fn(),
    refresh: vi.fn(),
    ...overrides,
  };
}

async function fillSignIn(email: string, password: string) {
  const user = userEvent.setup();
  await user.type(screen.getByLabelText('Email'), email);
  await user.type(screen.getByLabelText('Password'), password);
  return user;
}

describe('describeAuthError', () => {
  it('treats a wrong password the same from AWS and from cognito-local', () => {
    for (const name of ['NotAuthorizedException', 'InvalidPasswordException'])
      expect(describeAuthError(cognitoError(name), 'signIn')).toMatchObject({
        problem: 'credentials',
        message: 'The email or password is wrong. Check both and try again.',
      });
  });

  it('explains an unconfirmed account, a taken email, a weak password and a wrong code', () => {
    expect(describeAuthError(cognitoError('UserNotConfirmedException'), 'signIn').problem).toBe(
      'unconfirmed',
    );
    expect(describeAuthError(cognitoError('UsernameExistsException'), 'signUp').message).toContain(
      'already exists',
    );
    expect(
      describeAuthError(
        cognitoError('InvalidPasswordException', 'Password did not conform with policy: too short'),
        'signUp',
      ).message,
    ).toBe('That password is too weak: too short');
    expect(describeAuthError(cognitoError('CodeMismatchException'), 'confirm').problem).toBe('code');
    expect(describeAuthError(new TypeError('Failed to fetch'), 'signIn').problem).toBe('network');
    expect(describeAuthError(cognitoError('NotAuthorizedException'), 'refresh').problem).toBe('expired');
  });

  it('says who may sign up when the pool refuses a stranger', () => {
    expect(
      describeAuthError(
        cognitoError('NotAuthorizedException', 'SignUp is not permitted for this user pool'),
        'signUp',
      ),
    ).toMatchObject({
      problem: 'closed',
      message: 'Accounts here are created by an administrator: ask one to invite you.',
    });
    // The trigger's sentence, without the prefix Cognito puts before it.
    expect(
      describeAuthError(
        cognitoError(
          'UserLambdaValidationException',
          'PreSignUp failed with error Sign-up is open to email addresses at example.com only; ask an administrator if you need an account.',
        ),
        'signUp',
      ),
    ).toMatchObject({
      problem: 'closed',
      message:
        'Sign-up is open to email addresses at example.com only; ask an administrator if you need an account.',
    });
  });
});

describe('the sign-in screen', () => {
  it('shows a clear message for a wrong password and stays usable', async () => {
    const auth = fakeAuth();
    const signIn = vi.fn(async () => {
      throw describeAuthError(cognitoError('InvalidPasswordException'), 'signIn');
    });
    render(<AuthScreen auth={auth} signIn={signIn} local />);
    const user = await fillSignIn('ada@example.com', 'nope');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('The email or password is wrong');
    expect(signIn).toHaveBeenCalledWith('ada@example.com', 'nope');
    expect(screen.getByRole('button', { name: 'Sign in' })).toBeEnabled();
  });

  it('sends an unconfirmed account to the confirmation step, then signs in after confirming', async () => {
    const auth = fakeAuth();
    const signIn = vi
      .fn()
      .mockRejectedValueOnce(describeAuthError(cognitoError('UserNotConfirmedException'), 'signIn'))
      .mockResolvedValueOnce(undefined);
    render(<AuthScreen auth={auth} signIn={signIn} local />);
    const user = await fillSignIn('ada@example.com', 'Correct-horse-7');
    await user.keyboard('{Enter}');
    expect(await screen.findByRole('alert')).toHaveTextContent('not confirmed yet');
    await user.type(screen.getByLabelText('Confirmation code'), '123456');
    await user.click(screen.getByRole('button', { name: 'Confirm' }));
    expect(auth.confirm).toHaveBeenCalledWith('ada@example.com', '123456');
    expect(signIn).toHaveBeenLastCalledWith('ada@example.com', 'Correct-horse-7');
  });

  it('creates an account and asks for the code, saying where a local code is printed', async () => {
    const auth = fakeAuth();
    render(<AuthScreen auth={auth} signIn={vi.fn()} local />);
    await userEvent.click(screen.getByRole('button', { name: 'Create account' }));
    const user = await fillSignIn('new@example.com', 'Correct-horse-7');
    await user.click(screen.getByRole('button', { name: 'Sign up' }));
    expect(auth.signUp).toHaveBeenCalledWith('new@example.com', 'Correct-horse-7');
    expect(await screen.findByRole('status')).toHaveTextContent('printed in the terminal of npm start');
    expect(screen.getByLabelText('Confirmation code')).toBeInTheDocument();
  });

  it('says what is missing before calling Cognito: no email, no password, a code that is not 6 digits', async () => {
    const auth = fakeAuth();
    const signIn = vi.fn();
    render(<AuthScreen auth={auth} signIn={signIn} local />);
    const user = userEvent.setup();
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(screen.getByRole('alert')).toHaveTextContent('Enter your email address.');
    await user.type(screen.getByLabelText('Email'), 'ada@example.com');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(screen.getByRole('alert')).toHaveTextContent('Enter your password.');
    expect(signIn).not.toHaveBeenCalled();
    // The button keeps the keyboard focus: it is never disabled under the person's hand.
    expect(screen.getByRole('button', { name: 'Sign in' })).toHaveFocus();
  });

  it('shows the password rules at sign-up and refuses a password that breaks them, without calling Cognito', async () => {
    const auth = fakeAuth();
    render(<AuthScreen auth={auth} signIn={vi.fn()} local />);
    await userEvent.click(screen.getByRole('button', { name: 'Create account' }));
    expect(screen.getByLabelText('Password')).toHaveAccessibleDescription(
      'Use at least 10 characters, an upper-case and a lower-case letter, a number.',
    );
    const user = await fillSignIn('new@example.com', 'short1A');
    await user.click(screen.getByRole('button', { name: 'Sign up' }));
    expect(screen.getByRole('alert')).toHaveTextContent(
      'Choose a password with at least 10 characters, an upper-case and a lower-case letter, a number.',
    );
    expect(auth.signUp).not.toHaveBeenCalled();
  });

  it('"Send a new code" says where the code is, and no earlier error stays beside it', async () => {
    const auth = fakeAuth({
      confirm: vi.fn(async () => {
        throw describeAuthError(cognitoError('CodeMismatchException'), 'confirm');
      }),
    });
    render(<AuthScreen auth={auth} signIn={vi.fn()} local />);
    await userEvent.click(screen.getByRole('button', { name: 'Create account' }));
    const user = await fillSignIn('new@example.com', 'Correct-horse-7');
    await user.click(screen.getByRole('button', { name: 'Sign up' }));
    await user.type(screen.getByLabelText('Confirmation code'), '000000');
    await user.click(screen.getByRole('button', { name: 'Confirm' }));
    expect(await screen.findByRole('alert')).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Send a new code' }));
    expect(auth.resendCode).toHaveBeenCalledWith('new@example.com');
    expect(await screen.findByRole('status')).toHaveTextContent(
      'Your code is printed again in the terminal of npm start.',
    );
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('moves the focus to the first field of the form that replaces the one in use, never to the page', async () => {
    const auth = fakeAuth();
    render(<AuthScreen auth={auth} signIn={vi.fn()} local />);
    const user = userEvent.setup();
    await user.click(screen.getByRole('button', { name: 'Create account' }));
    expect(screen.getByLabelText('Email')).toHaveFocus();

    await user.type(screen.getByLabelText('Email'), 'ada@example.com');
    await user.type(screen.getByLabelText('Password'), 'Correct-horse-7');
    await user.click(screen.getByRole('button', { name: 'Sign up' }));
    await screen.findByLabelText('Confirmation code');
    expect(screen.getByLabelText('Confirmation code')).toHaveFocus();

    await user.click(screen.getByRole('button', { name: 'Back to sign in' }));
    // Both fields are kept: the form's first field.
    expect(screen.getByLabelText('Email')).toHaveFocus();
  });

  it('"Send a new code" keeps the focus while it works (aria-disabled, not disabled)', async () => {
    let finish = () => {};
    const auth = fakeAuth({
      signIn: vi.fn(),
      resendCode: vi.fn(() => new Promise<void>((done) => (finish = done))),
    });
    const signIn = vi.fn(async () => {
      throw new AuthError('Confirm your account first.', 'unconfirmed');
    });
    render(<AuthScreen auth={auth} signIn={signIn} local />);
    const user = await fillSignIn('ada@example.com', 'Correct-horse-7');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    const resend = await screen.findByRole('button', { name: 'Send a new code' });
    await user.click(resend);
    expect(resend).toHaveAttribute('aria-disabled', 'true');
    expect(resend).toHaveFocus();
    await user.click(resend);
    expect(auth.resendCode).toHaveBeenCalledOnce();
    finish();
  });

  it('shows why a session ended on its own', () => {
    render(
      <AuthScreen auth={fakeAuth()} signIn={vi.fn()} local={false} reason="Your session has expired." />,
    );
    expect(screen.getByRole('alert')).toHaveTextContent('Your session has expired.');
  });

  it('keeps AuthError messages as they are', () => {
    const error = new AuthError('Custom.', 'other');
    expect(describeAuthError(error, 'signIn')).toBe(error);
  });
});

describe('tokens', () => {
  it('reads JWT claims and refreshes five minutes early, or halfway through a short token', () => {
    const payload = btoa(JSON.stringify({ exp: 2_000_000_000, email: 'ada@example.com' })).replace(/=+$/, '');
    expect(jwtClaims(`h.${payload}.s`)).toMatchObject({ exp: 2_000_000_000, email: 'ada@example.com' });
    expect(jwtClaims('garbage')).toEqual({});
    const now = 1_000_000;
    expect(refreshDelay(now + 3_600_000, now)).toBe(3_300_000);
    expect(refreshDelay(now + 120_000, now)).toBe(60_000);
    expect(refreshDelay(now - 5_000, now)).toBe(1000);
  });
});
