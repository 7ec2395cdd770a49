import { useState, type FormEvent } from 'react';
import { Button, Field, Input, MessageBar, MessageBarBody } from '@fluentui/react-components';
import { EditRegular } from '@fluentui/react-icons/svg/edit';
import { api } from '../api/client';
import type { Company as CompanyT } from '../api/types';
import { useAccess } from '../app/access';
import { useSession } from '../app/session';
import { useResource } from '../components/hooks';
import { DescriptionList, Section, useLayoutStyles } from '../components/layout';
import { ErrorState, FormError, Loading, PageHeader, useFieldError, SubmitButton } from '../components/ui';
import { useFormat, useT } from '../i18n';

interface FormValues {
  name: string;
  email: string;
  phone: string;
  website: string;
  line1: string;
  line2: string;
  city: string;
  region: string;
  postalCode: string;
  country: string;
}

function toForm(c: CompanyT): FormValues {
  return {
    name: c.name,
    email: c.email,
    phone: c.phone ?? '',
    website: c.website ?? '',
    line1: c.address?.line1 ?? '',
    line2: c.address?.line2 ?? '',
    city: c.address?.city ?? '',
    region: c.address?.region ?? '',
    postalCode: c.address?.postalCode ?? '',
    country: c.address?.country ?? '',
  };
}

const fieldNames = ['name', 'email', 'phone', 'website', 'address', 'address.line1', 'address.line2', 'address.city', 'address.region', 'address.postalCode', 'address.country'];

export default function Company() {
  const t = useT();
  const f = useFormat();
  const access = useAccess();
  const { reloadContext } = useSession();
  const company = useResource((signal) => api.get<CompanyT>('/company', { signal }), []);
  const [form, setForm] = useState<FormValues | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [saved, setSaved] = useState(false);
  const fieldError = useFieldError(error);
  const l = useLayoutStyles();

  const c = company.data;
  const edit = () => {
    if (!c) return;
    setForm(toForm(c));
    setError(undefined);
    setSaved(false);
  };
  const set = (k: keyof FormValues) => (_: unknown, d: { value: string }) => setForm((v) => (v ? { ...v, [k]: d.value } : v));

  const save = async (e: FormEvent) => {
    e.preventDefault();
    if (!form || !c) return;
    setBusy(true);
    setError(undefined);
    const hasAddress = [form.line1, form.line2, form.city, form.region, form.postalCode, form.country].some((x) => x.trim());
    const opt = (s: string) => (s.trim() ? s.trim() : undefined);
    try {
      const updated = await api.put<CompanyT>('/company', {
        name: form.name.trim(),
        email: form.email.trim(),
        phone: opt(form.phone),
        website: opt(form.website),
        address: hasAddress
          ? {
              line1: form.line1.trim(),
              line2: opt(form.line2),
              city: form.city.trim(),
              region: opt(form.region),
              postalCode: opt(form.postalCode),
              country: form.country.trim().toUpperCase(),
            }
          : null,
        version: c.version,
      });
      company.setData(updated);
      setForm(null);
      setSaved(true);
      if (updated.name !== c.name) reloadContext();
    } catch (err) {
      setError(err);
    }
    setBusy(false);
  };

  const reload = () => {
    setForm(null);
    setError(undefined);
    company.reload();
  };

  return (
    <>
      <PageHeader
        title={t('company.title')}
        description={t('company.description')}
        actions={
          access.editCompany && c && !form ? (
            <Button icon={<EditRegular />} onClick={edit}>
              {t('common.edit')}
            </Button>
          ) : undefined
        }
      />
      {saved && (
        <MessageBar intent="success" role="status">
          <MessageBarBody>{t('common.saved')}</MessageBarBody>
        </MessageBar>
      )}
      {company.loading && !c ? (
        <Loading />
      ) : company.error && !c ? (
        <ErrorState error={company.error} onRetry={company.reload} />
      ) : c && !form ? (
        <Section>
          <DescriptionList
            items={[
              [t('company.name'), c.name],
              [t('company.email'), c.email],
              [t('company.phone'), c.phone || '—'],
              [t('company.website'), c.website ? <a href={c.website} rel="noreferrer noopener" target="_blank">{c.website}</a> : '—'],
              [
                t('company.address'),
                c.address ? (
                  <span style={{ whiteSpace: 'pre-line' }}>
                    {[c.address.line1, c.address.line2, [c.address.postalCode, c.address.city].filter(Boolean).join(' '), c.address.region, c.address.country]
                      .filter(Boolean)
                      .join('\n')}
                  </span>
                ) : (
                  '—'
                ),
              ],
              [t('company.cloud'), t('cloud.name', { cloud: c.cloud })],
              [t('company.updatedAt'), f.dateTime(c.updatedAt)],
            ]}
          />
          {!access.editCompany && <p className={l.muted}>{t('company.readOnly')}</p>}
        </Section>
      ) : form ? (
        <Section>
          <form className={l.form} onSubmit={(e) => void save(e)} noValidate>
            <FormError error={error} onReload={reload} fields={fieldNames} />
            <Field label={t('company.name')} required validationMessage={fieldError('name')}>
              <Input value={form.name} onChange={set('name')} maxLength={200} />
            </Field>
            <div className={l.grid2}>
              <Field label={t('company.email')} required validationMessage={fieldError('email')}>
                <Input type="email" value={form.email} onChange={set('email')} />
              </Field>
              <Field label={t('company.phone')} validationMessage={fieldError('phone')}>
                <Input type="tel" value={form.phone} onChange={set('phone')} maxLength={32} />
              </Field>
            </div>
            <Field label={t('company.website')} validationMessage={fieldError('website')} hint={t('company.websiteHint')}>
              <Input type="url" value={form.website} onChange={set('website')} />
            </Field>
            <fieldset style={{ border: 'none', padding: 0, margin: 0 }}>
              <legend style={{ fontWeight: 600, marginBottom: 8 }}>{t('company.address')}</legend>
              <div className={l.form}>
                <Field label={t('company.line1')} validationMessage={fieldError('address.line1') ?? fieldError('address')}>
                  <Input value={form.line1} onChange={set('line1')} maxLength={200} />
                </Field>
                <Field label={t('company.line2')} validationMessage={fieldError('address.line2')}>
                  <Input value={form.line2} onChange={set('line2')} maxLength={200} />
                </Field>
                <div className={l.grid2}>
                  <Field label={t('company.postalCode')} validationMessage={fieldError('address.postalCode')}>
                    <Input value={form.postalCode} onChange={set('postalCode')} maxLength={20} />
                  </Field>
                  <Field label={t('company.city')} validationMessage={fieldError('address.city')}>
                    <Input value={form.city} onChange={set('city')} maxLength={100} />
                  </Field>
                  <Field label={t('company.region')} validationMessage={fieldError('address.region')}>
                    <Input value={form.region} onChange={set('region')} maxLength={100} />
                  </Field>
                  <Field label={t('company.country')} validationMessage={fieldError('address.country')} hint={t('company.countryHint')}>
                    <Input value={form.country} onChange={set('country')} maxLength={2} />
                  </Field>
                </div>
              </div>
            </fieldset>
            <div className={l.row}>
              <SubmitButton busy={busy}>
                {busy ? t('common.saving') : t('common.save')}
              </SubmitButton>
              <Button onClick={() => setForm(null)}>{t('common.cancel')}</Button>
            </div>
          </form>
        </Section>
      ) : null}
    </>
  );
}
