import { useState, type FormEvent } from 'react';
import { Button, Field, Input, MessageBar, MessageBarBody, Table, TableBody, TableCell, TableHeader, TableHeaderCell, TableRow } from '@fluentui/react-components';
import { ApiError, api, changePassword } from '../api/client';
import type { RecoveryCodes, Session } from '../api/types';
import { useCaller, useSession } from '../app/session';
import { useResource } from '../components/hooks';
import { DescriptionList, Section, TableScroll, useLayoutStyles } from '../components/layout';
import { MfaEnrolment, RecoveryCodesStep } from '../components/MfaEnrolment';
import { ConfirmDialog, EmptyState, ErrorState, FormError, Loading, PageHeader, useFieldError, SubmitButton } from '../components/ui';
import { useFormat, useT, type MessageId } from '../i18n';

function PasswordSection() {
  const t = useT();
  const l = useLayoutStyles();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [confirm, setConfirm] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [done, setDone] = useState(false);
  const [mismatch, setMismatch] = useState(false);
  const fieldError = useFieldError(error);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setDone(false);
    if (next !== confirm) {
      setMismatch(true);
      return;
    }
    setMismatch(false);
    setBusy(true);
    setError(undefined);
    try {
      await changePassword(current, next);
      setDone(true);
      setCurrent('');
      setNext('');
      setConfirm('');
    } catch (err) {
      setError(err);
    }
    setBusy(false);
  };
  const currentError = fieldError('currentPassword') ?? (error instanceof ApiError && error.code === 'invalid_credentials' ? t('password.currentWrong') : undefined);
  return (
    <Section title={t('account.password')} id="pw">
      <form className={l.form} onSubmit={(e) => void submit(e)} noValidate>
        {done && (
          <MessageBar intent="success">
            <MessageBarBody>{t('password.changed')}</MessageBarBody>
          </MessageBar>
        )}
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
        <div>
          <SubmitButton busy={busy} disabled={!current || !next}>
            {t('password.change')}
          </SubmitButton>
        </div>
      </form>
    </Section>
  );
}

function CodeAction({ label, action, onDone, onCancel }: { label: string; action: (code: string) => Promise<void>; onDone: () => void; onCancel: () => void }) {
  const t = useT();
  const l = useLayoutStyles();
  const [code, setCode] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await action(code.replace(/\s+/g, ''));
      onDone();
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };
  const codeError = error instanceof ApiError && error.code === 'invalid_mfa_code' ? t('signIn.invalidCode') : undefined;
  return (
    <form className={l.form} onSubmit={(e) => void submit(e)} noValidate>
      <Field label={t('account.currentCode')} required validationMessage={codeError}>
        <Input value={code} onChange={(_, d) => setCode(d.value)} autoComplete="one-time-code" inputMode="numeric" />
      </Field>
      {!codeError && <FormError error={error} />}
      <div className={l.row}>
        <Button appearance="primary" type="submit" disabled={busy || !code.trim()}>
          {label}
        </Button>
        <Button onClick={onCancel}>{t('common.cancel')}</Button>
      </div>
    </form>
  );
}

function TwoFactorSection() {
  const t = useT();
  const l = useLayoutStyles();
  const { me } = useCaller();
  const { reloadContext } = useSession();
  const [mode, setMode] = useState<'idle' | 'enrol' | 'regenerate' | 'remove'>('idle');
  const [codes, setCodes] = useState<string[] | null>(null);
  const enabled = me.mfaEnabled;
  return (
    <Section title={t('account.twoFactor')} id="mfa">
      <div className={l.form}>
        <p style={{ margin: 0 }}>
          {enabled === undefined ? t('account.mfaUnknown') : enabled ? t('account.mfaOn') : t('account.mfaOff')}
          {me.mfaRequired && ` ${t('account.mfaRequired')}`}
        </p>
        {codes ? (
          <RecoveryCodesStep codes={codes} onDone={() => setCodes(null)} doneLabel={t('common.done')} />
        ) : mode === 'enrol' ? (
          <MfaEnrolment
            headingLevel={3}
            onCancel={() => setMode('idle')}
            onDone={() => {
              setMode('idle');
              reloadContext();
            }}
          />
        ) : mode === 'regenerate' ? (
          <CodeAction
            label={t('account.regenerate')}
            action={async (code) => {
              const r = await api.post<RecoveryCodes>('/me/mfa/recovery-codes', { code });
              setCodes(r.recoveryCodes);
            }}
            onDone={() => setMode('idle')}
            onCancel={() => setMode('idle')}
          />
        ) : mode === 'remove' ? (
          <CodeAction
            label={t('account.removeMfa')}
            action={async (code) => {
              await api.del('/me/mfa/totp', { code });
            }}
            onDone={() => {
              setMode('idle');
              reloadContext();
            }}
            onCancel={() => setMode('idle')}
          />
        ) : (
          <div className={l.row}>
            {!enabled && (
              <Button appearance="primary" onClick={() => setMode('enrol')}>
                {t('account.enrol')}
              </Button>
            )}
            {enabled !== false && <Button onClick={() => setMode('regenerate')}>{t('account.regenerate')}</Button>}
            {enabled !== false && !me.mfaRequired && <Button onClick={() => setMode('remove')}>{t('account.removeMfa')}</Button>}
          </div>
        )}
      </div>
    </Section>
  );
}

function SessionsSection() {
  const t = useT();
  const f = useFormat();
  const { signOut } = useSession();
  const sessions = useResource((signal) => api.get<{ items: Session[] }>('/me/sessions', { signal }), []);
  const [ending, setEnding] = useState<Session | null>(null);
  const [everywhere, setEverywhere] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const end = async () => {
    if (!ending) return;
    setBusy(true);
    setError(undefined);
    try {
      await api.del(`/me/sessions/${ending.sessionId}`);
      if (ending.current) {
        await signOut();
        return;
      }
      sessions.setData({ items: (sessions.data?.items ?? []).filter((s) => s.sessionId !== ending.sessionId) });
      setEnding(null);
    } catch (e) {
      setError(e);
    }
    setBusy(false);
  };
  const items = sessions.data?.items ?? [];
  return (
    <Section
      title={t('account.sessions')}
      id="sessions"
      actions={<Button onClick={() => setEverywhere(true)}>{t('account.signOutEverywhere')}</Button>}
    >
      {sessions.loading && !sessions.data ? (
        <Loading />
      ) : sessions.error && !sessions.data ? (
        <ErrorState error={sessions.error} onRetry={sessions.reload} />
      ) : !items.length ? (
        <EmptyState>{t('account.noSessions')}</EmptyState>
      ) : (
        <TableScroll label={t('account.sessions')}>
          <Table aria-label={t('account.sessions')} size="small" style={{ minWidth: 640 }}>
            <TableHeader>
              <TableRow>
                <TableHeaderCell>{t('account.device')}</TableHeaderCell>
                <TableHeaderCell>{t('account.started')}</TableHeaderCell>
                <TableHeaderCell>{t('account.lastUsed')}</TableHeaderCell>
                <TableHeaderCell>{t('account.expires')}</TableHeaderCell>
                <TableHeaderCell>{t('common.actions')}</TableHeaderCell>
              </TableRow>
            </TableHeader>
            <TableBody>
              {items.map((s) => (
                <TableRow key={s.sessionId}>
                  <TableCell style={{ overflowWrap: 'anywhere' }}>
                    {s.userAgent || '—'}
                    {s.current && <strong> · {t('account.thisSession')}</strong>}
                  </TableCell>
                  <TableCell>{f.dateTime(s.createdAt)}</TableCell>
                  <TableCell>{f.dateTime(s.lastUsedAt)}</TableCell>
                  <TableCell>{f.dateTime(s.idleExpiresAt < s.expiresAt ? s.idleExpiresAt : s.expiresAt)}</TableCell>
                  <TableCell>
                    <Button size="small" onClick={() => { setError(undefined); setEnding(s); }}>
                      {t('account.endSession')}
                    </Button>
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </TableScroll>
      )}
      <ConfirmDialog open={!!ending} title={t('account.endSessionTitle')} confirmLabel={t('account.endSession')} onConfirm={() => void end()} onCancel={() => setEnding(null)} busy={busy} error={error}>
        {ending?.current ? t('account.endCurrentBody') : t('account.endSessionBody')}
      </ConfirmDialog>
      <ConfirmDialog open={everywhere} title={t('account.signOutEverywhereTitle')} confirmLabel={t('account.signOutEverywhere')} onConfirm={() => void signOut(true)} onCancel={() => setEverywhere(false)}>
        {t('account.signOutEverywhereBody')}
      </ConfirmDialog>
    </Section>
  );
}

export default function MyAccount() {
  const t = useT();
  const { me } = useCaller();
  return (
    <>
      <PageHeader title={t('account.title')} />
      <Section title={t('account.profile')} id="profile">
        <DescriptionList
          items={[
            [t('users.displayName'), me.displayName],
            [t('users.email'), me.email],
            [t('users.companyAccessShort'), me.companyRole === 'none' ? t('common.no') : t(`role.${me.companyRole}` as MessageId)],
            [t('users.customerAccessShort'), me.customerAccess === 'none' ? t('common.no') : t(`scope.${me.customerAccess}` as MessageId)],
          ]}
        />
      </Section>
      <PasswordSection />
      <TwoFactorSection />
      <SessionsSection />
    </>
  );
}
