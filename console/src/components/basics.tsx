// The few components the entry chunk needs before any page loads (kept apart from ui.tsx, whose
// dialogs and message bars load with the pages).
import { useEffect } from 'react';
import { Spinner, makeStyles, tokens } from '@fluentui/react-components';
import { useT } from '../i18n';

const useStyles = makeStyles({
  center: { padding: tokens.spacingVerticalXXL, display: 'flex', justifyContent: 'center' },
});

/** Sets the document title of a page ("<page> – Partner Admin Center"). */
export function usePageTitle(title: string | undefined) {
  const t = useT();
  useEffect(() => {
    document.title = title ? `${title} – ${t('app.name')}` : t('app.name');
  }, [title, t]);
}

export function Loading({ label }: { label?: string }) {
  const t = useT();
  const s = useStyles();
  return (
    <div className={s.center} role="status">
      <Spinner label={label ?? t('common.loading')} />
    </div>
  );
}
