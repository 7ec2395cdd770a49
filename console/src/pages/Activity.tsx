import { useState, type FormEvent } from 'react';
import { Button, Field, Input, TableCell, TableRow } from '@fluentui/react-components';
import { api } from '../api/client';
import type { Activity as ActivityT, Page } from '../api/types';
import { usePaged } from '../components/hooks';
import { Section, useLayoutStyles } from '../components/layout';
import { PagedTable } from '../components/PagedTable';
import { PageHeader } from '../components/ui';
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
        <PagedTable
          list={list}
          label={t('activity.title')}
          minWidth={760}
          headers={[t('activity.when'), t('activity.who'), t('activity.what'), t('activity.target'), t('activity.changes')]}
          empty={t('activity.empty')}
          row={(a) => (
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
          )}
        />
      </Section>
    </>
  );
}
