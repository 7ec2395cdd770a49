import { useEffect, useState, type CSSProperties, type ReactNode } from 'react';
import { Loading, usePageTitle } from './basics';

export { Loading, usePageTitle };
import { useIntl } from 'react-intl';
import {
  Button,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  MessageBar,
  MessageBarActions,
  MessageBarBody,
  MessageBarTitle,
  Spinner,
  Text,
  Tooltip,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { CheckmarkRegular } from '@fluentui/react-icons/svg/checkmark';
import { CopyRegular } from '@fluentui/react-icons/svg/copy';
import { ApiError } from '../api/client';
import { useLayoutStyles } from './layout';
import { useT, type MessageId } from '../i18n';

const useStyles = makeStyles({
  header: {
    display: 'flex',
    flexWrap: 'wrap',
    alignItems: 'flex-start',
    justifyContent: 'space-between',
    gap: tokens.spacingHorizontalM,
    marginBottom: tokens.spacingVerticalL,
  },
  h1: {
    margin: 0,
    fontSize: tokens.fontSizeHero700,
    lineHeight: tokens.lineHeightHero700,
    fontWeight: tokens.fontWeightSemibold,
  },
  description: { color: tokens.colorNeutralForeground2, marginTop: tokens.spacingVerticalXS, display: 'block' },
  actions: { display: 'flex', gap: tokens.spacingHorizontalS, flexWrap: 'wrap' },
  center: { padding: tokens.spacingVerticalXXL, display: 'flex', justifyContent: 'center' },
  empty: {
    padding: tokens.spacingVerticalXXL,
    textAlign: 'center',
    color: tokens.colorNeutralForeground2,
  },
  secret: {
    fontFamily: tokens.fontFamilyMonospace,
    fontSize: tokens.fontSizeBase400,
    padding: tokens.spacingVerticalS,
    backgroundColor: tokens.colorNeutralBackground3,
    borderRadius: tokens.borderRadiusMedium,
    wordBreak: 'break-all',
    display: 'flex',
    alignItems: 'center',
    justifyContent: 'space-between',
    gap: tokens.spacingHorizontalS,
  },
  more: { display: 'flex', justifyContent: 'center', padding: tokens.spacingVerticalM },
  stack: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
});

export function useStackStyles() {
  return useStyles().stack;
}

export function PageHeader({ title, description, actions }: { title: string; description?: ReactNode; actions?: ReactNode }) {
  const s = useStyles();
  usePageTitle(title);
  return (
    <div className={s.header}>
      <div>
        <h1 className={s.h1}>{title}</h1>
        {description && <Text className={s.description}>{description}</Text>}
      </div>
      {actions && <div className={s.actions}>{actions}</div>}
    </div>
  );
}

export function EmptyState({ children }: { children: ReactNode }) {
  const s = useStyles();
  return <div className={s.empty}>{children}</div>;
}

/** The words for an error: our own per code where we have them, else the API's detail. */
export function useErrorText() {
  const t = useT();
  const intl = useIntl();
  return (e: unknown): string => {
    if (e instanceof ApiError) {
      const id = `error.${e.code}`;
      if (id in intl.messages) return t(id as MessageId, { seconds: e.retryAfter ?? 60 });
      if (e.status === 0) return t('error.network');
      return e.detail || t('error.generic');
    }
    return t('error.generic');
  };
}

/** A field's validation message from an API error (per-field code words, else its detail). */
export function useFieldError(error: unknown) {
  const t = useT();
  const intl = useIntl();
  return (field: string): string | undefined => {
    if (!(error instanceof ApiError)) return undefined;
    const fe = error.fieldError(field);
    if (!fe) return undefined;
    const id = `field.${fe.code}`;
    if (id in intl.messages) return t(id as MessageId);
    return fe.detail;
  };
}

/** What a form still waits for (a spinner) or could not load (its error, with "Try again"). */
export function ResourceState({ res }: { res: { loading: boolean; error: unknown; reload: () => void } }) {
  if (res.error != null) return <ErrorState error={res.error} onRetry={res.reload} />;
  return res.loading ? <Loading /> : null;
}

export function ErrorState({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const t = useT();
  const text = useErrorText();
  const isNotFound = error instanceof ApiError && error.status === 404;
  const forbidden = error instanceof ApiError && error.status === 403;
  return (
    <MessageBar intent={forbidden ? 'warning' : 'error'} layout="multiline">
      <MessageBarBody>
        <MessageBarTitle>{isNotFound ? t('error.notFoundTitle') : forbidden ? t('error.forbiddenTitle') : t('error.title')}</MessageBarTitle>
        {text(error)}
        {error instanceof ApiError && error.requestId && (
          <> {t('error.requestId', { id: error.requestId })}</>
        )}
      </MessageBarBody>
      {onRetry && !forbidden && !isNotFound && (
        <MessageBarActions>
          <Button onClick={onRetry}>{t('common.retry')}</Button>
        </MessageBarActions>
      )}
    </MessageBar>
  );
}

/**
 * The error of a form: a version conflict says someone else changed the item (and offers to
 * reload, keeping what was typed until then); field errors are shown at their fields, so this
 * names them only when none of them is on the form.
 */
export function FormError({ error, onReload, fields }: { error: unknown; onReload?: () => void; fields?: string[] }) {
  const t = useT();
  const text = useErrorText();
  if (!error) return null;
  if (error instanceof ApiError && error.code === 'version_conflict') {
    return (
      <MessageBar intent="warning" layout="multiline">
        <MessageBarBody>
          <MessageBarTitle>{t('error.conflictTitle')}</MessageBarTitle>
          {t('error.conflictBody')}
        </MessageBarBody>
        {onReload && (
          <MessageBarActions>
            <Button onClick={onReload}>{t('common.reload')}</Button>
          </MessageBarActions>
        )}
      </MessageBar>
    );
  }
  if (error instanceof ApiError && fields && error.errors.length > 0 && error.errors.every((e) => fields.includes(e.field))) {
    return (
      <MessageBar intent="error">
        <MessageBarBody>{t('error.checkFields')}</MessageBarBody>
      </MessageBar>
    );
  }
  return (
    <MessageBar intent="error" layout="multiline">
      <MessageBarBody>
        {text(error)}
        {error instanceof ApiError && error.errors.length > 0 && (!fields || error.errors.some((e) => !fields.includes(e.field))) && (
          <ul>
            {error.errors
              .filter((e) => !fields?.includes(e.field))
              .map((e) => (
                <li key={e.field + e.code}>
                  {e.field}: {e.detail}
                </li>
              ))}
          </ul>
        )}
      </MessageBarBody>
    </MessageBar>
  );
}

/** The primary submit button of a form: disabled and spinning while the form is busy. */
export function SubmitButton({ busy, disabled, children }: { busy: boolean; disabled?: boolean; children: ReactNode }) {
  return (
    <Button appearance="primary" type="submit" disabled={busy || disabled} icon={busy ? <Spinner size="tiny" /> : undefined}>
      {children}
    </Button>
  );
}

export function LoadMore({ hasMore, loading, onClick }: { hasMore: boolean; loading: boolean; onClick: () => void }) {
  const t = useT();
  const s = useStyles();
  if (!hasMore) return null;
  return (
    <div className={s.more}>
      <Button onClick={onClick} disabled={loading} icon={loading ? <Spinner size="tiny" /> : undefined}>
        {loading ? t('common.loading') : t('common.loadMore')}
      </Button>
    </div>
  );
}

export function CopyButton({ text, label }: { text: string; label?: string }) {
  const t = useT();
  const [copied, setCopied] = useState(false);
  useEffect(() => {
    if (!copied) return;
    const id = setTimeout(() => setCopied(false), 2000);
    return () => clearTimeout(id);
  }, [copied]);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setCopied(true);
    } catch {
      setCopied(false);
    }
  };
  const name = label ?? t('common.copy');
  return (
    <Tooltip content={copied ? t('common.copied') : name} relationship="label">
      <Button
        appearance="subtle"
        icon={copied ? <CheckmarkRegular /> : <CopyRegular />}
        onClick={() => void copy()}
        aria-live="polite"
      />
    </Tooltip>
  );
}

/** A secret shown this once (temporary password, signing secret) with a copy button. */
export function SecretValue({ value, label }: { value: string; label: string }) {
  const s = useStyles();
  return (
    <div className={s.secret}>
      <span aria-label={label}>{value}</span>
      <CopyButton text={value} label={label} />
    </div>
  );
}

/**
 * The frame of every dialog: its title, content and actions, closed by Escape like by its own
 * buttons. With onSubmit the body is a form (noValidate: the API validates) whose submission, by
 * Enter or the submit button, calls onSubmit. alert: a decision or a one-time secret, which a
 * click beside the dialog does not dismiss.
 */
export function DialogFrame({
  title,
  onClose,
  onSubmit,
  actions,
  alert,
  open = true,
  contentClassName,
  surfaceStyle,
  children,
}: {
  title: ReactNode;
  onClose: () => void;
  onSubmit?: () => unknown;
  actions: ReactNode;
  alert?: boolean;
  open?: boolean;
  contentClassName?: string;
  surfaceStyle?: CSSProperties;
  children: ReactNode;
}) {
  const body = (
    <DialogBody>
      <DialogTitle>{title}</DialogTitle>
      <DialogContent className={contentClassName}>{children}</DialogContent>
      <DialogActions>{actions}</DialogActions>
    </DialogBody>
  );
  return (
    <Dialog open={open} modalType={alert ? 'alert' : undefined} onOpenChange={(_, d) => !d.open && onClose()}>
      <DialogSurface style={surfaceStyle}>
        {onSubmit ? (
          <form
            onSubmit={(e) => {
              e.preventDefault();
              void onSubmit();
            }}
            noValidate
          >
            {body}
          </form>
        ) : (
          body
        )}
      </DialogSurface>
    </Dialog>
  );
}

/** A dialog with a form: its fields, then Cancel and the submit button (spinning while busy). */
export function FormDialog({
  title,
  onClose,
  onSubmit,
  busy,
  submitLabel,
  submitDisabled,
  children,
}: {
  title: ReactNode;
  onClose: () => void;
  onSubmit: () => unknown;
  busy: boolean;
  submitLabel: ReactNode;
  submitDisabled?: boolean;
  children: ReactNode;
}) {
  const t = useT();
  const l = useLayoutStyles();
  return (
    <DialogFrame
      title={title}
      onClose={onClose}
      onSubmit={onSubmit}
      contentClassName={l.form}
      actions={
        <>
          <Button onClick={onClose}>{t('common.cancel')}</Button>
          <SubmitButton busy={busy} disabled={submitDisabled}>
            {submitLabel}
          </SubmitButton>
        </>
      }
    >
      {children}
    </DialogFrame>
  );
}

/** A dialog to look at something: its content and Close. */
export function ViewDialog({ title, onClose, surfaceStyle, children }: { title: ReactNode; onClose: () => void; surfaceStyle?: CSSProperties; children: ReactNode }) {
  const t = useT();
  return (
    <DialogFrame
      title={title}
      onClose={onClose}
      surfaceStyle={surfaceStyle}
      actions={
        <Button appearance="primary" onClick={onClose}>
          {t('common.close')}
        </Button>
      }
    >
      {children}
    </DialogFrame>
  );
}

export function OneTimeSecretDialog({
  open,
  title,
  intro,
  value,
  label,
  onClose,
}: {
  open: boolean;
  title: string;
  intro: ReactNode;
  value: string;
  label: string;
  onClose: () => void;
}) {
  const t = useT();
  const s = useStyles();
  return (
    <DialogFrame
      open={open}
      alert
      title={title}
      onClose={onClose}
      contentClassName={s.stack}
      actions={
        <Button appearance="primary" onClick={onClose}>
          {t('common.done')}
        </Button>
      }
    >
      <Text>{intro}</Text>
      <SecretValue value={value} label={label} />
      <MessageBar intent="warning">
        <MessageBarBody>{t('common.shownOnce')}</MessageBarBody>
      </MessageBar>
    </DialogFrame>
  );
}

export function ConfirmDialog({
  open,
  title,
  children,
  confirmLabel,
  onConfirm,
  onCancel,
  busy,
  error,
}: {
  open: boolean;
  title: string;
  children: ReactNode;
  confirmLabel: string;
  onConfirm: () => void;
  onCancel: () => void;
  busy?: boolean;
  error?: unknown;
}) {
  const t = useT();
  const s = useStyles();
  return (
    <DialogFrame
      open={open}
      alert
      title={title}
      onClose={onCancel}
      contentClassName={s.stack}
      actions={
        <>
          <Button appearance="secondary" onClick={onCancel}>
            {t('common.cancel')}
          </Button>
          <Button appearance="primary" onClick={onConfirm} disabled={busy}>
            {confirmLabel}
          </Button>
        </>
      }
    >
      <div>{children}</div>
      <FormError error={error} />
    </DialogFrame>
  );
}

export function NotAvailable() {
  const t = useT();
  usePageTitle(t('notAvailable.title'));
  const s = useStyles();
  return (
    <div className={s.stack}>
      <h1 style={{ margin: 0 }}>{t('notAvailable.title')}</h1>
      <MessageBar intent="info" layout="multiline">
        <MessageBarBody>{t('notAvailable.body')}</MessageBarBody>
      </MessageBar>
    </div>
  );
}
