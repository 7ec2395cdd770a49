import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { IntlProvider, useIntl } from 'react-intl';
import en from './en.json';
import de from './de.json';

export type MessageId = keyof typeof en;
export type Locale = 'en' | 'de';
export const locales: Locale[] = ['en', 'de'];

// Every English message must have its German counterpart (a missing key fails the type check).
const messages: Record<Locale, Record<MessageId, string>> = { en, de };

const STORAGE_KEY = 'pac.locale';

function stored(): Locale | null {
  try {
    // A language preference, not a credential: the one thing the console keeps in localStorage.
    // eslint-disable-next-line no-restricted-globals
    const v = localStorage.getItem(STORAGE_KEY);
    return v === 'en' || v === 'de' ? v : null;
  } catch {
    return null;
  }
}

export function detectLocale(): Locale {
  const s = stored();
  if (s) return s;
  for (const l of navigator.languages ?? [navigator.language]) {
    const base = l.toLowerCase().split('-')[0];
    if (base === 'de' || base === 'en') return base;
  }
  return 'en';
}

interface LocaleContextValue {
  locale: Locale;
  setLocale: (l: Locale) => void;
}
const LocaleContext = createContext<LocaleContextValue>({ locale: 'en', setLocale: () => {} });

export function I18nProvider({ children }: { children: ReactNode }) {
  const [locale, setLocaleState] = useState<Locale>(detectLocale);
  useEffect(() => {
    document.documentElement.lang = locale;
  }, [locale]);
  const setLocale = useCallback((l: Locale) => {
    setLocaleState(l);
    try {
      // eslint-disable-next-line no-restricted-globals
      localStorage.setItem(STORAGE_KEY, l);
    } catch {
      /* private mode: the choice lasts for this page */
    }
  }, []);
  const value = useMemo(() => ({ locale, setLocale }), [locale, setLocale]);
  return (
    <LocaleContext.Provider value={value}>
      <IntlProvider locale={locale} messages={messages[locale]} defaultLocale="en">
        {children}
      </IntlProvider>
    </LocaleContext.Provider>
  );
}

export function useLocale() {
  return useContext(LocaleContext);
}

export type Values = Record<string, string | number | boolean | Date | null | undefined>;

/** t(id, values): a message of the current language as a string. */
export function useT() {
  const intl = useIntl();
  return useCallback((id: MessageId, values?: Values) => intl.formatMessage({ id }, values), [intl]);
}

/** Locale-aware formatting of the API's RFC 3339 timestamps and of numbers. */
export function useFormat() {
  const intl = useIntl();
  return useMemo(
    () => ({
      dateTime: (iso: string | null | undefined) =>
        iso ? intl.formatDate(iso, { dateStyle: 'medium', timeStyle: 'short' }) : '—',
      date: (iso: string | null | undefined) => (iso ? intl.formatDate(iso, { dateStyle: 'medium' }) : '—'),
      number: (n: number) => intl.formatNumber(n),
    }),
    [intl],
  );
}
