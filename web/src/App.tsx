import { useEffect, useMemo, useRef, useState } from 'react';
import { type Auth, createCognitoAuth } from './auth/cognito';
import { useAuth } from './auth/useAuth';
import { AuthScreen } from './components/AuthScreen';
import { ChatScreen } from './components/ChatScreen';
import { type ClientConfig, loadConfig } from './config';

function Signed({ config, auth }: { config: ClientConfig; auth: Auth }) {
  const session = useAuth(auth);
  // The sign-in form was used in this page: its focus goes with it, so the chat takes it.
  const signedInHere = useRef(false);
  if (!session.tokens) signedInHere.current = true;
  if (!session.tokens)
    return (
      <AuthScreen
        auth={auth}
        signIn={session.signIn}
        reason={session.signedOutReason}
        local={Boolean(config.cognitoEndpoint)}
      />
    );
  return (
    <ChatScreen
      key={session.tokens.email}
      websocketUrl={config.websocketUrl}
      email={session.tokens.email}
      takeFocus={signedInHere.current}
      token={session.freshIdToken}
      onSignOut={(reason) => session.signOut(reason)}
    />
  );
}

export function App({ authFor = createCognitoAuth }: { authFor?: (config: ClientConfig) => Auth }) {
  const [config, setConfig] = useState<ClientConfig>();
  const [failure, setFailure] = useState<string>();
  useEffect(() => {
    loadConfig().then(setConfig, (error: Error) => setFailure(error.message));
  }, []);
  const auth = useMemo(() => (config ? authFor(config) : undefined), [config, authFor]);
  if (failure)
    return (
      <main className="auth">
        <div className="auth-card" role="alert">
          <h1>Cascade cannot start</h1>
          <p>{failure}</p>
        </div>
      </main>
    );
  if (!config || !auth)
    return (
      <main className="auth">
        <p className="muted">Loading…</p>
      </main>
    );
  return <Signed config={config} auth={auth} />;
}
