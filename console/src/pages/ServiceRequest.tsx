import { useState, type FormEvent } from 'react';
import { Link, useParams } from 'react-router';
import { Button, Field, MessageBar, MessageBarBody, Spinner, Textarea, makeStyles, tokens } from '@fluentui/react-components';
import { api, idempotencyKey } from '../api/client';
import type { ServiceRequest as SR } from '../api/types';
import { RequestStatusBadge, SeverityBadge } from '../components/badges';
import { useResource } from '../components/hooks';
import { DescriptionList, Section, useLayoutStyles } from '../components/layout';
import { ErrorState, FormError, Loading, PageHeader, useFieldError } from '../components/ui';
import { useFormat, useT } from '../i18n';

const useStyles = makeStyles({
  notes: { listStyle: 'none', margin: 0, padding: 0, display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
  note: { padding: tokens.spacingHorizontalM, borderRadius: tokens.borderRadiusMedium, border: `1px solid ${tokens.colorNeutralStroke2}` },
  support: { backgroundColor: tokens.colorNeutralBackground3 },
  meta: { color: tokens.colorNeutralForeground2, fontSize: tokens.fontSizeBase200, marginBottom: tokens.spacingVerticalXS },
  text: { whiteSpace: 'pre-wrap', overflowWrap: 'anywhere', margin: 0 },
});

export default function ServiceRequest() {
  const t = useT();
  const f = useFormat();
  const s = useStyles();
  const l = useLayoutStyles();
  const { customerId = '', requestId = '' } = useParams();
  const req = useResource((signal) => api.get<SR>(`/customers/${customerId}/service-requests/${requestId}`, { signal }), [customerId, requestId]);
  const [note, setNote] = useState('');
  const [noteKey, setNoteKey] = useState(idempotencyKey);
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<unknown>();
  const fieldError = useFieldError(error);
  const r = req.data;

  const addNote = async (e: FormEvent) => {
    e.preventDefault();
    if (!r) return;
    setBusy('note');
    setError(undefined);
    try {
      const updated = await api.post<SR>(`/customers/${customerId}/service-requests/${requestId}/notes`, { text: note }, { idempotencyKey: noteKey });
      req.setData(updated);
      setNote('');
      setNoteKey(idempotencyKey());
    } catch (err) {
      setError(err);
    }
    setBusy(null);
  };

  const setStatus = async (status: 'open' | 'closed') => {
    if (!r) return;
    setBusy(status);
    setError(undefined);
    try {
      const updated = await api.patch<SR>(`/customers/${customerId}/service-requests/${requestId}`, { status, version: r.version });
      req.setData({ ...updated, notes: r.notes });
    } catch (err) {
      setError(err);
    }
    setBusy(null);
  };

  const canNote = r && (r.status === 'open' || r.status === 'attention_needed');
  const canReopen = r && r.status === 'closed' && r.reopenableUntil && new Date(r.reopenableUntil) > new Date();
  return (
    <>
      <p style={{ margin: '0 0 8px' }}>
        <Link to={`/customers/${customerId}/service-requests`}>{t('sr.back')}</Link>
      </p>
      {req.loading && !r ? (
        <Loading />
      ) : req.error && !r ? (
        <>
          <PageHeader title={t('nav.serviceRequests')} />
          <ErrorState error={req.error} onRetry={req.reload} />
        </>
      ) : r ? (
        <>
          <PageHeader
            title={r.title}
            description={r.customerName}
            actions={
              <>
                {r.status === 'draft' && (
                  <Button appearance="primary" disabled={!!busy} onClick={() => void setStatus('open')}>
                    {t('sr.send')}
                  </Button>
                )}
                {(r.status === 'open' || r.status === 'attention_needed') && (
                  <Button disabled={!!busy} onClick={() => void setStatus('closed')}>
                    {t('sr.close')}
                  </Button>
                )}
                {canReopen && (
                  <Button disabled={!!busy} onClick={() => void setStatus('open')}>
                    {t('sr.reopen')}
                  </Button>
                )}
              </>
            }
          />
          {busy === null && <FormError error={error} onReload={() => { setError(undefined); req.reload(); }} fields={['text']} />}
          <Section>
            <DescriptionList
              items={[
                [t('sr.status'), <RequestStatusBadge key="s" status={r.status} />],
                [t('sr.severity'), <SeverityBadge key="v" severity={r.severity} />],
                [t('sr.topic'), r.topicName],
                [t('sr.contact'), `${r.contact.name} <${r.contact.email}>${r.contact.phone ? ` · ${r.contact.phone}` : ''}`],
                ...(r.cc.length ? ([[t('sr.ccList'), r.cc.join(', ')]] as [string, string][]) : []),
                [t('sr.created'), f.dateTime(r.createdAt)],
                ...(r.sentAt ? ([[t('sr.sent'), f.dateTime(r.sentAt)]] as [string, string][]) : []),
                ...(r.closedAt ? ([[t('sr.closedAt'), f.dateTime(r.closedAt)]] as [string, string][]) : []),
              ]}
            />
            {canReopen && r.reopenableUntil && <p className={l.muted}>{t('sr.reopenUntil', { date: f.dateTime(r.reopenableUntil) })}</p>}
            <h2 style={{ fontSize: 16 }}>{t('sr.description')}</h2>
            <p className={s.text}>{r.description}</p>
          </Section>
          <Section title={t('sr.notes')} id="notes">
            {!r.notes?.length ? (
              <p className={l.muted}>{t('sr.noNotes')}</p>
            ) : (
              <ol className={s.notes}>
                {r.notes.map((n) => (
                  <li key={n.noteId} className={n.side === 'support' ? `${s.note} ${s.support}` : s.note}>
                    <div className={s.meta}>
                      {n.side === 'support' ? t('sr.fromSupport') : (n.author.email ?? t('sr.fromPartner'))} · {f.dateTime(n.at)}
                      {n.needsPartner && <> · {t('sr.needsPartner')}</>}
                    </div>
                    <p className={s.text}>{n.text}</p>
                  </li>
                ))}
              </ol>
            )}
            {canNote && (
              <form className={l.form} onSubmit={(e) => void addNote(e)} noValidate style={{ marginTop: 16 }}>
                {r.status === 'attention_needed' && (
                  <MessageBar intent="warning">
                    <MessageBarBody>{t('sr.noteHintAttention')}</MessageBarBody>
                  </MessageBar>
                )}
                <Field label={t('sr.noteText')} validationMessage={fieldError('text')}>
                  <Textarea value={note} onChange={(_, d) => setNote(d.value)} rows={4} maxLength={10000} />
                </Field>
                <div>
                  <Button type="submit" appearance="primary" disabled={!note.trim() || !!busy} icon={busy === 'note' ? <Spinner size="tiny" /> : undefined}>
                    {t('sr.addNote')}
                  </Button>
                </div>
              </form>
            )}
          </Section>
        </>
      ) : null}
    </>
  );
}
