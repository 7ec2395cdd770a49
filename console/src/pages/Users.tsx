import { useState } from 'react';
import {
  Button,
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
  TableCell,
  TableRow,
} from '@fluentui/react-components';
import { AddRegular } from '@fluentui/react-icons/svg/add';
import { MoreHorizontalRegular } from '@fluentui/react-icons/svg/more-horizontal';
import { api, idempotencyKey } from '../api/client';
import { companyRoles, type CompanyRole, type CreatedUser, type CustomerAccess, type Page, type User, type UserPasswordReset } from '../api/types';
import { mayResetPassword, useAccess } from '../app/access';
import { useCaller, useSession } from '../app/session';
import { usePaged } from '../components/hooks';
import { Section } from '../components/layout';
import { PagedTable } from '../components/PagedTable';
import { ConfirmDialog, FormError, OneTimeSecretDialog, PageHeader, useFieldError, FormDialog } from '../components/ui';
import { useT, type MessageId } from '../i18n';

interface UserForm {
  displayName: string;
  email: string;
  companyAdmin: boolean;
  companyRole: CompanyRole;
  customerAdmin: boolean;
  customerAccess: 'full' | 'limited';
}

function fromUser(u: User): UserForm {
  return {
    displayName: u.displayName,
    email: u.email,
    companyAdmin: u.companyRole !== 'none',
    companyRole: u.companyRole === 'none' ? 'user_admin' : u.companyRole,
    customerAdmin: u.customerAccess !== 'none',
    customerAccess: u.customerAccess === 'full' ? 'full' : 'limited',
  };
}

const emptyForm: UserForm = { displayName: '', email: '', companyAdmin: false, companyRole: 'user_admin', customerAdmin: false, customerAccess: 'limited' };

function UserDialog({
  user,
  onClose,
  onSaved,
}: {
  user: User | null;
  onClose: () => void;
  onSaved: (u: User, temporaryPassword?: string) => void;
}) {
  const t = useT();
  const access = useAccess();
  const [current, setCurrent] = useState<User | null>(user);
  const [form, setForm] = useState<UserForm>(user ? fromUser(user) : emptyForm);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [key] = useState(idempotencyKey);
  const fieldError = useFieldError(error);
  const set = <K extends keyof UserForm>(k: K, v: UserForm[K]) => setForm((f) => ({ ...f, [k]: v }));
  const roles = companyRoles.filter((r) => r !== 'global_admin' || access.isGlobalAdmin || current?.companyRole === 'global_admin');

  const submit = async () => {
    setBusy(true);
    setError(undefined);
    const companyRole: CompanyRole = form.companyAdmin ? form.companyRole : 'none';
    const customerAccess: CustomerAccess = form.customerAdmin ? form.customerAccess : 'none';
    try {
      if (current) {
        const u = await api.patch<User>(`/users/${current.userId}`, {
          displayName: form.displayName.trim(),
          companyRole,
          customerAccess,
          version: current.version,
        });
        onSaved(u);
      } else {
        const r = await api.post<CreatedUser>(
          '/users',
          { email: form.email.trim(), displayName: form.displayName.trim(), companyRole, customerAccess },
          { idempotencyKey: key },
        );
        onSaved(r.user, r.temporaryPassword);
      }
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };

  const reload = async () => {
    if (!current) return;
    try {
      const fresh = await api.get<User>(`/users/${current.userId}`);
      setCurrent(fresh);
      setForm(fromUser(fresh));
      setError(undefined);
    } catch (err) {
      setError(err);
    }
  };

  return (
    <FormDialog title={current ? t('users.editTitle', { name: current.displayName }) : t('users.addTitle')} onClose={onClose} onSubmit={submit} busy={busy} submitLabel={current ? t('common.save') : t('users.add')}>
      <FormError error={error} onReload={() => void reload()} fields={['displayName', 'email', 'companyRole', 'customerAccess']} />
      <Field label={t('users.displayName')} required validationMessage={fieldError('displayName')}>
        <Input value={form.displayName} onChange={(_, d) => set('displayName', d.value)} maxLength={100} />
      </Field>
      <Field label={t('users.email')} required={!current} validationMessage={fieldError('email')}>
        <Input type="email" value={form.email} onChange={(_, d) => set('email', d.value)} disabled={!!current} />
      </Field>
      <Field label={t('users.companyAccess')} hint={t('users.companyAccessHint')}>
        <RadioGroup value={form.companyAdmin ? 'yes' : 'no'} onChange={(_, d) => set('companyAdmin', d.value === 'yes')} layout="horizontal">
          <Radio value="yes" label={t('common.yes')} />
          <Radio value="no" label={t('common.no')} />
        </RadioGroup>
      </Field>
      {form.companyAdmin && (
        <Field label={t('users.role')} validationMessage={fieldError('companyRole')}>
          <Select value={form.companyRole} onChange={(_, d) => set('companyRole', d.value as CompanyRole)}>
            {roles.map((r) => (
              <option key={r} value={r}>
                {t(`role.${r}` as MessageId)}
              </option>
            ))}
          </Select>
        </Field>
      )}
      <Field label={t('users.customerAccessLabel')} hint={t('users.customerAccessHint')}>
        <RadioGroup value={form.customerAdmin ? 'yes' : 'no'} onChange={(_, d) => set('customerAdmin', d.value === 'yes')} layout="horizontal">
          <Radio value="yes" label={t('common.yes')} />
          <Radio value="no" label={t('common.no')} />
        </RadioGroup>
      </Field>
      {form.customerAdmin && (
        <Field label={t('users.customerAccessLevel')} validationMessage={fieldError('customerAccess')}>
          <RadioGroup value={form.customerAccess} onChange={(_, d) => set('customerAccess', d.value as 'full' | 'limited')}>
            <Radio value="full" label={t('access.full')} />
            <Radio value="limited" label={t('access.limited')} />
          </RadioGroup>
        </Field>
      )}
    </FormDialog>
  );
}

export default function Users() {
  const t = useT();
  const access = useAccess();
  const { me } = useCaller();
  const { reloadContext } = useSession();
  const list = usePaged<User>((cursor, signal) => api.get<Page<User>>('/users', { query: { cursor, limit: 50 }, signal }), []);
  const [editing, setEditing] = useState<User | null | 'new'>(null);
  // A temporary password shown once: a new user's, or one reset.
  const [secret, setSecret] = useState<{ title: string; intro: string; value: string } | null>(null);
  const [removing, setRemoving] = useState<User | null>(null);
  const [resettingMfa, setResettingMfa] = useState<User | null>(null);
  const [resettingPassword, setResettingPassword] = useState<User | null>(null);
  const [busy, setBusy] = useState(false);
  const [actionError, setActionError] = useState<unknown>();
  const [notice, setNotice] = useState<string | null>(null);
  const replace = (u: User) => list.update((items) => items.map((x) => (x.userId === u.userId ? u : x)));

  const saved = (u: User, temporaryPassword?: string) => {
    const isNew = editing === 'new';
    setEditing(null);
    if (isNew) {
      list.update((items) => [...items, u]);
      if (temporaryPassword) {
        setSecret({ title: t('users.createdTitle'), intro: t('users.createdIntro', { name: u.displayName, email: u.email }), value: temporaryPassword });
      }
    } else {
      replace(u);
      if (u.userId === me.userId) reloadContext();
    }
  };

  // A confirmed action: busy meanwhile; its error (problem+json) shows in the dialog, which stays.
  const act = async (action: () => Promise<void>) => {
    setBusy(true);
    setActionError(undefined);
    try {
      await action();
    } catch (e) {
      setActionError(e);
    }
    setBusy(false);
  };

  const remove = (u: User) =>
    act(async () => {
      await api.del(`/users/${u.userId}`);
      list.update((items) => items.filter((x) => x.userId !== u.userId));
      setNotice(t('users.removed', { name: u.displayName }));
      setRemoving(null);
    });

  const resetMfa = (u: User) =>
    act(async () => {
      await api.del(`/users/${u.userId}/mfa`);
      // The reset changed the user's version: read it again (an edit would conflict otherwise).
      replace(await api.get<User>(`/users/${u.userId}`).catch(() => ({ ...u, mfaEnabled: false })));
      setNotice(t('users.mfaResetDone', { name: u.displayName }));
      setResettingMfa(null);
    });

  const resetPassword = (u: User) =>
    act(async () => {
      const r = await api.post<UserPasswordReset>(`/users/${u.userId}/password-reset`);
      replace(r.user);
      setResettingPassword(null);
      setSecret({
        title: t('users.resetPasswordDone'),
        intro: t('users.resetPasswordIntro', { name: r.user.displayName, email: r.user.email }),
        value: r.temporaryPassword,
      });
    });

  // What the caller may do to a user, by role (access.ts; the API enforces the same): a password
  // admin may find rows with nothing to do, which then show no menu at all.
  const rowActions = (u: User) =>
    [
      access.manageUsers && { label: t('common.edit'), run: () => setEditing(u) },
      mayResetPassword(me, u) && { label: t('users.resetPassword'), run: () => setResettingPassword(u) },
      access.isGlobalAdmin && u.mfaEnabled !== false && { label: t('users.resetMfa'), run: () => setResettingMfa(u) },
      access.manageUsers && { label: t('users.remove'), run: () => setRemoving(u) },
    ].filter((a) => !!a);

  const yesNo = (v: boolean | undefined) => (v === undefined ? '—' : v ? t('common.yes') : t('common.no'));

  return (
    <>
      <PageHeader
        title={t('users.title')}
        description={t('users.description')}
        actions={
          access.manageUsers ? (
            <Button appearance="primary" icon={<AddRegular />} onClick={() => setEditing('new')}>
              {t('users.add')}
            </Button>
          ) : undefined
        }
      />
      {notice && (
        <div role="status" style={{ marginBottom: 12 }}>
          {notice}
        </div>
      )}
      <Section>
        <PagedTable
          list={list}
          label={t('users.title')}
          minWidth={720}
          headers={[
            t('users.displayName'),
            t('users.email'),
            t('users.companyAccessShort'),
            t('users.customerAccessShort'),
            t('users.mfa'),
            (access.manageUsers || access.resetPasswords) && t('common.actions'),
          ]}
          empty={t('users.empty')}
          row={(u) => (
            <TableRow key={u.userId}>
              <TableCell>{u.displayName}</TableCell>
              <TableCell>{u.email}</TableCell>
              <TableCell>{u.companyRole === 'none' ? t('common.no') : t(`role.${u.companyRole}` as MessageId)}</TableCell>
              <TableCell>{u.customerAccess === 'none' ? t('common.no') : t(`scope.${u.customerAccess}` as MessageId)}</TableCell>
              <TableCell>{yesNo(u.mfaEnabled)}</TableCell>
              {(access.manageUsers || access.resetPasswords) && (
                <TableCell>
                  {rowActions(u).length > 0 && (
                    <Menu>
                      <MenuTrigger disableButtonEnhancement>
                        <Button appearance="subtle" icon={<MoreHorizontalRegular />} aria-label={t('users.actionsFor', { name: u.displayName })} />
                      </MenuTrigger>
                      <MenuPopover>
                        <MenuList>
                          {rowActions(u).map((a) => (
                            <MenuItem key={a.label} onClick={() => { setActionError(undefined); a.run(); }}>
                              {a.label}
                            </MenuItem>
                          ))}
                        </MenuList>
                      </MenuPopover>
                    </Menu>
                  )}
                </TableCell>
              )}
            </TableRow>
          )}
        />
      </Section>
      {editing && <UserDialog user={editing === 'new' ? null : editing} onClose={() => setEditing(null)} onSaved={saved} />}
      {secret && <OneTimeSecretDialog open title={secret.title} intro={secret.intro} value={secret.value} label={t('users.temporaryPassword')} onClose={() => setSecret(null)} />}
      <ConfirmDialog
        open={!!removing}
        title={t('users.removeTitle')}
        confirmLabel={t('users.remove')}
        onConfirm={() => removing && void remove(removing)}
        onCancel={() => setRemoving(null)}
        busy={busy}
        error={actionError}
      >
        {removing && t('users.removeBody', { name: removing.displayName, email: removing.email })}
      </ConfirmDialog>
      <ConfirmDialog
        open={!!resettingMfa}
        title={t('users.resetMfaTitle')}
        confirmLabel={t('users.resetMfa')}
        onConfirm={() => resettingMfa && void resetMfa(resettingMfa)}
        onCancel={() => setResettingMfa(null)}
        busy={busy}
        error={actionError}
      >
        {resettingMfa && t('users.resetMfaBody', { name: resettingMfa.displayName })}
      </ConfirmDialog>
      <ConfirmDialog
        open={!!resettingPassword}
        title={t('users.resetPasswordTitle')}
        confirmLabel={t('users.resetPassword')}
        onConfirm={() => resettingPassword && void resetPassword(resettingPassword)}
        onCancel={() => setResettingPassword(null)}
        busy={busy}
        error={actionError}
      >
        {resettingPassword && t('users.resetPasswordBody', { name: resettingPassword.displayName, email: resettingPassword.email })}
      </ConfirmDialog>
    </>
  );
}
