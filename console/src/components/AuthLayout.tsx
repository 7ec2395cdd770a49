import type { ReactNode } from 'react';
import { ToggleButton, makeStyles, tokens } from '@fluentui/react-components';
import { useLocale, useT } from '../i18n';

const useStyles = makeStyles({
  root: {
    minHeight: '100vh',
    display: 'flex',
    flexDirection: 'column',
    alignItems: 'center',
    backgroundColor: tokens.colorNeutralBackground2,
    padding: tokens.spacingHorizontalL,
    boxSizing: 'border-box',
  },
  top: { width: '100%', maxWidth: '480px', display: 'flex', justifyContent: 'space-between', alignItems: 'center', marginBottom: tokens.spacingVerticalL },
  brand: { fontWeight: tokens.fontWeightSemibold, fontSize: tokens.fontSizeBase400, color: tokens.colorBrandForeground1 },
  langs: { display: 'flex', gap: tokens.spacingHorizontalXS },
  card: {
    width: '100%',
    maxWidth: '480px',
    padding: tokens.spacingHorizontalXXL,
    boxSizing: 'border-box',
    backgroundColor: tokens.colorNeutralBackground1,
    borderRadius: tokens.borderRadiusLarge,
    boxShadow: tokens.shadow4,
    '@media (max-width: 599px)': { padding: tokens.spacingHorizontalL },
  },
  h1: { margin: 0, fontSize: tokens.fontSizeBase600, fontWeight: tokens.fontWeightSemibold, lineHeight: tokens.lineHeightBase600 },
});

export function AuthLayout({ title, children }: { title: string; children: ReactNode }) {
  const s = useStyles();
  const t = useT();
  const { locale, setLocale } = useLocale();
  return (
    <div className={s.root}>
      <header className={s.top}>
        <span className={s.brand}>{t('app.name')}</span>
        <div className={s.langs} role="group" aria-label={t('shell.language')}>
          <ToggleButton size="small" appearance="subtle" checked={locale === 'en'} onClick={() => setLocale('en')} lang="en">
            English
          </ToggleButton>
          <ToggleButton size="small" appearance="subtle" checked={locale === 'de'} onClick={() => setLocale('de')} lang="de">
            Deutsch
          </ToggleButton>
        </div>
      </header>
      <main className={s.card}>
        <h1 className={s.h1}>{title}</h1>
        {children}
      </main>
    </div>
  );
}
