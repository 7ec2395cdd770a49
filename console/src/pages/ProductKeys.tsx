import { useState, type FormEvent } from 'react';
import { Button, Field, Input, MessageBar, MessageBarBody, MessageBarTitle, Radio, RadioGroup, Select, Spinner, TableCell, TableRow } from '@fluentui/react-components';
import { Link } from 'react-router';
import { api, idempotencyKey } from '../api/client';
import type { Page, ProductKey, Redeemed } from '../api/types';
import { useAccess } from '../app/access';
import { KeyStateBadge } from '../components/badges';
import { usePaged } from '../components/hooks';
import { DescriptionList, Section, useLayoutStyles } from '../components/layout';
import { PagedTable } from '../components/PagedTable';
import { FormError, PageHeader, SecretValue, useFieldError, SubmitButton } from '../components/ui';
import { useFormat, useT, type MessageId } from '../i18n';

function Redeem({ onRedeemed }: { onRedeemed: () => void }) {
  const t = useT();
  const f = useFormat();
  const l = useLayoutStyles();
  const access = useAccess();
  const [key, setKey] = useState('');
  const [preview, setPreview] = useState<ProductKey | null>(null);
  const [mode, setMode] = useState<'existing' | 'new'>('existing');
  const [customerId, setCustomerId] = useState('');
  const [org, setOrg] = useState({ organization: '', domainPrefix: '', country: '', adminName: '', adminEmail: '' });
  const [da, setDa] = useState<'' | 'limited' | 'full'>('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [done, setDone] = useState<Redeemed | null>(null);
  const [idem, setIdem] = useState(idempotencyKey);
  const fieldError = useFieldError(error);

  const doPreview = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    setPreview(null);
    setDone(null);
    try {
      setPreview(await api.post<ProductKey>('/product-keys/preview', { key }));
    } catch (err) {
      setError(err);
    }
    setBusy(false);
  };
  const redeem = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const customer = mode === 'existing' ? { customerId: customerId.trim() } : { ...org, country: org.country.toUpperCase(), domainPrefix: org.domainPrefix.toLowerCase() };
      const r = await api.post<Redeemed>(
        '/product-keys/redemptions',
        { key, customer, ...(da ? { delegatedAdmin: { scope: da, durationDays: 730, autoExtend: false } } : {}) },
        { idempotencyKey: idem },
      );
      setDone(r);
      setPreview(null);
      setKey('');
      setIdem(idempotencyKey());
      onRedeemed();
    } catch (err) {
      setError(err);
    }
    setBusy(false);
  };
  const setO = (k: keyof typeof org) => (_: unknown, d: { value: string }) => setOrg((o) => ({ ...o, [k]: d.value }));
  const orgFields = ['customer', 'customer.customerId', 'customer.organization', 'customer.domainPrefix', 'customer.country', 'customer.adminName', 'customer.adminEmail', 'key', 'delegatedAdmin'];

  return (
    <Section title={t('keys.redeemTitle')} id="redeem">
      {done && (
        <MessageBar intent="success" layout="multiline">
          <MessageBarBody>
            <MessageBarTitle>{t('keys.redeemed')}</MessageBarTitle>
            {t('keys.redeemedBody', { product: done.subscription.productName, licenses: done.subscription.licenses, customer: done.customer.name })}{' '}
            <Link to={`/customers/${done.customer.customerId}`}>{done.customer.name}</Link>
            {done.delegatedAdminOffer && (
              <>
                <br />
                {t('keys.daOfferSent')}
                <SecretValue value={done.delegatedAdminOffer.url} label={t('link.url')} />
              </>
            )}
          </MessageBarBody>
        </MessageBar>
      )}
      <form className={l.form} onSubmit={(e) => void doPreview(e)} noValidate>
        <Field label={t('keys.key')} hint={t('keys.keyHint')} validationMessage={fieldError('key')}>
          <Input value={key} onChange={(_, d) => { setKey(d.value); setPreview(null); }} className={l.mono} autoComplete="off" />
        </Field>
        {!preview && <FormError error={error} fields={['key']} />}
        <div>
          <Button type="submit" disabled={busy || !key.trim()} icon={busy && !preview ? <Spinner size="tiny" /> : undefined}>
            {t('keys.preview')}
          </Button>
        </div>
      </form>
      {preview && (
        <form className={l.form} onSubmit={(e) => void redeem(e)} noValidate style={{ marginTop: 16 }}>
          <DescriptionList
            items={[
              [t('keys.product'), preview.productName],
              [t('keys.licenses'), f.number(preview.licenses)],
              [t('keys.state'), <KeyStateBadge key="s" state={preview.state} />],
              [t('keys.expires'), preview.expiresAt ? f.date(preview.expiresAt) : t('link.never')],
            ]}
          />
          {preview.state === 'available' && access.redeemProductKeys && (
            <>
              <Field label={t('keys.for')}>
                <RadioGroup value={mode} onChange={(_, d) => setMode(d.value as 'existing' | 'new')} layout="horizontal">
                  <Radio value="existing" label={t('keys.existing')} />
                  <Radio value="new" label={t('keys.new')} />
                </RadioGroup>
              </Field>
              {mode === 'existing' ? (
                <Field label={t('keys.customerId')} required hint={t('keys.customerIdHint')} validationMessage={fieldError('customer.customerId') ?? fieldError('customer')}>
                  <Input value={customerId} onChange={(_, d) => setCustomerId(d.value)} placeholder="cus_…" />
                </Field>
              ) : (
                <div className={l.grid2}>
                  <Field label={t('keys.organization')} required validationMessage={fieldError('customer.organization')}>
                    <Input value={org.organization} onChange={setO('organization')} maxLength={200} />
                  </Field>
                  <Field label={t('keys.domainPrefix')} required hint={t('keys.domainPrefixHint')} validationMessage={fieldError('customer.domainPrefix')}>
                    <Input value={org.domainPrefix} onChange={setO('domainPrefix')} maxLength={27} />
                  </Field>
                  <Field label={t('company.country')} required hint={t('company.countryHint')} validationMessage={fieldError('customer.country')}>
                    <Input value={org.country} onChange={setO('country')} maxLength={2} />
                  </Field>
                  <Field label={t('keys.adminName')} required validationMessage={fieldError('customer.adminName')}>
                    <Input value={org.adminName} onChange={setO('adminName')} maxLength={100} />
                  </Field>
                  <Field label={t('keys.adminEmail')} required validationMessage={fieldError('customer.adminEmail')}>
                    <Input type="email" value={org.adminEmail} onChange={setO('adminEmail')} />
                  </Field>
                </div>
              )}
              {access.delegatedAdminOffers && (
                <Field label={t('keys.offerDa')} validationMessage={fieldError('delegatedAdmin')}>
                  <Select value={da} onChange={(_, d) => setDa(d.value as '' | 'limited' | 'full')}>
                    <option value="">{t('keys.noDa')}</option>
                    <option value="limited">{t('scope.limited')}</option>
                    <option value="full">{t('scope.full')}</option>
                  </Select>
                </Field>
              )}
              <FormError error={error} fields={orgFields} />
              <div>
                <SubmitButton busy={busy}>
                  {t('keys.redeem')}
                </SubmitButton>
              </div>
            </>
          )}
        </form>
      )}
    </Section>
  );
}

export default function ProductKeys() {
  const t = useT();
  const f = useFormat();
  const l = useLayoutStyles();
  const access = useAccess();
  const [state, setState] = useState('');
  const list = usePaged<ProductKey>(
    (cursor, signal) => api.get<Page<ProductKey>>('/product-keys', { query: { state: state || undefined, cursor, limit: 50 }, signal }),
    [state],
  );
  return (
    <>
      <PageHeader title={t('keys.title')} description={t('keys.description')} />
      {access.redeemProductKeys && <Redeem onRedeemed={list.reload} />}
      <Section title={t('keys.inventory')} id="inventory">
        <div className={l.toolbar}>
          <Field label={t('keys.state')}>
            <Select value={state} onChange={(_, d) => setState(d.value)}>
              <option value="">{t('common.all')}</option>
              {(['available', 'redeemed', 'expired', 'revoked'] as const).map((s) => (
                <option key={s} value={s}>
                  {t(`productKey.state.${s}` as MessageId)}
                </option>
              ))}
            </Select>
          </Field>
        </div>
        <PagedTable
          list={list}
          label={t('keys.inventory')}
          minWidth={700}
          headers={[t('keys.lastGroup'), t('keys.product'), t('keys.licenses'), t('keys.state'), t('keys.expires'), t('keys.redeemedFor')]}
          empty={t('keys.empty')}
          row={(k) => (
            <TableRow key={k.keyId}>
              <TableCell className={l.mono}>…-{k.lastGroup}</TableCell>
              <TableCell>{k.productName}</TableCell>
              <TableCell>{f.number(k.licenses)}</TableCell>
              <TableCell>
                <KeyStateBadge state={k.state} />
              </TableCell>
              <TableCell>{k.expiresAt ? f.date(k.expiresAt) : t('link.never')}</TableCell>
              <TableCell>{k.customerName ? `${k.customerName} · ${f.date(k.redeemedAt)}` : '—'}</TableCell>
            </TableRow>
          )}
        />
      </Section>
    </>
  );
}
