import { useEffect, useState, type FormEvent } from 'react';
import { useSearchParams } from 'react-router';
import { Button, Field, SearchBox, Select, Text } from '@fluentui/react-components';
import { useCaller } from '../app/session';
import { CustomerTable } from '../components/CustomerTable';
import { Section, useLayoutStyles } from '../components/layout';
import { PageHeader } from '../components/ui';
import { useT } from '../i18n';

export default function Customers() {
  const t = useT();
  const l = useLayoutStyles();
  const { overview } = useCaller();
  const [params, setParams] = useSearchParams();
  const q = params.get('q') ?? '';
  const filter = params.get('delegatedAdmin') ?? '';
  const all = params.get('all') === '1';
  const [text, setText] = useState(q);
  useEffect(() => setText(q), [q]);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const next = new URLSearchParams(params);
    if (text.trim()) next.set('q', text.trim());
    else next.delete('q');
    setParams(next);
  };
  const setFilter = (v: string) => {
    const next = new URLSearchParams(params);
    if (v) next.set('delegatedAdmin', v);
    else next.delete('delegatedAdmin');
    setParams(next);
  };
  const showList = overview.customerView === 'list' || !!q || !!filter || all;

  return (
    <>
      <PageHeader
        title={t('customers.title')}
        description={overview.customerView === 'search' ? t('customers.searchDescription', { count: overview.customerCount }) : t('customers.description')}
      />
      <Section>
        <form className={l.toolbar} onSubmit={submit} role="search">
          <Field label={t('customers.searchLabel')}>
            <SearchBox value={text} onChange={(_, d) => setText(d.value)} placeholder={t('customers.searchPlaceholder')} maxLength={100} />
          </Field>
          <Button type="submit" appearance="primary">
            {t('common.search')}
          </Button>
          <Field label={t('customers.filter')}>
            <Select value={filter} onChange={(_, d) => setFilter(d.value)}>
              <option value="">{t('customers.filter.all')}</option>
              <option value="active">{t('customers.filter.active')}</option>
              <option value="expiring">{t('customers.filter.expiring')}</option>
              <option value="none">{t('customers.filter.none')}</option>
            </Select>
          </Field>
          {!showList && (
            <Button appearance="secondary" onClick={() => setParams({ all: '1' })}>
              {t('customers.browseAll')}
            </Button>
          )}
        </form>
        {showList ? (
          <>
            {q && (
              <Text block className={l.muted} role="status">
                {t('customers.resultsFor', { q })}
              </Text>
            )}
            <CustomerTable q={q} filter={filter} cloud={overview.cloud} />
          </>
        ) : (
          <Text block className={l.muted}>
            {t('customers.searchHint')}
          </Text>
        )}
      </Section>
    </>
  );
}
