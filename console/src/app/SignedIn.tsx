import { Suspense, lazy } from 'react';
import { Route, Routes } from 'react-router';
import { Button, MessageBar, MessageBarActions, MessageBarBody, MessageBarTitle, makeStyles, tokens } from '@fluentui/react-components';
import { ErrorState, Loading, NotAvailable } from '../components/ui';
import { useT } from '../i18n';
import { computeAccess } from './access';
import { pageRoutes } from './routes';
import { useSession } from './session';
import { Shell } from './Shell';

const NotFound = lazy(() => import('../pages/NotFound'));

const useStyles = makeStyles({
  page: { padding: tokens.spacingHorizontalXXL, maxWidth: '640px', margin: '0 auto' },
});

/** The signed-in console: the shell with the pages the caller may see, or why there is none. */
export default function SignedIn() {
  const { state, reloadContext, signOut } = useSession();
  const t = useT();
  const s = useStyles();

  if (state.status === 'failed') {
    return (
      <main className={s.page}>
        <h1>{t('app.name')}</h1>
        <ErrorState error={state.error} onRetry={reloadContext} />
        <p>
          <Button onClick={() => void signOut()}>{t('shell.signOut')}</Button>
        </p>
      </main>
    );
  }
  if (state.status !== 'ready') return <Loading />;

  if (state.me.orgKind !== 'partner') {
    return (
      <main className={s.page}>
        <h1>{t('app.name')}</h1>
        <MessageBar intent="info" layout="multiline">
          <MessageBarBody>
            <MessageBarTitle>{t('app.partnersOnlyTitle')}</MessageBarTitle>
            {t('app.partnersOnly')}
          </MessageBarBody>
          <MessageBarActions>
            <Button onClick={() => void signOut()}>{t('shell.signOut')}</Button>
          </MessageBarActions>
        </MessageBar>
      </main>
    );
  }

  const access = computeAccess(state.me, state.overview);
  return (
    <Shell>
      <Suspense fallback={<Loading />}>
        <Routes>
          {pageRoutes.map((r) => {
            const Page = r.component;
            return <Route key={r.path} path={r.path} element={r.allowed(access) ? <Page /> : <NotAvailable />} />;
          })}
          <Route path="*" element={<NotFound />} />
        </Routes>
      </Suspense>
    </Shell>
  );
}
