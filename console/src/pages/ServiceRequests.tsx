import { useSearchParams } from 'react-router';
import { Field, Select } from '@fluentui/react-components';
import { api } from '../api/client';
import type { Page, ServiceRequestSummary } from '../api/types';
import { usePaged } from '../components/hooks';
import { Section, useLayoutStyles } from '../components/layout';
import { PageHeader } from '../components/ui';
import { useT, type MessageId } from '../i18n';
import { RequestTable } from './Customer';

const statuses = ['attention_needed', 'open', 'draft', 'closed'] as const;

export default function ServiceRequests() {
  const t = useT();
  const l = useLayoutStyles();
  const [params, setParams] = useSearchParams();
  const status = params.get('status') ?? '';
  const list = usePaged<ServiceRequestSummary>(
    (cursor, signal) => api.get<Page<ServiceRequestSummary>>('/service-requests', { query: { status: status || undefined, cursor, limit: 50 }, signal }),
    [status],
  );
  return (
    <>
      <PageHeader title={t('sr.queueTitle')} description={t('sr.queueDescription')} />
      <Section>
        <div className={l.toolbar}>
          <Field label={t('sr.filter')}>
            <Select value={status} onChange={(_, d) => setParams(d.value ? { status: d.value } : {})}>
              <option value="">{t('sr.filterAll')}</option>
              {statuses.map((s) => (
                <option key={s} value={s}>
                  {t(`sr.status.${s}` as MessageId)}
                </option>
              ))}
            </Select>
          </Field>
        </div>
        <RequestTable list={list} empty={t('sr.queueEmpty')} showCustomer />
      </Section>
    </>
  );
}
