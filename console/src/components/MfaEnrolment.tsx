import { useState, type FormEvent } from 'react';
import { Button, Checkbox, Field, Input, MessageBar, MessageBarBody, Spinner, Text, makeStyles, tokens } from '@fluentui/react-components';
import { ArrowDownloadRegular } from '@fluentui/react-icons/svg/arrow-download';
import { ApiError, api } from '../api/client';
import type { RecoveryCodes, TotpEnrolment } from '../api/types';
import { useT } from '../i18n';
import { CopyButton, FormError, SecretValue, SubmitButton } from './ui';

const useStyles = makeStyles({
  stack: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalL },
  qr: { width: '200px', height: '200px', imageRendering: 'pixelated', border: `1px solid ${tokens.colorNeutralStroke2}` },
  codes: {
    display: 'grid',
    gridTemplateColumns: 'repeat(2, minmax(0, 1fr))',
    gap: tokens.spacingVerticalS,
    fontFamily: tokens.fontFamilyMonospace,
    fontSize: tokens.fontSizeBase400,
    padding: tokens.spacingHorizontalM,
    backgroundColor: tokens.colorNeutralBackground3,
    borderRadius: tokens.borderRadiusMedium,
    listStyle: 'none',
    margin: 0,
  },
  row: { display: 'flex', gap: tokens.spacingHorizontalS, flexWrap: 'wrap', alignItems: 'center' },
  h2: { margin: 0, fontSize: tokens.fontSizeBase500, fontWeight: tokens.fontWeightSemibold },
});

/** Shows recovery codes once, with copy and download, until the user says they saved them. */
export function RecoveryCodesStep({ codes, onDone, doneLabel }: { codes: string[]; onDone: () => void; doneLabel?: string }) {
  const t = useT();
  const s = useStyles();
  const [saved, setSaved] = useState(false);
  const text = codes.join('\n') + '\n';
  const download = () => {
    const url = URL.createObjectURL(new Blob([text], { type: 'text/plain' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = 'partner-admin-center-recovery-codes.txt';
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  };
  return (
    <div className={s.stack}>
      <Text>{t('mfa.recoveryIntro')}</Text>
      <ul className={s.codes} aria-label={t('mfa.recoveryCodes')}>
        {codes.map((c) => (
          <li key={c}>{c}</li>
        ))}
      </ul>
      <div className={s.row}>
        <CopyButton text={text} label={t('mfa.copyCodes')} />
        <Button icon={<ArrowDownloadRegular />} onClick={download}>
          {t('mfa.download')}
        </Button>
      </div>
      <MessageBar intent="warning">
        <MessageBarBody>{t('mfa.recoveryOnce')}</MessageBarBody>
      </MessageBar>
      <Checkbox checked={saved} onChange={(_, d) => setSaved(!!d.checked)} label={t('mfa.iSavedThem')} />
      <div>
        <Button appearance="primary" disabled={!saved} onClick={onDone}>
          {doneLabel ?? t('common.continue')}
        </Button>
      </div>
    </div>
  );
}

/** TOTP enrolment: QR code and secret once, a first code to confirm, then the recovery codes. */
export function MfaEnrolment({ onDone, onCancel, headingLevel = 2 }: { onDone: () => void; onCancel?: () => void; headingLevel?: 2 | 3 }) {
  const t = useT();
  const s = useStyles();
  const [enrolment, setEnrolment] = useState<TotpEnrolment>();
  const [codes, setCodes] = useState<string[]>();
  const [code, setCode] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const H = headingLevel === 2 ? 'h2' : 'h3';

  const start = async () => {
    setBusy(true);
    setError(undefined);
    try {
      setEnrolment(await api.post<TotpEnrolment>('/me/mfa/totp', {}));
    } catch (e) {
      setError(e);
    }
    setBusy(false);
  };

  const confirm = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const r = await api.post<RecoveryCodes>('/me/mfa/totp/confirm', { code: code.replace(/\s+/g, '') });
      setCodes(r.recoveryCodes);
    } catch (err) {
      setError(err);
    }
    setBusy(false);
  };

  if (codes) {
    return (
      <div className={s.stack}>
        <H className={s.h2}>{t('mfa.recoveryTitle')}</H>
        <RecoveryCodesStep codes={codes} onDone={onDone} />
      </div>
    );
  }

  if (!enrolment) {
    return (
      <div className={s.stack}>
        <Text>{t('mfa.enrolIntro')}</Text>
        <FormError error={error} />
        <div className={s.row}>
          <Button appearance="primary" onClick={() => void start()} disabled={busy} icon={busy ? <Spinner size="tiny" /> : undefined}>
            {t('mfa.start')}
          </Button>
          {onCancel && <Button onClick={onCancel}>{t('common.cancel')}</Button>}
        </div>
      </div>
    );
  }

  const codeError = error instanceof ApiError && error.code === 'invalid_mfa_code' ? t('signIn.invalidCode') : undefined;
  return (
    <form className={s.stack} onSubmit={(e) => void confirm(e)} noValidate>
      <H className={s.h2}>{t('mfa.scanTitle')}</H>
      <Text>{t('mfa.scanIntro')}</Text>
      <img className={s.qr} src={enrolment.qrCode} alt={t('mfa.qrAlt')} width={200} height={200} />
      <Text>{t('mfa.secretIntro')}</Text>
      <SecretValue value={enrolment.secret} label={t('mfa.secret')} />
      <Field label={t('mfa.firstCode')} required validationMessage={codeError} hint={t('mfa.firstCodeHint')}>
        <Input value={code} onChange={(_, d) => setCode(d.value)} autoComplete="one-time-code" inputMode="numeric" />
      </Field>
      {!codeError && <FormError error={error} />}
      <div className={s.row}>
        <SubmitButton busy={busy} disabled={!code.trim()}>
          {t('mfa.confirm')}
        </SubmitButton>
        {onCancel && <Button onClick={onCancel}>{t('common.cancel')}</Button>}
      </div>
    </form>
  );
}
