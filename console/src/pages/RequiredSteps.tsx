import { useState, type FormEvent } from 'react';
import { Button, Field, Input, Text, makeStyles, tokens } from '@fluentui/react-components';
import { changePassword, type SessionFlags } from '../api/client';
import { useSession } from '../app/session';
import { AuthLayout } from '../components/AuthLayout';
import { MfaEnrolment } from '../components/MfaEnrolment';
import { FormError, useFieldError, usePageTitle, SubmitButton } from '../components/ui';
import { useT } from '../i18n';

const useStyles = makeStyles({
  form: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalL, marginTop: tokens.spacingVerticalL },
  row: { display: 'flex', gap: tokens.spacingHorizontalM, flexWrap: 'wrap' },
});

/** What a user must do before anything else: change a temporary password, then enrol TOTP. */
export default function RequiredSteps({ flags }: { flags: SessionFlags }) {
  return flags.passwordChangeRequired ? <ForcedPasswordChange /> : <ForcedEnrolment />;
}

function ForcedPasswordChange() {
  const t = useT();
  const s = useStyles();
  const { clearFlag, signOut } = useSession();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [confirm, setConfirm] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [mismatch, setMismatch] = useState(false);
  const fieldError = useFieldError(error);
  usePageTitle(t('password.forcedTitle'));

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (next !== confirm) {
      setMismatch(true);
      return;
    }
    setMismatch(false);
    setBusy(true);
    setError(undefined);
    try {
      await changePassword(current, next);
      clearFlag('passwordChangeRequired');
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };

  const currentError = fieldError('currentPassword') ?? (error && (error as { code?: string }).code === 'invalid_credentials' ? t('password.currentWrong') : undefined);
  return (
    <AuthLayout title={t('password.forcedTitle')}>
      <form className={s.form} onSubmit={(e) => void submit(e)} noValidate>
        <Text>{t('password.forcedIntro')}</Text>
        <Field label={t('password.current')} required validationMessage={currentError}>
          <Input type="password" value={current} onChange={(_, d) => setCurrent(d.value)} autoComplete="current-password" />
        </Field>
        <Field label={t('password.new')} required hint={t('password.policy')} validationMessage={fieldError('newPassword')}>
          <Input type="password" value={next} onChange={(_, d) => setNext(d.value)} autoComplete="new-password" />
        </Field>
        <Field label={t('password.confirm')} required validationMessage={mismatch ? t('password.mismatch') : undefined}>
          <Input type="password" value={confirm} onChange={(_, d) => setConfirm(d.value)} autoComplete="new-password" />
        </Field>
        {!currentError && !fieldError('newPassword') && <FormError error={error} fields={['currentPassword', 'newPassword']} />}
        <div className={s.row}>
          <SubmitButton busy={busy} disabled={!current || !next}>
            {t('password.change')}
          </SubmitButton>
          <Button onClick={() => void signOut()}>{t('shell.signOut')}</Button>
        </div>
      </form>
    </AuthLayout>
  );
}

function ForcedEnrolment() {
  const t = useT();
  const s = useStyles();
  const { clearFlag, signOut } = useSession();
  usePageTitle(t('mfa.forcedTitle'));
  return (
    <AuthLayout title={t('mfa.forcedTitle')}>
      <div className={s.form}>
        <Text>{t('mfa.forcedIntro')}</Text>
        <MfaEnrolment onDone={() => clearFlag('mfaEnrolmentRequired')} />
        <div>
          <Button appearance="subtle" onClick={() => void signOut()}>
            {t('shell.signOut')}
          </Button>
        </div>
      </div>
    </AuthLayout>
  );
}
