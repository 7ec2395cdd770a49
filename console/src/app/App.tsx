import { Suspense, lazy } from 'react';
import { Loading, usePageTitle } from '../components/basics';
import { useT } from '../i18n';
import { useSession } from './session';

// Everything on screen beyond the spinner loads lazily: the entry chunk holds React, the router,
// Fluent's provider, the messages and the session, and starts the session refresh at once.
const SignIn = lazy(() => import('../pages/SignIn'));
const RequiredSteps = lazy(() => import('../pages/RequiredSteps'));
const SignedIn = lazy(() => import('./SignedIn'));

function FullPageLoading() {
  const t = useT();
  usePageTitle(undefined);
  return (
    <main>
      <Loading label={t('app.starting')} />
    </main>
  );
}

export function App() {
  const { state } = useSession();
  let content;
  switch (state.status) {
    case 'restoring':
    case 'loading':
      return <FullPageLoading />;
    case 'signedOut':
      content = <SignIn expired={state.expired} />;
      break;
    case 'restricted':
      content = <RequiredSteps flags={state.flags} />;
      break;
    default:
      content = <SignedIn />;
  }
  return <Suspense fallback={<FullPageLoading />}>{content}</Suspense>;
}
