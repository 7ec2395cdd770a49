import { useEffect, useState } from 'react';
import { Link, useParams } from 'react-router';
import {
  Button,
  Checkbox,
  Field,
  Input,
  Menu,
  MenuItem,
  MenuList,
  MenuPopover,
  MenuTrigger,
  Radio,
  RadioGroup,
  Select,
  SpinButton,
  TableCell,
  TableRow,
  Textarea,
} from '@fluentui/react-components';
import { AddRegular } from '@fluentui/react-icons/svg/add';
import { MoreHorizontalRegular } from '@fluentui/react-icons/svg/more-horizontal';
import { api, idempotencyKey } from '../api/client';
import type {
  CreatedCustomerUser,
  Customer as CustomerT,
  CustomerRole,
  CustomerUser,
  Page,
  PasswordReset,
  ServiceRequest,
  ServiceRequestSummary,
  Severity,
  Subscription,
} from '../api/types';
import { RelationshipBadge, RequestStatusBadge, SeverityBadge, SubscriptionBadge } from '../components/badges';
import { useCatalog } from '../components/catalog';
import { useCustomerDomain } from '../components/CustomerTable';
import { usePaged, useResource, type Paged } from '../components/hooks';
import { DescriptionList, Section, useLayoutStyles } from '../components/layout';
import { PagedTable } from '../components/PagedTable';
import { LinkTabs } from '../components/Tabs';
import { ConfirmDialog, ErrorState, FormError, Loading, OneTimeSecretDialog, PageHeader, ResourceState, useFieldError, FormDialog } from '../components/ui';
import { useFormat, useT, type MessageId } from '../i18n';

const tabs = ['relationship', 'subscriptions', 'users', 'service-requests'] as const;
type Tab = (typeof tabs)[number];

export default function Customer() {
  const t = useT();
  const { customerId = '', tab = 'relationship' } = useParams();
  const domain = useCustomerDomain();
  const customer = useResource((signal) => api.get<CustomerT>(`/customers/${customerId}`, { signal }), [customerId]);
  const c = customer.data;

  if (!tabs.includes(tab as Tab)) {
    return (
      <>
        <PageHeader title={t('notFound.title')} />
        <ErrorState error={new Error('tab')} />
      </>
    );
  }
  const tabLabel = t(`customer.tab.${tab}` as MessageId);
  return (
    <>
      <p style={{ margin: '0 0 8px' }}>
        <Link to="/customers">{t('customer.back')}</Link>
      </p>
      {customer.loading && !c ? (
        <Loading />
      ) : customer.error && !c ? (
        <>
          <PageHeader title={t('customer.title')} />
          <ErrorState error={customer.error} onRetry={customer.reload} />
        </>
      ) : c ? (
        <>
          <PageHeader
            title={c.name}
            description={
              <>
                {domain(c.domainPrefix, c.cloud)} · <RelationshipBadge relationship={c.relationship} /> · {t('customer.yourAccess', { access: c.access })}
              </>
            }
          />
          <TitleSuffix name={c.name} tab={tabLabel} />
          <LinkTabs
            label={t('customer.sections')}
            tabs={tabs.map((x) => ({ to: `/customers/${customerId}/${x}`, label: t(`customer.tab.${x}` as MessageId) }))}
          />
          {tab === 'relationship' && <RelationshipTab c={c} />}
          {tab === 'subscriptions' && <SubscriptionsTab c={c} />}
          {tab === 'users' && <UsersTab c={c} />}
          {tab === 'service-requests' && <RequestsTab c={c} />}
        </>
      ) : null}
    </>
  );
}

function TitleSuffix({ name, tab }: { name: string; tab: string }) {
  const t = useT();
  // The document title names the section too ("Subscriptions – Müller Bau GmbH – …"); this runs
  // after the page header's effect, which set the customer's name alone.
  useEffect(() => {
    document.title = `${tab} – ${name} – ${t('app.name')}`;
  }, [tab, name, t]);
  return null;
}

function RelationshipTab({ c }: { c: CustomerT }) {
  const t = useT();
  const f = useFormat();
  const da = c.relationship.delegatedAdmin;
  return (
    <Section title={t('customer.tab.relationship')} id="rel">
      <DescriptionList
        items={[
          [t('customer.state'), <RelationshipBadge key="b" relationship={c.relationship} />],
          [t('customer.since'), f.date(c.relationship.since)],
          ...(da
            ? ([
                [t('customer.scope'), t(`scope.${da.scope}` as MessageId)],
                [t('customer.startsAt'), f.date(da.startsAt)],
                [t('customer.endsAt'), f.date(da.endsAt)],
                [t('customer.autoExtend'), da.autoExtend ? t('common.yes') : t('common.no')],
              ] as [string, string][])
            : []),
          [t('customer.access'), t(`scope.${c.access}` as MessageId)],
          [t('customer.country'), c.country],
          [t('customer.createdAt'), f.date(c.createdAt)],
          ...(c.counts
            ? ([
                [t('customer.subscriptionCount'), f.number(c.counts.subscriptions)],
                [t('customer.totalLicenses'), f.number(c.subscriptions?.totalLicenses ?? 0)],
                [t('customer.userCount'), f.number(c.counts.users)],
                [t('customer.openRequests'), f.number(c.counts.openServiceRequests)],
              ] as [string, string][])
            : []),
        ]}
      />
    </Section>
  );
}

// --- subscriptions ---

function LicensesDialog({ c, sub, onClose, onSaved }: { c: CustomerT; sub: Subscription; onClose: () => void; onSaved: (s: Subscription) => void }) {
  const t = useT();
  const catalog = useCatalog();
  const product = catalog.data?.products.find((p) => p.id === sub.productId);
  const min = product?.minLicenses ?? 1;
  const max = sub.status === 'trial' ? (product?.trialLicenseCap ?? product?.maxLicenses) : product?.maxLicenses;
  const [current, setCurrent] = useState(sub);
  const [value, setValue] = useState<number>(sub.licenses);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const fieldError = useFieldError(error);
  const submit = async () => {
    setBusy(true);
    setError(undefined);
    try {
      onSaved(await api.patch<Subscription>(`/customers/${c.customerId}/subscriptions/${sub.subscriptionId}`, { licenses: value, version: current.version }));
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };
  const reload = async () => {
    try {
      const page = await api.get<Page<Subscription>>(`/customers/${c.customerId}/subscriptions`, { query: { limit: 100 } });
      const fresh = page.items.find((x) => x.subscriptionId === sub.subscriptionId);
      if (fresh) {
        setCurrent(fresh);
        setValue(fresh.licenses);
        setError(undefined);
      }
    } catch (err) {
      setError(err);
    }
  };
  return (
    <FormDialog title={t('sub.licensesTitle', { product: sub.productName })} onClose={onClose} onSubmit={submit} busy={busy} submitLabel={t('common.save')}>
      <FormError error={error} onReload={() => void reload()} fields={['licenses']} />
      <ResourceState res={catalog} />
      <Field
        label={t('sub.licenses')}
        required
        validationMessage={fieldError('licenses')}
        hint={max ? t('sub.licensesRange', { min, max }) : undefined}
      >
        <SpinButton value={value} min={min} max={max} onChange={(_, d) => setValue(d.value ?? (Number(d.displayValue) || value))} />
      </Field>
    </FormDialog>
  );
}

function SubscriptionsTab({ c }: { c: CustomerT }) {
  const t = useT();
  const f = useFormat();
  const full = c.access === 'full';
  const list = usePaged<Subscription>(
    (cursor, signal) => api.get<Page<Subscription>>(`/customers/${c.customerId}/subscriptions`, { query: { cursor, limit: 50 }, signal }),
    [c.customerId],
  );
  const [licenses, setLicenses] = useState<Subscription | null>(null);
  const [change, setChange] = useState<{ sub: Subscription; status: 'suspended' | 'active' | 'cancelled' } | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const replace = (s: Subscription) => list.update((items) => items.map((x) => (x.subscriptionId === s.subscriptionId ? s : x)));

  const applyStatus = async () => {
    if (!change) return;
    setBusy(true);
    setError(undefined);
    try {
      replace(await api.patch<Subscription>(`/customers/${c.customerId}/subscriptions/${change.sub.subscriptionId}`, { status: change.status, version: change.sub.version }));
      setChange(null);
    } catch (e) {
      setError(e);
    }
    setBusy(false);
  };

  return (
    <Section title={t('customer.tab.subscriptions')} id="subs">
      <PagedTable
        list={list}
        label={t('customer.tab.subscriptions')}
        minWidth={640}
        headers={[t('sub.product'), t('sub.licenses'), t('sub.status'), t('sub.createdAt'), full && t('common.actions')]}
        empty={t('sub.empty')}
        row={(s) => (
          <TableRow key={s.subscriptionId}>
            <TableCell>{s.productName}</TableCell>
            <TableCell>{f.number(s.licenses)}</TableCell>
            <TableCell>
              <SubscriptionBadge status={s.status} />
              {s.trialEndsAt && s.status === 'trial' && <> {t('sub.trialEnds', { date: f.date(s.trialEndsAt) })}</>}
            </TableCell>
            <TableCell>{f.date(s.purchasedAt ?? s.createdAt)}</TableCell>
            {full && (
              <TableCell>
                {(s.status === 'trial' || s.status === 'active' || s.status === 'suspended') && (
                  <Menu>
                    <MenuTrigger disableButtonEnhancement>
                      <Button appearance="subtle" icon={<MoreHorizontalRegular />} aria-label={t('sub.actionsFor', { product: s.productName })} />
                    </MenuTrigger>
                    <MenuPopover>
                      <MenuList>
                        {(s.status === 'trial' || s.status === 'active') && (
                          <MenuItem onClick={() => setLicenses(s)}>{t('sub.changeLicenses')}</MenuItem>
                        )}
                        {s.status === 'active' && <MenuItem onClick={() => { setError(undefined); setChange({ sub: s, status: 'suspended' }); }}>{t('sub.suspend')}</MenuItem>}
                        {s.status === 'suspended' && <MenuItem onClick={() => { setError(undefined); setChange({ sub: s, status: 'active' }); }}>{t('sub.reactivate')}</MenuItem>}
                        {(s.status === 'active' || s.status === 'suspended') && (
                          <MenuItem onClick={() => { setError(undefined); setChange({ sub: s, status: 'cancelled' }); }}>{t('sub.cancel')}</MenuItem>
                        )}
                      </MenuList>
                    </MenuPopover>
                  </Menu>
                )}
              </TableCell>
            )}
          </TableRow>
        )}
      />
      {licenses && (
        <LicensesDialog
          c={c}
          sub={licenses}
          onClose={() => setLicenses(null)}
          onSaved={(s) => {
            replace(s);
            setLicenses(null);
          }}
        />
      )}
      <ConfirmDialog
        open={!!change}
        title={change ? t(`sub.confirm.${change.status}` as MessageId, { product: change.sub.productName }) : ''}
        confirmLabel={change ? t(`sub.do.${change.status}` as MessageId) : ''}
        onConfirm={() => void applyStatus()}
        onCancel={() => setChange(null)}
        busy={busy}
        error={error}
      >
        {change && t(`sub.explain.${change.status}` as MessageId)}
      </ConfirmDialog>
    </Section>
  );
}

// --- users ---

function AddCustomerUserDialog({ c, onClose, onCreated }: { c: CustomerT; onClose: () => void; onCreated: (r: CreatedCustomerUser) => void }) {
  const t = useT();
  const [displayName, setDisplayName] = useState('');
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<CustomerRole>('user');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [key] = useState(idempotencyKey);
  const fieldError = useFieldError(error);
  const submit = async () => {
    setBusy(true);
    setError(undefined);
    try {
      onCreated(await api.post<CreatedCustomerUser>(`/customers/${c.customerId}/users`, { email: email.trim(), displayName: displayName.trim(), role }, { idempotencyKey: key }));
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };
  return (
    <FormDialog title={t('cuser.addTitle', { customer: c.name })} onClose={onClose} onSubmit={submit} busy={busy} submitLabel={t('cuser.add')}>
      <FormError error={error} fields={['email', 'displayName', 'role']} />
      <Field label={t('users.displayName')} required validationMessage={fieldError('displayName')}>
        <Input value={displayName} onChange={(_, d) => setDisplayName(d.value)} maxLength={100} />
      </Field>
      <Field label={t('users.email')} required validationMessage={fieldError('email')}>
        <Input type="email" value={email} onChange={(_, d) => setEmail(d.value)} />
      </Field>
      <Field label={t('cuser.role')} validationMessage={fieldError('role')}>
        <RadioGroup value={role} onChange={(_, d) => setRole(d.value as CustomerRole)}>
          <Radio value="user" label={t('cuser.role.user')} />
          <Radio value="admin" label={t('cuser.role.admin')} />
        </RadioGroup>
      </Field>
    </FormDialog>
  );
}

function ResetPasswordDialog({ c, user, onClose, onDone }: { c: CustomerT; user: CustomerUser; onClose: () => void; onDone: (r: PasswordReset) => void }) {
  const t = useT();
  const [sendTo, setSendTo] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const fieldError = useFieldError(error);
  const submit = async () => {
    setBusy(true);
    setError(undefined);
    try {
      onDone(await api.post<PasswordReset>(`/customers/${c.customerId}/users/${user.userId}/password-reset`, sendTo.trim() ? { sendTo: sendTo.trim() } : {}));
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };
  return (
    <FormDialog title={t('cuser.resetTitle', { name: user.displayName })} onClose={onClose} onSubmit={submit} busy={busy} submitLabel={t('cuser.reset')}>
      <p style={{ margin: 0 }}>{t('cuser.resetIntro')}</p>
      <FormError error={error} fields={['sendTo']} />
      <Field label={t('cuser.sendTo')} hint={t('cuser.sendToHint')} validationMessage={fieldError('sendTo')}>
        <Input type="email" value={sendTo} onChange={(_, d) => setSendTo(d.value)} />
      </Field>
    </FormDialog>
  );
}

function UsersTab({ c }: { c: CustomerT }) {
  const t = useT();
  const full = c.access === 'full';
  const list = usePaged<CustomerUser>(
    (cursor, signal) => api.get<Page<CustomerUser>>(`/customers/${c.customerId}/users`, { query: { cursor, limit: 50 }, signal }),
    [c.customerId],
  );
  const [adding, setAdding] = useState(false);
  const [resetting, setResetting] = useState<CustomerUser | null>(null);
  const [secret, setSecret] = useState<{ title: string; intro: string; value: string } | null>(null);

  return (
    <Section
      title={t('customer.tab.users')}
      id="cusers"
      actions={
        full ? (
          <Button icon={<AddRegular />} onClick={() => setAdding(true)}>
            {t('cuser.add')}
          </Button>
        ) : undefined
      }
    >
      <PagedTable
        list={list}
        label={t('customer.tab.users')}
        minWidth={600}
        headers={[t('users.displayName'), t('users.email'), t('cuser.role'), t('cuser.password'), t('common.actions')]}
        empty={t('cuser.empty')}
        row={(u) => (
          <TableRow key={u.userId}>
            <TableCell>{u.displayName}</TableCell>
            <TableCell>{u.email}</TableCell>
            <TableCell>{t(`cuser.role.${u.role}` as MessageId)}</TableCell>
            <TableCell>{u.passwordChangeRequired ? t('cuser.temporary') : t('cuser.set')}</TableCell>
            <TableCell>
              {(full || u.role !== 'admin') && (
                <Button size="small" onClick={() => setResetting(u)} aria-label={t('cuser.resetFor', { name: u.displayName })}>
                  {t('cuser.reset')}
                </Button>
              )}
            </TableCell>
          </TableRow>
        )}
      />
      {adding && (
        <AddCustomerUserDialog
          c={c}
          onClose={() => setAdding(false)}
          onCreated={(r) => {
            setAdding(false);
            list.update((items) => [...items, r.user]);
            if (r.temporaryPassword) {
              setSecret({ title: t('users.createdTitle'), intro: t('users.createdIntro', { name: r.user.displayName, email: r.user.email }), value: r.temporaryPassword });
            }
          }}
        />
      )}
      {resetting && (
        <ResetPasswordDialog
          c={c}
          user={resetting}
          onClose={() => setResetting(null)}
          onDone={(r) => {
            setResetting(null);
            list.update((items) => items.map((x) => (x.userId === r.user.userId ? r.user : x)));
            setSecret({
              title: t('cuser.resetDoneTitle'),
              intro: r.emailedTo ? t('cuser.resetDoneEmailed', { name: r.user.displayName, email: r.emailedTo }) : t('cuser.resetDone', { name: r.user.displayName }),
              value: r.temporaryPassword,
            });
          }}
        />
      )}
      {secret && <OneTimeSecretDialog open title={secret.title} intro={secret.intro} value={secret.value} label={t('users.temporaryPassword')} onClose={() => setSecret(null)} />}
    </Section>
  );
}

// --- service requests ---

export function NewRequestDialog({ c, onClose, onCreated }: { c: CustomerT; onClose: () => void; onCreated: (r: ServiceRequest) => void }) {
  const t = useT();
  const l = useLayoutStyles();
  const catalog = useCatalog();
  const [v, setV] = useState({ title: '', description: '', severity: 'moderate' as Severity, topic: '', name: '', email: '', phone: '', cc: '', send: true });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [key] = useState(idempotencyKey);
  const fieldError = useFieldError(error);
  const set = (k: keyof typeof v, value: string | boolean) => setV((x) => ({ ...x, [k]: value }));
  const ccError = (() => {
    for (let i = 0; i < 10; i++) {
      const e = fieldError(`cc[${i}]`);
      if (e) return e;
    }
    return fieldError('cc');
  })();
  const submit = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const cc = v.cc.split(/[,;\s]+/).map((x) => x.trim()).filter(Boolean);
      onCreated(
        await api.post<ServiceRequest>(
          `/customers/${c.customerId}/service-requests`,
          {
            title: v.title.trim(),
            description: v.description,
            severity: v.severity,
            topic: v.topic,
            contact: { name: v.name.trim(), email: v.email.trim(), ...(v.phone.trim() ? { phone: v.phone.trim() } : {}) },
            ...(cc.length ? { cc } : {}),
            send: v.send,
          },
          { idempotencyKey: key },
        ),
      );
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };
  const fields = ['title', 'description', 'severity', 'topic', 'contact', 'contact.name', 'contact.email', 'contact.phone', 'cc', ...Array.from({ length: 10 }, (_, i) => `cc[${i}]`)];
  return (
    <FormDialog title={t('sr.newTitle', { customer: c.name })} onClose={onClose} onSubmit={submit} busy={busy} submitLabel={v.send ? t('sr.createAndSend') : t('sr.saveDraft')}>
      <FormError error={error} fields={fields} />
      <ResourceState res={catalog} />
      <Field label={t('sr.title')} required validationMessage={fieldError('title')}>
        <Input value={v.title} onChange={(_, d) => set('title', d.value)} maxLength={255} />
      </Field>
      <Field label={t('sr.description')} required validationMessage={fieldError('description')}>
        <Textarea value={v.description} onChange={(_, d) => set('description', d.value)} rows={5} maxLength={10000} />
      </Field>
      <div className={l.grid2}>
        <Field label={t('sr.severity')} required validationMessage={fieldError('severity')}>
          <Select value={v.severity} onChange={(_, d) => set('severity', d.value)}>
            {(['minimal', 'moderate', 'critical'] as const).map((s) => (
              <option key={s} value={s}>
                {t(`sr.severity.${s}` as MessageId)}
              </option>
            ))}
          </Select>
        </Field>
        <Field label={t('sr.topic')} required validationMessage={fieldError('topic')}>
          <Select value={v.topic} onChange={(_, d) => set('topic', d.value)}>
            <option value="">{t('sr.chooseTopic')}</option>
            {catalog.data?.supportTopics.map((x) => (
              <option key={x.id} value={x.id}>
                {x.name}
              </option>
            ))}
          </Select>
        </Field>
      </div>
      <fieldset style={{ border: 'none', padding: 0, margin: 0 }}>
        <legend style={{ fontWeight: 600, marginBottom: 8 }}>{t('sr.contact')}</legend>
        <div className={l.grid2}>
          <Field label={t('sr.contactName')} required validationMessage={fieldError('contact.name')}>
            <Input value={v.name} onChange={(_, d) => set('name', d.value)} maxLength={200} />
          </Field>
          <Field label={t('sr.contactEmail')} required validationMessage={fieldError('contact.email')}>
            <Input type="email" value={v.email} onChange={(_, d) => set('email', d.value)} />
          </Field>
          <Field label={t('sr.contactPhone')} validationMessage={fieldError('contact.phone')}>
            <Input type="tel" value={v.phone} onChange={(_, d) => set('phone', d.value)} maxLength={32} />
          </Field>
        </div>
      </fieldset>
      <Field label={t('sr.cc')} hint={t('sr.ccHint')} validationMessage={ccError}>
        <Input value={v.cc} onChange={(_, d) => set('cc', d.value)} />
      </Field>
      <Checkbox checked={v.send} onChange={(_, d) => set('send', !!d.checked)} label={t('sr.sendNow')} />
    </FormDialog>
  );
}

/** A paged list of service requests (the customer's tab, and with showCustomer the queue across customers). */
export function RequestTable({ list, empty, showCustomer }: { list: Paged<ServiceRequestSummary>; empty: string; showCustomer?: boolean }) {
  const t = useT();
  const f = useFormat();
  return (
    <PagedTable
      list={list}
      label={t('nav.serviceRequests')}
      minWidth={680}
      headers={[t('sr.title'), showCustomer && t('sr.customer'), t('sr.status'), t('sr.severity'), t('sr.topic'), t('sr.lastActivity')]}
      empty={empty}
      row={(r) => (
        <TableRow key={r.requestId}>
          <TableCell>
            <Link to={`/customers/${r.customerId}/service-requests/${r.requestId}`}>{r.title}</Link>
          </TableCell>
          {showCustomer && <TableCell>{r.customerName}</TableCell>}
          <TableCell>
            <RequestStatusBadge status={r.status} />
          </TableCell>
          <TableCell>
            <SeverityBadge severity={r.severity} />
          </TableCell>
          <TableCell>{r.topicName}</TableCell>
          <TableCell>{f.dateTime(r.lastActivityAt)}</TableCell>
        </TableRow>
      )}
    />
  );
}

function RequestsTab({ c }: { c: CustomerT }) {
  const t = useT();
  const full = c.access === 'full';
  const list = usePaged<ServiceRequestSummary>(
    (cursor, signal) => api.get<Page<ServiceRequestSummary>>(`/customers/${c.customerId}/service-requests`, { query: { cursor, limit: 50 }, signal }),
    [c.customerId],
  );
  const [creating, setCreating] = useState(false);
  return (
    <Section
      title={t('customer.tab.service-requests')}
      id="srs"
      actions={
        full ? (
          <Button icon={<AddRegular />} onClick={() => setCreating(true)}>
            {t('sr.new')}
          </Button>
        ) : undefined
      }
    >
      <RequestTable list={list} empty={t('sr.empty')} />
      {creating && (
        <NewRequestDialog
          c={c}
          onClose={() => setCreating(false)}
          onCreated={(r) => {
            setCreating(false);
            list.update((items) => [r, ...items]);
          }}
        />
      )}
    </Section>
  );
}
