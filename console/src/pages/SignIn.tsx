import { useState, type FormEvent } from 'react';
import { Field, Input, Link as FluentLink, MessageBar, MessageBarBody, makeStyles, tokens } from '@fluentui/react-components';
import { ApiError, signIn, signInMfa } from '../api/client';
import { AuthLayout } from '../components/AuthLayout';
import { FormError, usePageTitle, SubmitButton } from '../components/ui';
import { useT } from '../i18n';

const useStyles = makeStyles({
  form: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalL, marginTop: tokens.spacingVerticalL },
  row: { display: 'flex', gap: tokens.spacingHorizontalM, alignItems: 'center', flexWrap: 'wrap' },
});

export default function SignIn({ expired }: { expired: boolean }) {
  const t = useT();
  const s = useStyles();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [mfaToken, setMfaToken] = useState<string | null>(null);
  const [useRecovery, setUseRecovery] = useState(false);
  const [code, setCode] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [notice, setNotice] = useState<string | null>(expired ? t('signIn.expired') : null);
  usePageTitle(mfaToken ? t('signIn.mfaTitle') : t('signIn.title'));

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    setNotice(null);
    try {
      const r = await signIn(email.trim(), password);
      if ('mfaRequired' in r) {
        setMfaToken(r.mfaToken);
        setPassword('');
        setBusy(false);
      }
      // Otherwise the session takes over (the token was accepted).
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };

  const submitMfa = async (e: FormEvent) => {
    e.preventDefault();
    if (!mfaToken) return;
    setBusy(true);
    setError(undefined);
    try {
      const value = code.replace(/\s+/g, '');
      await signInMfa(mfaToken, useRecovery ? { recoveryCode: value } : { code: value });
    } catch (err) {
      setBusy(false);
      if (err instanceof ApiError && err.code === 'unauthenticated') {
        // The sign-in step expired: start again.
        setMfaToken(null);
        setCode('');
        setNotice(t('signIn.mfaExpired'));
        return;
      }
      setError(err);
    }
  };

  if (mfaToken) {
    const codeError =
      error instanceof ApiError && error.code === 'invalid_mfa_code'
        ? useRecovery
          ? t('signIn.invalidRecoveryCode')
          : t('signIn.invalidCode')
        : undefined;
    return (
      <AuthLayout title={t('signIn.mfaTitle')}>
        <form className={s.form} onSubmit={(e) => void submitMfa(e)} noValidate>
          <p style={{ margin: 0 }}>{useRecovery ? t('signIn.recoveryIntro') : t('signIn.mfaIntro')}</p>
          <Field label={useRecovery ? t('signIn.recoveryCode') : t('signIn.code')} required validationMessage={codeError}>
            <Input
              value={code}
              onChange={(_, d) => setCode(d.value)}
              autoComplete="one-time-code"
              inputMode={useRecovery ? 'text' : 'numeric'}
              // eslint-disable-next-line jsx-a11y/no-autofocus
              autoFocus
            />
          </Field>
          {!codeError && <FormError error={error} />}
          <div className={s.row}>
            <SubmitButton busy={busy} disabled={!code.trim()}>
              {t('signIn.verify')}
            </SubmitButton>
            <FluentLink
              as="button"
              type="button"
              onClick={() => {
                setUseRecovery(!useRecovery);
                setCode('');
                setError(undefined);
              }}
            >
              {useRecovery ? t('signIn.useCode') : t('signIn.useRecovery')}
            </FluentLink>
          </div>
          <FluentLink
            as="button"
            type="button"
            onClick={() => {
              setMfaToken(null);
              setCode('');
              setError(undefined);
            }}
          >
            {t('signIn.startOver')}
          </FluentLink>
        </form>
      </AuthLayout>
    );
  }

  const credError = error instanceof ApiError && error.code === 'invalid_credentials';
  return (
    <AuthLayout title={t('signIn.title')}>
      <form className={s.form} onSubmit={(e) => void submit(e)} noValidate>
        {notice && (
          <MessageBar intent="info">
            <MessageBarBody>{notice}</MessageBarBody>
          </MessageBar>
        )}
        <Field label={t('signIn.email')} required>
          <Input type="email" value={email} onChange={(_, d) => setEmail(d.value)} autoComplete="username" />
        </Field>
        <Field label={t('signIn.password')} required validationMessage={credError ? t('error.invalid_credentials') : undefined}>
          <Input type="password" value={password} onChange={(_, d) => setPassword(d.value)} autoComplete="current-password" />
        </Field>
        {!credError && <FormError error={error} />}
        <div className={s.row}>
          <SubmitButton busy={busy} disabled={!email.trim() || !password}>
            {t('signIn.submit')}
          </SubmitButton>
        </div>
      </form>
    </AuthLayout>
  );
}
