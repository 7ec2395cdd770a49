import { useState } from 'react';
import { Badge, Button, Field, Input, Table, TableBody, TableCell, TableHeader, TableHeaderCell, TableRow } from '@fluentui/react-components';
import { AddRegular } from '@fluentui/react-icons/svg/add';
import { api, idempotencyKey } from '../api/client';
import type { Page, Webhook, WebhookAttempt } from '../api/types';
import { usePaged, useResource } from '../components/hooks';
import { Section, TableScroll } from '../components/layout';
import { PagedTable } from '../components/PagedTable';
import { ConfirmDialog, EmptyState, ErrorState, FormError, Loading, OneTimeSecretDialog, PageHeader, useFieldError, FormDialog, ViewDialog } from '../components/ui';
import { useFormat, useT, type MessageId } from '../i18n';

function Deliveries({ hook, onClose }: { hook: Webhook; onClose: () => void }) {
  const t = useT();
  const f = useFormat();
  const list = usePaged<WebhookAttempt>((cursor, signal) => api.get<Page<WebhookAttempt>>(`/webhooks/${hook.webhookId}/deliveries`, { query: { cursor, limit: 50 }, signal }), [hook.webhookId]);
  return (
    <ViewDialog title={t('wh.deliveriesTitle', { url: hook.url })} onClose={onClose} surfaceStyle={{ maxWidth: 900 }}>
      <PagedTable
        list={list}
        label={t('wh.deliveries')}
        minWidth={640}
        headers={[t('ntf.when'), t('wh.event'), t('wh.attempt'), t('wh.result'), t('wh.outcome')]}
        empty={t('wh.noDeliveries')}
        row={(a) => (
          <TableRow key={a.attemptId}>
            <TableCell>{f.dateTime(a.at)}</TableCell>
            <TableCell>{a.type}</TableCell>
            <TableCell>{a.attempt}</TableCell>
            <TableCell>
              {a.statusCode ?? '—'} {a.error && `· ${a.error}`} · {t('wh.ms', { ms: a.durationMs })}
            </TableCell>
            <TableCell>{t(`wh.outcome.${a.outcome}` as MessageId)}</TableCell>
          </TableRow>
        )}
      />
    </ViewDialog>
  );
}

function AddDialog({ onClose, onAdded }: { onClose: () => void; onAdded: (w: Webhook) => void }) {
  const t = useT();
  const [url, setUrl] = useState('https://');
  const [description, setDescription] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [key] = useState(idempotencyKey);
  const fieldError = useFieldError(error);
  const submit = async () => {
    setBusy(true);
    setError(undefined);
    try {
      onAdded(await api.post<Webhook>('/webhooks', { url: url.trim(), ...(description.trim() ? { description: description.trim() } : {}) }, { idempotencyKey: key }));
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };
  return (
    <FormDialog title={t('wh.addTitle')} onClose={onClose} onSubmit={submit} busy={busy} submitLabel={t('wh.add')}>
      <FormError error={error} fields={['url', 'description']} />
      <Field label={t('wh.url')} required hint={t('wh.urlHint')} validationMessage={fieldError('url')}>
        <Input type="url" value={url} onChange={(_, d) => setUrl(d.value)} />
      </Field>
      <Field label={t('wh.description')} validationMessage={fieldError('description')}>
        <Input value={description} onChange={(_, d) => setDescription(d.value)} maxLength={200} />
      </Field>
    </FormDialog>
  );
}

export default function Webhooks() {
  const t = useT();
  const f = useFormat();
  const hooks = useResource((signal) => api.get<Page<Webhook>>('/webhooks', { signal }), []);
  const [adding, setAdding] = useState(false);
  const [secret, setSecret] = useState<string | null>(null);
  const [log, setLog] = useState<Webhook | null>(null);
  const [removing, setRemoving] = useState<Webhook | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<unknown>();
  const [notice, setNotice] = useState<string | null>(null);
  const items = hooks.data?.items ?? [];

  const test = async (w: Webhook) => {
    setBusy(w.webhookId);
    setError(undefined);
    try {
      const a = await api.post<WebhookAttempt>(`/webhooks/${w.webhookId}/test`);
      setNotice(t('wh.tested', { outcome: a.outcome, status: a.statusCode ?? '—' }));
    } catch (e) {
      setError(e);
    }
    setBusy(null);
  };
  const remove = async () => {
    if (!removing) return;
    setBusy(removing.webhookId);
    setError(undefined);
    try {
      await api.del(`/webhooks/${removing.webhookId}`);
      hooks.setData({ items: items.filter((x) => x.webhookId !== removing.webhookId), nextCursor: null });
      setRemoving(null);
    } catch (e) {
      setError(e);
    }
    setBusy(null);
  };

  return (
    <>
      <PageHeader
        title={t('wh.title')}
        description={t('wh.intro')}
        actions={
          <Button appearance="primary" icon={<AddRegular />} onClick={() => setAdding(true)} disabled={items.length >= 10}>
            {t('wh.add')}
          </Button>
        }
      />
      {notice && <p role="status">{notice}</p>}
      {!removing && <FormError error={error} />}
      <Section>
        {hooks.loading && !hooks.data ? (
          <Loading />
        ) : hooks.error && !hooks.data ? (
          <ErrorState error={hooks.error} onRetry={hooks.reload} />
        ) : !items.length ? (
          <EmptyState>{t('wh.empty')}</EmptyState>
        ) : (
          <TableScroll label={t('wh.title')}>
            <Table aria-label={t('wh.title')} size="small" style={{ minWidth: 720 }}>
              <TableHeader>
                <TableRow>
                  <TableHeaderCell>{t('wh.url')}</TableHeaderCell>
                  <TableHeaderCell>{t('wh.status')}</TableHeaderCell>
                  <TableHeaderCell>{t('link.createdAt')}</TableHeaderCell>
                  <TableHeaderCell>{t('common.actions')}</TableHeaderCell>
                </TableRow>
              </TableHeader>
              <TableBody>
                {items.map((w) => (
                  <TableRow key={w.webhookId}>
                    <TableCell style={{ overflowWrap: 'anywhere' }}>
                      {w.url}
                      {w.description && <div>{w.description}</div>}
                    </TableCell>
                    <TableCell>
                      <Badge appearance="tint" color={w.status === 'active' ? (w.failingSince ? 'warning' : 'success') : 'danger'}>
                        {w.status === 'active' ? (w.failingSince ? t('wh.failing', { since: f.dateTime(w.failingSince) }) : t('wh.active')) : t('wh.disabled')}
                      </Badge>
                    </TableCell>
                    <TableCell>{f.date(w.createdAt)}</TableCell>
                    <TableCell>
                      <span style={{ display: 'inline-flex', gap: 4, flexWrap: 'wrap' }}>
                        <Button size="small" onClick={() => void test(w)} disabled={busy === w.webhookId}>
                          {t('wh.test')}
                        </Button>
                        <Button size="small" onClick={() => setLog(w)}>
                          {t('wh.deliveries')}
                        </Button>
                        <Button size="small" onClick={() => { setError(undefined); setRemoving(w); }}>
                          {t('wh.remove')}
                        </Button>
                      </span>
                    </TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          </TableScroll>
        )}
      </Section>
      {adding && (
        <AddDialog
          onClose={() => setAdding(false)}
          onAdded={(w) => {
            setAdding(false);
            hooks.setData({ items: [...items, { ...w, secret: undefined }], nextCursor: null });
            if (w.secret) setSecret(w.secret);
          }}
        />
      )}
      {secret && <OneTimeSecretDialog open title={t('wh.secretTitle')} intro={t('wh.secretIntro')} value={secret} label={t('wh.secret')} onClose={() => setSecret(null)} />}
      {log && <Deliveries hook={log} onClose={() => setLog(null)} />}
      <ConfirmDialog open={!!removing} title={t('wh.removeTitle')} confirmLabel={t('wh.remove')} onConfirm={() => void remove()} onCancel={() => setRemoving(null)} busy={!!busy} error={error}>
        {removing && t('wh.removeBody', { url: removing.url })}
      </ConfirmDialog>
    </>
  );
}
