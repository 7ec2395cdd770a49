import { useState } from 'react';
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
import { DeleteRegular } from '@fluentui/react-icons/svg/delete';
import { MoreHorizontalRegular } from '@fluentui/react-icons/svg/more-horizontal';
import { api, idempotencyKey } from '../api/client';
import type { Catalog, DelegatedAdminScope, Link, LinkKind, Page } from '../api/types';
import { useAccess } from '../app/access';
import { LinkStateBadge } from './badges';
import { useCatalog } from './catalog';
import { usePaged, useResource } from './hooks';
import { DescriptionList, Section, useLayoutStyles } from './layout';
import { PagedTable } from './PagedTable';
import { ConfirmDialog, CopyButton, ErrorState, FormError, Loading, PageHeader, ResourceState, SecretValue, useFieldError, FormDialog, ViewDialog } from './ui';
import { useFormat, useT, type MessageId } from '../i18n';

const paths: Record<LinkKind, string> = { trial: '/trial-invitations', offer: '/purchase-offers', 'delegated-admin': '/delegated-admin-offers' };
const keys: Record<LinkKind, string> = { trial: 'trial', offer: 'offer', 'delegated-admin': 'dao' };

function useLinkWhat(catalog: Catalog | undefined) {
  const t = useT();
  const name = (id: string) => catalog?.products.find((p) => p.id === id)?.name ?? id;
  return (l: Link) => {
    const parts: string[] = [];
    if (l.productId) parts.push(name(l.productId));
    if (l.lines) parts.push(l.lines.map((x) => `${x.licenses} × ${name(x.productId)}`).join('; '));
    if (l.delegatedAdmin) parts.push(t('link.daSummary', { scope: l.delegatedAdmin.scope, days: l.delegatedAdmin.durationDays }));
    return parts.join(' · ');
  };
}

interface Line {
  productId: string;
  licenses: number;
}

function CreateDialog({ kind, onClose, onCreated }: { kind: LinkKind; onClose: () => void; onCreated: (l: Link) => void }) {
  const t = useT();
  const l = useLayoutStyles();
  const access = useAccess();
  const catalog = useCatalog();
  const products = catalog.data?.products ?? [];
  const [productId, setProductId] = useState('');
  const [lines, setLines] = useState<Line[]>([{ productId: '', licenses: 1 }]);
  const [includeDa, setIncludeDa] = useState(kind === 'delegated-admin');
  const [scope, setScope] = useState<DelegatedAdminScope>('limited');
  const [days, setDays] = useState(730);
  const [autoExtend, setAutoExtend] = useState(false);
  const [target, setTarget] = useState('');
  const [expires, setExpires] = useState('');
  const [maxUses, setMaxUses] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [key] = useState(idempotencyKey);
  const fieldError = useFieldError(error);
  const daAllowed = kind === 'delegated-admin' || access.delegatedAdminInOffers;

  const submit = async () => {
    setBusy(true);
    setError(undefined);
    const body: Record<string, unknown> = {};
    if (kind === 'trial') body.productId = productId;
    if (kind === 'offer') body.lines = lines;
    if (includeDa && daAllowed) body.delegatedAdmin = { scope, durationDays: days, autoExtend: scope === 'full' ? false : autoExtend };
    if (kind === 'delegated-admin' && target.trim()) body.targetCustomerId = target.trim();
    if (expires) body.expiresAt = new Date(`${expires}T23:59:59`).toISOString();
    if (maxUses.trim()) body.maxUses = Number(maxUses);
    try {
      onCreated(await api.post<Link>(paths[kind], body, { idempotencyKey: key }));
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };
  const lineErr = (i: number, f: string) => fieldError(`lines[${i}].${f}`) ?? (f === 'productId' ? fieldError(`lines[${i}]`) : undefined);
  const fields = ['productId', 'lines', 'delegatedAdmin', 'delegatedAdmin.scope', 'delegatedAdmin.durationDays', 'delegatedAdmin.autoExtend', 'targetCustomerId', 'expiresAt', 'maxUses', ...lines.flatMap((_, i) => [`lines[${i}]`, `lines[${i}].productId`, `lines[${i}].licenses`])];

  return (
    <FormDialog title={t(`link.${keys[kind]}.createTitle` as MessageId)} onClose={onClose} onSubmit={submit} busy={busy} submitLabel={t('link.create')}>
      <FormError error={error} fields={fields} />
      <ResourceState res={catalog} />
      {kind === 'trial' && (
        <Field label={t('link.product')} required validationMessage={fieldError('productId')}>
          <Select value={productId} onChange={(_, d) => setProductId(d.value)}>
            <option value="">{t('link.chooseProduct')}</option>
            {products
              .filter((p) => p.trialAvailable)
              .map((p) => (
                <option key={p.id} value={p.id}>
                  {t('link.trialProduct', { name: p.name, days: p.trialDays ?? 30, cap: p.trialLicenseCap ?? 0 })}
                </option>
              ))}
          </Select>
        </Field>
      )}
      {kind === 'offer' && (
        <fieldset style={{ border: 'none', padding: 0, margin: 0 }}>
          <legend style={{ fontWeight: 600, marginBottom: 8 }}>{t('link.lines')}</legend>
          {fieldError('lines') && <p role="alert" style={{ color: '#b10e1c', margin: 0 }}>{fieldError('lines')}</p>}
          <div className={l.form}>
            {lines.map((line, i) => {
              const p = products.find((x) => x.id === line.productId);
              return (
                <div key={i} className={l.grid2} style={{ alignItems: 'end' }}>
                  <Field label={t('link.lineProduct', { n: i + 1 })} required validationMessage={lineErr(i, 'productId')}>
                    <Select value={line.productId} onChange={(_, d) => setLines((ls) => ls.map((x, j) => (j === i ? { ...x, productId: d.value } : x)))}>
                      <option value="">{t('link.chooseProduct')}</option>
                      {products
                        .filter((x) => x.id === line.productId || !lines.some((y) => y.productId === x.id))
                        .map((x) => (
                          <option key={x.id} value={x.id}>
                            {x.name}
                          </option>
                        ))}
                    </Select>
                  </Field>
                  <div className={l.row} style={{ alignItems: 'end', flexWrap: 'nowrap' }}>
                    <Field
                      label={t('link.lineLicenses', { n: i + 1 })}
                      required
                      validationMessage={lineErr(i, 'licenses')}
                      hint={p ? t('sub.licensesRange', { min: p.minLicenses, max: p.maxLicenses }) : undefined}
                    >
                      <SpinButton
                        value={line.licenses}
                        min={p?.minLicenses ?? 1}
                        max={p?.maxLicenses}
                        onChange={(_, d) => {
                          const v = d.value ?? (Number(d.displayValue) || line.licenses);
                          setLines((ls) => ls.map((x, j) => (j === i ? { ...x, licenses: v } : x)));
                        }}
                      />
                    </Field>
                    {lines.length > 1 && (
                      <Button
                        appearance="subtle"
                        icon={<DeleteRegular />}
                        aria-label={t('link.removeLine', { n: i + 1 })}
                        onClick={() => setLines((ls) => ls.filter((_, j) => j !== i))}
                      />
                    )}
                  </div>
                </div>
              );
            })}
            {lines.length < 20 && (
              <div>
                <Button icon={<AddRegular />} onClick={() => setLines((ls) => [...ls, { productId: '', licenses: 1 }])}>
                  {t('link.addLine')}
                </Button>
              </div>
            )}
          </div>
        </fieldset>
      )}
      {kind === 'delegated-admin' && (
        <Field label={t('link.targetCustomer')} hint={t('link.targetCustomerHint')} validationMessage={fieldError('targetCustomerId')}>
          <Input value={target} onChange={(_, d) => setTarget(d.value)} placeholder="cus_…" />
        </Field>
      )}
      {daAllowed && kind !== 'delegated-admin' && (
        <Checkbox checked={includeDa} onChange={(_, d) => setIncludeDa(!!d.checked)} label={t('link.includeDa')} />
      )}
      {includeDa && daAllowed && (
        <fieldset style={{ border: 'none', padding: 0, margin: 0 }}>
          <legend style={{ fontWeight: 600, marginBottom: 8 }}>{t('link.daTitle')}</legend>
          <div className={l.form}>
            <Field label={t('link.scope')} validationMessage={fieldError('delegatedAdmin.scope')}>
              <RadioGroup value={scope} onChange={(_, d) => setScope(d.value as DelegatedAdminScope)}>
                <Radio value="limited" label={t('access.limited')} />
                <Radio value="full" label={t('access.full')} />
              </RadioGroup>
            </Field>
            <Field label={t('link.duration')} hint={t('link.durationHint')} validationMessage={fieldError('delegatedAdmin.durationDays')}>
              <SpinButton value={days} min={1} max={730} onChange={(_, d) => setDays(d.value ?? (Number(d.displayValue) || days))} />
            </Field>
            <Checkbox
              checked={scope !== 'full' && autoExtend}
              disabled={scope === 'full'}
              onChange={(_, d) => setAutoExtend(!!d.checked)}
              label={scope === 'full' ? t('link.autoExtendNotFull') : t('link.autoExtend')}
            />
          </div>
        </fieldset>
      )}
      <div className={l.grid2}>
        <Field label={t('link.expires')} hint={t('link.expiresHint')} validationMessage={fieldError('expiresAt')}>
          <Input type="date" value={expires} onChange={(_, d) => setExpires(d.value)} />
        </Field>
        <Field label={t('link.maxUses')} hint={t('link.maxUsesHint')} validationMessage={fieldError('maxUses')}>
          <Input type="number" min={1} max={100000} value={maxUses} onChange={(_, d) => setMaxUses(d.value)} />
        </Field>
      </div>
    </FormDialog>
  );
}

function SendDialog({ kind, link, onClose, onSent }: { kind: LinkKind; link: Link; onClose: () => void; onSent: (n: number) => void }) {
  const t = useT();
  const [recipients, setRecipients] = useState('');
  const [message, setMessage] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const fieldError = useFieldError(error);
  const list = recipients.split(/[,;\s]+/).map((x) => x.trim()).filter(Boolean);
  const recipientsError = (() => {
    for (let i = 0; i < list.length; i++) {
      const e = fieldError(`recipients[${i}]`);
      if (e) return `${list[i]}: ${e}`;
    }
    return fieldError('recipients');
  })();
  const submit = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const r = await api.post<{ queued: number }>(`${paths[kind]}/${link.linkId}/emails`, { recipients: list, ...(message.trim() ? { message } : {}) });
      onSent(r.queued);
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };
  return (
    <FormDialog title={t('link.sendTitle')} onClose={onClose} onSubmit={submit} busy={busy} submitLabel={t('link.send')} submitDisabled={!list.length}>
      <FormError error={error} fields={['recipients', 'message', ...list.map((_, i) => `recipients[${i}]`)]} />
      <Field label={t('link.recipients')} required hint={t('link.recipientsHint')} validationMessage={recipientsError}>
        <Textarea value={recipients} onChange={(_, d) => setRecipients(d.value)} rows={2} />
      </Field>
      <Field label={t('link.message')} validationMessage={fieldError('message')}>
        <Textarea value={message} onChange={(_, d) => setMessage(d.value)} rows={4} maxLength={2000} />
      </Field>
    </FormDialog>
  );
}

function DetailsDialog({ kind, link, onClose, what }: { kind: LinkKind; link: Link; onClose: () => void; what: (l: Link) => string }) {
  const t = useT();
  const f = useFormat();
  const res = useResource((signal) => api.get<Link>(`${paths[kind]}/${link.linkId}`, { signal }), [kind, link.linkId]);
  const full = res.data;
  const error = res.error;
  const l = full ?? link;
  return (
    <ViewDialog title={t('link.detailsTitle')} onClose={onClose}>
      <DescriptionList
        items={[
          [t('link.what'), what(l) || '—'],
          [t('link.state'), <LinkStateBadge key="s" state={l.state} />],
          [t('link.url'), <SecretValue key="u" value={l.url} label={t('link.url')} />],
          [t('link.uses'), l.maxUses ? t('link.usesOf', { uses: l.uses, max: l.maxUses }) : f.number(l.uses)],
          [t('link.expires'), l.expiresAt ? f.dateTime(l.expiresAt) : t('link.never')],
          [t('link.emailsSent'), f.number(l.emailsSent)],
          [t('link.createdAt'), f.dateTime(l.createdAt)],
        ]}
      />
      <h3>{t('link.usedBy')}</h3>
      {error != null ? (
        <ErrorState error={error} />
      ) : !full ? (
        <Loading />
      ) : !full.usedBy?.length ? (
        <p>{t('link.notUsed')}</p>
      ) : (
        <ul>
          {full.usedBy.map((u) => (
            <li key={u.customerId + u.at}>
              {u.customerName} · {f.dateTime(u.at)}
              {u.delegatedAdmin && ` · ${t(`link.da.${u.delegatedAdmin}` as MessageId)}`}
            </li>
          ))}
        </ul>
      )}
    </ViewDialog>
  );
}

/** The list, create form and actions of one kind of link (trial invitations, purchase offers, delegated-admin offers). */
export function LinksPage({ kind }: { kind: LinkKind }) {
  const t = useT();
  const f = useFormat();
  const k = keys[kind];
  const catalog = useCatalog();
  const what = useLinkWhat(catalog.data);
  const list = usePaged<Link>((cursor, signal) => api.get<Page<Link>>(paths[kind], { query: { cursor, limit: 50 }, signal }), [kind]);
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<Link | null>(null);
  const [sending, setSending] = useState<Link | null>(null);
  const [details, setDetails] = useState<Link | null>(null);
  const [revoking, setRevoking] = useState<Link | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [notice, setNotice] = useState<string | null>(null);

  const revoke = async () => {
    if (!revoking) return;
    setBusy(true);
    setError(undefined);
    try {
      await api.del(`${paths[kind]}/${revoking.linkId}`);
      list.update((items) => items.map((x) => (x.linkId === revoking.linkId ? { ...x, state: 'revoked' } : x)));
      setRevoking(null);
    } catch (e) {
      setError(e);
    }
    setBusy(false);
  };

  return (
    <>
      <PageHeader
        title={t(`link.${k}.title` as MessageId)}
        description={t(`link.${k}.description` as MessageId)}
        actions={
          <Button appearance="primary" icon={<AddRegular />} onClick={() => setCreating(true)}>
            {t(`link.${k}.create` as MessageId)}
          </Button>
        }
      />
      {notice && (
        <p role="status" style={{ marginTop: 0 }}>
          {notice}
        </p>
      )}
      {created && (
        <Section title={t('link.createdTitle')} id="created">
          <p style={{ marginTop: 0 }}>{t('link.createdIntro')}</p>
          <SecretValue value={created.url} label={t('link.url')} />
          <p>
            <Button onClick={() => setSending(created)}>{t('link.sendByEmail')}</Button>
          </p>
        </Section>
      )}
      <Section>
        <PagedTable
          list={list}
          label={t(`link.${k}.title` as MessageId)}
          minWidth={760}
          headers={[t('link.what'), t('link.state'), t('link.uses'), t('link.expires'), t('link.createdAt'), t('common.actions')]}
          empty={t(`link.${k}.empty` as MessageId)}
          row={(l) => (
            <TableRow key={l.linkId}>
              <TableCell>{what(l) || '—'}</TableCell>
              <TableCell>
                <LinkStateBadge state={l.state} />
              </TableCell>
              <TableCell>{l.maxUses ? t('link.usesOf', { uses: l.uses, max: l.maxUses }) : f.number(l.uses)}</TableCell>
              <TableCell>{l.expiresAt ? f.date(l.expiresAt) : t('link.never')}</TableCell>
              <TableCell>{f.date(l.createdAt)}</TableCell>
              <TableCell>
                <span style={{ display: 'inline-flex' }}>
                  <CopyButton text={l.url} label={t('link.copyUrl')} />
                  <Menu>
                    <MenuTrigger disableButtonEnhancement>
                      <Button appearance="subtle" icon={<MoreHorizontalRegular />} aria-label={t('link.moreActions')} />
                    </MenuTrigger>
                    <MenuPopover>
                      <MenuList>
                        <MenuItem onClick={() => setDetails(l)}>{t('link.details')}</MenuItem>
                        {l.state === 'active' && <MenuItem onClick={() => setSending(l)}>{t('link.sendByEmail')}</MenuItem>}
                        {l.state === 'active' && <MenuItem onClick={() => { setError(undefined); setRevoking(l); }}>{t('link.revoke')}</MenuItem>}
                      </MenuList>
                    </MenuPopover>
                  </Menu>
                </span>
              </TableCell>
            </TableRow>
          )}
        />
      </Section>
      {creating && (
        <CreateDialog
          kind={kind}
          onClose={() => setCreating(false)}
          onCreated={(l) => {
            setCreating(false);
            setCreated(l);
            list.update((items) => [l, ...items]);
          }}
        />
      )}
      {sending && (
        <SendDialog
          kind={kind}
          link={sending}
          onClose={() => setSending(null)}
          onSent={(n) => {
            setSending(null);
            setNotice(t('link.sent', { count: n }));
          }}
        />
      )}
      {details && <DetailsDialog kind={kind} link={details} what={what} onClose={() => setDetails(null)} />}
      <ConfirmDialog
        open={!!revoking}
        title={t('link.revokeTitle')}
        confirmLabel={t('link.revoke')}
        onConfirm={() => void revoke()}
        onCancel={() => setRevoking(null)}
        busy={busy}
        error={error}
      >
        {t(kind === 'delegated-admin' ? 'link.revokeBodyDa' : 'link.revokeBody')}
      </ConfirmDialog>
    </>
  );
}
