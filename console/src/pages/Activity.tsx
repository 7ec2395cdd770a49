import { useState, type FormEvent } from 'react';
import { Button, Field, Input, Table, TableBody, TableCell, TableHeader, TableHeaderCell, TableRow } from '@fluentui/react-components';
import { api } from '../api/client';
import type { Activity as ActivityT, Page } from '../api/types';
import { usePaged } from '../components/hooks';
import { Section, TableScroll, useLayoutStyles } from '../components/layout';
import { EmptyState, ErrorState, LoadMore, Loading, PageHeader } from '../components/ui';
import { useFormat, useT } from '../i18n';

function changes(a: ActivityT): string {
  const keys = new Set([...Object.keys(a.before ?? {}), ...Object.keys(a.after ?? {})]);
  const show = (v: unknown) => (v === undefined ? '—' : typeof v === 'string' ? v : JSON.stringify(v));
  return [...keys].map((k) => `${k}: ${show(a.before?.[k])} → ${show(a.after?.[k])}`).join('; ');
}

export default function Activity() {
  const t = useT();
  const f = useFormat();
  const l = useLayoutStyles();
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [range, setRange] = useState<{ from?: string; to?: string }>({});
  const list = usePaged<ActivityT>(
    (cursor, signal) => api.get<Page<ActivityT>>('/activity', { query: { ...range, cursor, limit: 50 }, signal }),
    [range.from, range.to],
  );
  const apply = (e: FormEvent) => {
    e.preventDefault();
    setRange({
      from: from ? new Date(`${from}T00:00:00`).toISOString() : undefined,
      // The day "to" is included: the API's upper bound is exclusive.
      to: to ? new Date(new Date(`${to}T00:00:00`).getTime() + 86_400_000).toISOString() : undefined,
    });
  };
  return (
    <>
      <PageHeader title={t('activity.title')} description={t('activity.description')} />
      <Section>
        <form className={l.toolbar} onSubmit={apply}>
          <Field label={t('activity.from')}>
            <Input type="date" value={from} onChange={(_, d) => setFrom(d.value)} />
          </Field>
          <Field label={t('activity.to')}>
            <Input type="date" value={to} onChange={(_, d) => setTo(d.value)} />
          </Field>
          <Button type="submit" appearance="primary">
            {t('activity.apply')}
          </Button>
        </form>
        {list.loading ? (
          <Loading />
        ) : list.error && !list.items.length ? (
          <ErrorState error={list.error} onRetry={list.reload} />
        ) : !list.items.length ? (
          <EmptyState>{t('activity.empty')}</EmptyState>
        ) : (
          <>
            <TableScroll label={t('activity.title')}>
              <Table aria-label={t('activity.title')} size="small" style={{ minWidth: 760 }}>
                <TableHeader>
                  <TableRow>
                    <TableHeaderCell>{t('activity.when')}</TableHeaderCell>
                    <TableHeaderCell>{t('activity.who')}</TableHeaderCell>
                    <TableHeaderCell>{t('activity.what')}</TableHeaderCell>
                    <TableHeaderCell>{t('activity.target')}</TableHeaderCell>
                    <TableHeaderCell>{t('activity.changes')}</TableHeaderCell>
                  </TableRow>
                </TableHeader>
                <TableBody>
                  {list.items.map((a) => (
                    <TableRow key={a.id}>
                      <TableCell>{f.dateTime(a.at)}</TableCell>
                      <TableCell>{a.actor.email ?? (a.actor.type === 'user' ? a.actor.id : t(a.actor.type === 'operator' ? 'activity.operator' : 'activity.system'))}</TableCell>
                      <TableCell className={l.mono}>{a.action}</TableCell>
                      <TableCell className={l.mono}>
                        {a.target.type} {a.target.id}
                        {a.customerId && ` (${a.customerId})`}
                      </TableCell>
                      <TableCell style={{ overflowWrap: 'anywhere' }}>{changes(a) || '—'}</TableCell>
                    </TableRow>
                  ))}
                </TableBody>
              </Table>
            </TableScroll>
            <LoadMore hasMore={list.hasMore} loading={list.loadingMore} onClick={list.loadMore} />
          </>
        )}
      </Section>
    </>
  );
}
