import { useEffect, useState, type FormEvent } from 'react';
import { useParams } from 'react-router';
import { Button, Checkbox, MessageBar, MessageBarBody, Spinner, Switch, TableCell, TableRow } from '@fluentui/react-components';
import { api } from '../api/client';
import { eventKinds, type EventKind, type Notification, type NotificationPage, type NotificationSettings } from '../api/types';
import { useUnread } from '../app/Shell';
import { usePaged, useResource } from '../components/hooks';
import { Section, useLayoutStyles } from '../components/layout';
import { PagedTable } from '../components/PagedTable';
import { LinkTabs } from '../components/Tabs';
import { ErrorState, FormError, Loading, PageHeader, SubmitButton } from '../components/ui';
import { useFormat, useT, type MessageId } from '../i18n';

function Inbox() {
  const t = useT();
  const f = useFormat();
  const { unread, setUnread } = useUnread();
  const list = usePaged<Notification>(
    async (cursor, signal) => {
      const p = await api.get<NotificationPage>('/notifications', { query: { cursor, limit: 50 }, signal });
      setUnread(p.unreadCount);
      return p;
    },
    [],
  );
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const markOne = async (n: Notification) => {
    setError(undefined);
    try {
      await api.post(`/notifications/${n.notificationId}/read`);
      list.update((items) => items.map((x) => (x.notificationId === n.notificationId ? { ...x, read: true } : x)));
      if (unread) setUnread(Math.max(0, unread - 1));
    } catch (e) {
      setError(e);
    }
  };
  const markAll = async () => {
    setBusy(true);
    setError(undefined);
    try {
      let left = 1;
      for (let i = 0; i < 20 && left > 0; i++) {
        const r = await api.post<{ marked: number; unreadCount: number }>('/notifications/read');
        left = r.unreadCount;
        setUnread(left);
      }
      list.update((items) => items.map((x) => ({ ...x, read: true })));
    } catch (e) {
      setError(e);
    }
    setBusy(false);
  };
  const detail = (n: Notification) => {
    const s = n.subscription;
    if (n.kind === 'subscription.licenses_changed' && n.before) return t('ntf.licenses', { from: n.before.licenses, to: s.licenses });
    return t('ntf.licensesNow', { n: s.licenses });
  };
  return (
    <Section
      actions={
        <Button onClick={() => void markAll()} disabled={busy || !unread} icon={busy ? <Spinner size="tiny" /> : undefined}>
          {t('ntf.markAll')}
        </Button>
      }
      title={t('ntf.inbox', { count: unread ?? 0 })}
      id="inbox"
    >
      <FormError error={error} />
      <PagedTable
        list={list}
        label={t('ntf.inboxLabel')}
        minWidth={720}
        headers={[t('ntf.event'), t('ntf.customer'), t('ntf.subscription'), t('ntf.when'), t('ntf.read')]}
        empty={t('ntf.empty')}
        row={(n) => (
          <TableRow key={n.notificationId} style={n.read ? undefined : { fontWeight: 600 }}>
            <TableCell>{t(`kind.${n.kind}` as MessageId)}</TableCell>
            <TableCell>{n.customerName}</TableCell>
            <TableCell>
              {n.subscription.productName} · {detail(n)}
            </TableCell>
            <TableCell>{f.dateTime(n.at)}</TableCell>
            <TableCell>
              {n.read ? (
                t('ntf.isRead')
              ) : (
                <Button size="small" onClick={() => void markOne(n)} aria-label={t('ntf.markReadFor', { kind: t(`kind.${n.kind}` as MessageId), customer: n.customerName })}>
                  {t('ntf.markRead')}
                </Button>
              )}
            </TableCell>
          </TableRow>
        )}
      />
    </Section>
  );
}

function Settings() {
  const t = useT();
  const l = useLayoutStyles();
  const res = useResource((signal) => api.get<NotificationSettings>('/me/notification-settings', { signal }), []);
  const [form, setForm] = useState<{ email: boolean; kinds: EventKind[] } | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [saved, setSaved] = useState(false);
  useEffect(() => {
    if (res.data) setForm({ email: res.data.email, kinds: res.data.kinds });
  }, [res.data]);
  const save = async (e: FormEvent) => {
    e.preventDefault();
    if (!form || !res.data) return;
    setBusy(true);
    setError(undefined);
    setSaved(false);
    try {
      res.setData(await api.put<NotificationSettings>('/me/notification-settings', { ...form, version: res.data.version }));
      setSaved(true);
    } catch (err) {
      setError(err);
    }
    setBusy(false);
  };
  if (res.loading && !res.data) return <Loading />;
  if (res.error && !res.data) return <ErrorState error={res.error} onRetry={res.reload} />;
  if (!form) return null;
  return (
    <Section title={t('ntf.settingsTitle')} id="settings">
      <form className={l.form} onSubmit={(e) => void save(e)}>
        <p style={{ margin: 0 }}>{t('ntf.settingsIntro')}</p>
        {saved && (
          <MessageBar intent="success">
            <MessageBarBody>{t('common.saved')}</MessageBarBody>
          </MessageBar>
        )}
        <FormError error={error} onReload={() => { setError(undefined); res.reload(); }} />
        <Switch checked={form.email} onChange={(_, d) => setForm({ ...form, email: d.checked })} label={t('ntf.emailMe')} />
        <fieldset style={{ border: 'none', padding: 0, margin: 0 }} disabled={!form.email}>
          <legend style={{ fontWeight: 600, marginBottom: 8 }}>{t('ntf.kinds')}</legend>
          {eventKinds.map((k) => (
            <div key={k}>
              <Checkbox
                checked={form.kinds.includes(k)}
                disabled={!form.email}
                onChange={(_, d) => setForm({ ...form, kinds: d.checked ? [...form.kinds, k] : form.kinds.filter((x) => x !== k) })}
                label={t(`kind.${k}` as MessageId)}
              />
            </div>
          ))}
        </fieldset>
        <div>
          <SubmitButton busy={busy}>
            {t('common.save')}
          </SubmitButton>
        </div>
      </form>
    </Section>
  );
}

export default function Notifications() {
  const t = useT();
  const { tab } = useParams();
  return (
    <>
      <PageHeader title={t('ntf.title')} description={t('ntf.description')} />
      <LinkTabs
        label={t('ntf.sections')}
        tabs={[
          { to: '/notifications', label: t('ntf.tabInbox') },
          { to: '/notifications/settings', label: t('ntf.tabSettings') },
        ]}
      />
      {tab === 'settings' ? <Settings /> : tab ? <ErrorState error={new Error('tab')} /> : <Inbox />}
    </>
  );
}
